import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { catalogueFor } from '../../src/istioctl/analyze-catalogue.ts';
import { parseAnalyzeJson, parseAnalyzeLog } from '../../src/istioctl/parsers/analyze.ts';
import type { AnalyzeFinding, AnalyzeLevel } from '../../src/istioctl/parsers/analyze.ts';
import {
  diffAgainstSnapshot,
  diffFindings,
  fingerprint,
  fromSnapshot,
  summarizeAnalyze,
  toSnapshot,
} from '../../src/mesh/analyze.ts';

const catalogue = catalogueFor({ major: 1, minor: 28 });

function docsFindings(): AnalyzeFinding[] {
  const text = readFileSync(
    new URL('../fixtures/istioctl/analyze/docs-examples/istio.io_istioctl-analyze_outputs.txt', import.meta.url),
    'utf8',
  );
  const section = text.split(/^### /m).find((s) => s.includes('snip_id=analyze_sample_destrule')) ?? '';
  const parsed = parseAnalyzeLog(section.slice(section.indexOf('\n') + 1));
  assert.ok(parsed.ok);
  return parsed.value;
}

function finding(code: string, level: AnalyzeLevel, origin: string, message = `${code} on ${origin}`): AnalyzeFinding {
  return { code, level, message, origin, resource: null };
}

describe('summarizeAnalyze', () => {
  it('counts the docs example by level and code, errors first', () => {
    const summary = summarizeAnalyze(docsFindings(), { catalogue });
    assert.equal(summary.total, 6);
    assert.deepEqual(summary.byLevel, { Error: 2, Warning: 4, Info: 0 });
    assert.deepEqual(summary.byCode, { IST0101: 2, IST0174: 4 });
    assert.equal(summary.verdict, 'errors');
    assert.deepEqual(
      summary.groups.map((g) => [g.code, g.level, g.count, g.name]),
      [
        ['IST0101', 'Error', 2, 'ReferencedResourceNotFound'],
        ['IST0174', 'Warning', 4, 'UnknownDestinationRuleHost'],
      ],
    );
    assert.deepEqual(summary.groups[0]?.resources, ['Gateway default/bookinfo-gateway', 'VirtualService default/bookinfo']);
    assert.equal(summary.groups[1]?.description, 'Host defined in destination rule does not match any services in the mesh.');
    assert.equal(summary.groups[1]?.docUrl, 'https://istio.io/v1.28/docs/reference/config/analysis/ist0174/');
    assert.deepEqual(summary.items[0], {
      code: 'IST0101',
      level: 'Error',
      message: 'Referenced selector not found: "istio=ingressgateway"',
      origin: 'Gateway default/bookinfo-gateway',
    });
  });

  it("prefers istioctl's documentation URL without its tracking query", () => {
    const parsed = parseAnalyzeJson(
      readFileSync(new URL('../fixtures/istioctl/analyze/formatter-golden/json.json', import.meta.url), 'utf8'),
    );
    assert.ok(parsed.ok);
    const withRef = parsed.value.map((f) => ({ ...f, documentationUrl: `${f.documentationUrl ?? ''}?ref=istioctl-analyze` }));
    const summary = summarizeAnalyze(withRef, { catalogue: catalogueFor(null) });
    assert.equal(summary.groups[0]?.docUrl, 'https://istio.io/v1.28/docs/reference/config/analysis/b1/');
    assert.equal(summary.groups[0]?.name, undefined);
    assert.equal(summary.verdict, 'errors');
  });

  it('says clean, or warnings, when nothing is an error', () => {
    assert.equal(summarizeAnalyze([], { catalogue }).verdict, 'clean');
    assert.equal(summarizeAnalyze([finding('IST0102', 'Info', 'Namespace a')], { catalogue }).verdict, 'clean');
    assert.equal(summarizeAnalyze([finding('IST0174', 'Warning', 'DestinationRule a/b')], { catalogue }).verdict, 'warnings');
  });

  it('deduplicates affected objects and orders groups by count within a level', () => {
    const findings = [
      finding('IST0102', 'Info', 'Namespace a'),
      finding('IST0174', 'Warning', 'DestinationRule a/x'),
      finding('IST0132', 'Warning', 'VirtualService a/v', 'host one'),
      finding('IST0132', 'Warning', 'VirtualService a/v', 'host two'),
      finding('IST0132', 'Warning', 'VirtualService a/w'),
    ];
    const summary = summarizeAnalyze(findings, { catalogue });
    assert.deepEqual(summary.groups.map((g) => g.code), ['IST0132', 'IST0174', 'IST0102']);
    assert.deepEqual(summary.groups[0]?.resources, ['VirtualService a/v', 'VirtualService a/w']);
  });

  it('summarizes 10,000 findings correctly', () => {
    const levels: AnalyzeLevel[] = ['Error', 'Warning', 'Info'];
    const codes = ['IST0101', 'IST0174', 'IST0102', 'IST0132'];
    const findings: AnalyzeFinding[] = [];
    for (let i = 0; i < 10_000; i++) {
      findings.push(finding(codes[i % 4] ?? '', levels[i % 3] ?? 'Info', `VirtualService ns-${i % 50}/vs-${i % 500}`, `m${i}`));
    }
    const summary = summarizeAnalyze(findings, { catalogue });
    assert.equal(summary.total, 10_000);
    // i % 3: 0 → Error (3334 of 0..9999), 1 → Warning (3333), 2 → Info (3333).
    assert.deepEqual(summary.byLevel, { Error: 3334, Warning: 3333, Info: 3333 });
    assert.deepEqual(summary.byCode, { IST0101: 2500, IST0174: 2500, IST0102: 2500, IST0132: 2500 });
    // Every code sees every level (4 and 3 are coprime), so each group is an Error group.
    assert.deepEqual(summary.groups.map((g) => [g.code, g.level, g.count]), [
      ['IST0101', 'Error', 2500],
      ['IST0102', 'Error', 2500],
      ['IST0132', 'Error', 2500],
      ['IST0174', 'Error', 2500],
    ]);
    // i % 4 fixes i % 500 modulo 4, so each code touches 125 of the 500 VirtualServices.
    for (const g of summary.groups) assert.equal(g.resources.length, 125);
    assert.equal(summary.items.length, 10_000);
  });
});

describe('fingerprint and diffFindings', () => {
  it('ignores whitespace, file references and doc links but not the message text', () => {
    const base: AnalyzeFinding = { ...finding('IST0101', 'Error', 'VirtualService default/reviews', 'Referenced host not found: "x"') };
    assert.equal(fingerprint(base), fingerprint({ ...base, message: ' Referenced  host not found: "x"\n', reference: 'a.yaml:3' }));
    assert.equal(fingerprint(base), fingerprint({ ...base, documentationUrl: 'https://istio.io/latest/x' }));
    assert.notEqual(fingerprint(base), fingerprint({ ...base, message: 'Referenced host not found: "y"' }));
    assert.notEqual(fingerprint(base), fingerprint({ ...base, origin: 'VirtualService default/ratings' }));
    assert.notEqual(fingerprint(base), fingerprint({ ...base, cluster: 'east' }));
    assert.match(fingerprint(base), /^[0-9a-f]{16}$/);
  });

  it('reports what appeared and what went away since the previous run', () => {
    const previous = docsFindings();
    const fixedGateway = previous.slice(1);
    const newOne = finding('IST0102', 'Info', 'Namespace frod');
    const diff = diffFindings(previous, [...fixedGateway, newOne]);
    assert.deepEqual(diff.added, [newOne]);
    assert.deepEqual(diff.resolved, [previous[0]]);
    assert.equal(diff.unchanged, 5);
  });
});

describe('analyze snapshots', () => {
  it('round-trips code, level, origin and cluster, and diffs against a fresh run', () => {
    const previous = [...docsFindings(), { ...finding('IST0102', 'Info', 'Namespace default'), cluster: 'east' }];
    const snapshot = JSON.parse(JSON.stringify(toSnapshot(previous)));
    const restored = fromSnapshot(snapshot);
    assert.deepEqual(
      restored.map((f) => [f.code, f.level, f.origin, f.cluster, f.fingerprint]),
      previous.map((f) => [f.code, f.level, f.origin, f.cluster, fingerprint(f)]),
    );
    assert.deepEqual(restored[0]?.resource, { kind: 'Gateway', namespace: 'default', name: 'bookinfo-gateway' });

    const diff = diffAgainstSnapshot(snapshot, previous.slice(2));
    assert.equal(diff.added.length, 0);
    assert.equal(diff.unchanged, 5);
    assert.deepEqual(diff.resolved.map((f) => f.origin), ['Gateway default/bookinfo-gateway', 'VirtualService default/bookinfo']);
  });

  it('stores 10,000 findings in well under the 1 MiB ConfigMap limit', () => {
    const findings: AnalyzeFinding[] = [];
    for (let i = 0; i < 10_000; i++) {
      findings.push(
        finding(
          `IST0${100 + (i % 77)}`,
          i % 7 === 0 ? 'Error' : 'Warning',
          `VirtualService team-namespace-${i % 300}/checkout-service-route-${i}`,
          `Referenced host not found: "checkout-service-${i}.team-namespace-${i % 300}.svc.cluster.local" in route ${i}`,
        ),
      );
    }
    const snapshot = toSnapshot(findings);
    assert.equal(snapshot.entries.length, 10_000);
    const bytes = Buffer.byteLength(JSON.stringify(snapshot), 'utf8');
    assert.ok(bytes < 1024 * 1024, `snapshot is ${bytes} bytes`);
    assert.equal(diffAgainstSnapshot(snapshot, findings).unchanged, 10_000);
  });
});
