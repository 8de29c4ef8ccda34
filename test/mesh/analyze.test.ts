import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { createStateStore, type StateStore } from '../../src/kube/state-store.ts';
import { compareAndRecord, historyRecordName } from '../../src/mesh/analyze-history.ts';
import { ok, type Result } from '../../src/result.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
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

/** Every release's template of `code`, read from the shipped message catalogues (src/istioctl/analyze-messages). */
function releaseTemplates(code: string): { release: string; template: string }[] {
  const dir = new URL('../../src/istioctl/analyze-messages/', import.meta.url);
  return readdirSync(dir).flatMap((file) => {
    const entry = (parseYaml(readFileSync(new URL(file, dir), 'utf8')) as { messages: { code: string; template: string }[] }).messages.find((m) => m.code === code);
    return entry ? [{ release: file, template: entry.template }] : [];
  });
}

/** What Go's fmt prints for the verbs istio's templates use: `%v` of a slice is `[a b]`, `%q` a quoted string. */
function goFormat(template: string, values: readonly (string | number | readonly string[])[]): string {
  let index = 0;
  return template.replace(/%[vqsd]/g, (verb) => {
    const value = values[index++] ?? '';
    if (Array.isArray(value)) return `[${value.join(' ')}]`;
    return verb === '%q' ? JSON.stringify(value) : String(value);
  });
}

describe('fingerprints of messages that name pods (IST0110, IST0158, IST0159)', () => {
  const cases: readonly { code: string; origins: readonly [string, string]; args: (pod: string, other: string) => readonly (string | readonly string[])[] }[] = [
    { code: 'IST0110', origins: ['Sidecar shop/cart-a', 'Sidecar pay/ledger-a'], args: (pod, ns) => [['cart-a', 'cart-b'], ns, pod] },
    { code: 'IST0158', origins: ['Namespace shop', 'Namespace pay'], args: (pod) => [[pod, 'frontend-7d4b9c8f6d-q2w9x']] },
    { code: 'IST0159', origins: ['Telemetry shop/cart-a', 'Telemetry pay/ledger-a'], args: (pod, ns) => [['cart-a', 'cart-b'], ns, pod] },
  ];
  for (const { code, origins, args } of cases) {
    const templates = releaseTemplates(code);
    it(`${code}: the same two problems with one pod replaced by a rollout are 0 added, 0 resolved (${templates.length} releases)`, () => {
      assert.ok(templates.length >= 1);
      for (const { release, template } of templates) {
        const run = (cartPod: string): AnalyzeFinding[] => [
          finding(code, 'Warning', origins[0], goFormat(template, args(cartPod, 'shop'))),
          finding(code, 'Warning', origins[1], goFormat(template, args('ledger-6b8f9d7c5b-zt4kq', 'pay'))),
        ];
        const before = run('cart-5f7c9d8b6c-h8x2m');
        const after = run('cart-5f7c9d8b6c-w7k4p');
        assert.notEqual(after[0]?.message, before[0]?.message);
        const diff = diffFindings(before, after);
        assert.deepEqual([diff.added.length, diff.resolved.length, diff.unchanged], [0, 0, 2], release);
        const stored = diffAgainstSnapshot(JSON.parse(JSON.stringify(toSnapshot(before))), after);
        assert.deepEqual([stored.added.length, stored.resolved.length, stored.unchanged], [0, 0, 2], release);
        // A rollout of the new pod template (new pod-template-hash) is the same problem too.
        assert.equal(diffFindings(before, run('cart-84c6d7f9b5-r2n6t')).unchanged, 2, release);
        // A different workload is a different problem.
        const elsewhere = diffFindings(before, run('checkout-5f7c9d8b6c-h8x2m'));
        assert.deepEqual([elsewhere.added.length, elsewhere.resolved.length], [1, 1], release);
      }
    });
  }

  it('keeps ports and hosts as identity, and counts IST0175 as one problem however many resources it counts', () => {
    const [port] = releaseTemplates('IST0118').slice(-1);
    assert.ok(port);
    const portFinding = (number: number) => finding('IST0118', 'Info', 'Service shop/cart', goFormat(port.template, ['web', String(number), '8080']));
    assert.notEqual(fingerprint(portFinding(80)), fingerprint(portFinding(8080)));
    const [counted] = releaseTemplates('IST0175').slice(-1);
    assert.ok(counted);
    const jwks = (names: readonly string[]) => finding('IST0175', 'Warning', '', goFormat(counted.template, [String(names.length), names.join(', ')]));
    assert.equal(fingerprint(jwks(['shop/jwt'])), fingerprint(jwks(['shop/jwt', 'pay/jwt'])));
  });

  it('treats a finding about a Pod as one about its workload, and leaves names without a generated suffix alone', () => {
    const pod = (name: string) => finding('IST0103', 'Warning', `Pod shop/${name}`, `The pod ${name} is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.`);
    assert.equal(fingerprint(pod('cart-5f7c9d8b6c-h8x2m')), fingerprint(pod('cart-5f7c9d8b6c-w7k4p')));
    assert.equal(fingerprint(pod('node-agent-x7k2p')), fingerprint(pod('node-agent-q9z4w')));
    assert.notEqual(fingerprint(pod('web-0')), fingerprint(pod('web-1')));
    assert.notEqual(fingerprint(pod('cart-5f7c9d8b6c-h8x2m')), fingerprint(pod('checkout-5f7c9d8b6c-h8x2m')));
  });

  it('ignores the order of a list istioctl builds from a Go map (IST0116 services), and still matches snapshots stored before', () => {
    const [template] = releaseTemplates('IST0116').slice(-1);
    assert.ok(template);
    const services = (names: readonly string[]) => finding('IST0116', 'Warning', 'Deployment shop/cart', goFormat(template.template, ['cart', '8080', names]));
    const ordered = services(['cart-http', 'cart-tcp']);
    const swapped = services(['cart-tcp', 'cart-http']);
    assert.equal(fingerprint(ordered), fingerprint(swapped));
    assert.notEqual(fingerprint(ordered), fingerprint(services(['cart-http', 'cart-grpc'])));
    // What a release before list sorting stored for the swapped message: the message itself, unnormalised.
    const storedKey = createHash('sha256').update(['IST0116', '', swapped.origin, swapped.message].join('\n')).digest('hex').slice(0, 16);
    assert.equal(fingerprint(ordered), createHash('sha256').update(['IST0116', '', ordered.origin, ordered.message].join('\n')).digest('hex').slice(0, 16), 'a list already in order keys as before');
    const snapshot = toSnapshot([ordered]);
    const stored = { ...snapshot, entries: snapshot.entries.map(([, ...rest]) => [storedKey, ...rest] as const) };
    const diff = diffAgainstSnapshot(stored, [swapped]);
    assert.deepEqual([diff.added.length, diff.resolved.length, diff.unchanged], [0, 0, 1]);
  });

  it('tells clusters apart once `-o json` names them, and still matches snapshots stored before the cluster was read', () => {
    const east = { ...finding('IST0101', 'Error', 'VirtualService default/reviews', 'Referenced host not found: "reviews"'), cluster: 'east' };
    const west = { ...east, cluster: 'west' };
    assert.notEqual(fingerprint(east), fingerprint(west));
    // What a release that dropped the JSON cluster stored: the key of the finding without it.
    const storedKey = createHash('sha256').update(['IST0101', '', east.origin, east.message].join('\n')).digest('hex').slice(0, 16);
    const snapshot = toSnapshot([east]);
    const stored = { ...snapshot, clusters: [], entries: snapshot.entries.map(([, code, level, origin]) => [storedKey, code, level, origin, -1] as const) };
    const diff = diffAgainstSnapshot(stored, [east, west]);
    assert.deepEqual([diff.added.length, diff.resolved.length, diff.unchanged], [0, 0, 1]);
  });

  it('keys a message without volatile parts exactly as before, so stored histories stay comparable', () => {
    const stable = finding('IST0101', 'Error', 'VirtualService default/reviews', 'Referenced host not found: "reviews.default.svc.cluster.local"');
    const previousKey = createHash('sha256').update([stable.code, '', stable.origin, stable.message].join('\n')).digest('hex').slice(0, 16);
    assert.equal(fingerprint(stable), previousKey);
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

/** A large mesh: one finding per route, hosts and namespaces repeating as they do in real meshes. */
function meshFindings(count: number, originName: (i: number) => string = (i) => `checkout-route-${i}`): AnalyzeFinding[] {
  return Array.from({ length: count }, (_, i) =>
    finding(i % 7 === 0 ? 'IST0101' : 'IST0104', i % 7 === 0 ? 'Error' : 'Warning', `VirtualService team-${i % 300}/${originName(i)}`, `Referenced host not found: "checkout-${i % 500}.team-${i % 300}.svc.cluster.local"`),
  );
}

describe('analyze history at 50,000 findings (ConfigMaps of the fake API server)', () => {
  let api: FakeKubeApi;
  let store: Result<StateStore, { readonly message: string }>;
  before(async () => {
    api = await startFakeKubeApi();
    store = ok(createStateStore(api.kubeConfig().makeApiClient(CoreV1Api), 'mesh-bot', 'prod'));
  });
  after(() => api.close());
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 9, minute));

  it('stores 50,000 findings compressed, and the next analyze compares with them', async () => {
    const key = { cluster: 'prod', scope: 'all' };
    const findings = meshFindings(50_000);
    assert.deepEqual((await compareAndRecord(store, key, meshFindings(10), at(0))).errors, []);
    assert.deepEqual((await compareAndRecord(store, key, findings, at(1))).errors, []);
    const configMap = api.get('v1', 'ConfigMap', 'mesh-bot', historyRecordName('prod', 'all')) as { readonly binaryData?: Record<string, string> } | undefined;
    assert.ok(configMap?.binaryData?.['value.json.gz'], 'gzip in binaryData');

    const added = finding('IST0101', 'Error', 'VirtualService shop/new-route', 'Referenced host not found: "new.shop.svc.cluster.local"');
    const next = await compareAndRecord(store, key, [...findings.slice(1), added], at(2));
    assert.deepEqual(next.errors, []);
    assert.deepEqual(next.previous?.diff.added.map((f) => f.origin), ['VirtualService shop/new-route']);
    assert.deepEqual(next.previous?.diff.resolved.map((f) => f.origin), ['VirtualService team-0/checkout-route-0']);
    assert.equal(next.previous?.diff.unchanged, 49_999);
  });

  it('past the ConfigMap budget keeps the newest run, most severe first, and says what was not compared', async () => {
    const key = { cluster: 'prod', scope: 'namespace/huge' };
    // Long generated resource names do not compress: 50,000 of them are several MiB even gzipped.
    const findings = meshFindings(50_000, (i) => createHash('sha256').update(String(i)).digest('hex'));
    await compareAndRecord(store, key, meshFindings(10), at(0));
    const cut = await compareAndRecord(store, key, findings, at(1));
    assert.equal(cut.previous?.diff.added.length, 50_000);
    const kept = /only the (\d+) most severe of 50000 findings are kept for the next comparison \(ConfigMap size limit\); the other (\d+) will not be compared/.exec(cut.errors.join('\n'));
    assert.ok(kept, cut.errors.join('\n'));
    const stored = Number(kept[1]);
    assert.ok(stored > 7_143 && stored < 50_000, `${stored} stored: every Error and some Warnings`);

    const newError = finding('IST0101', 'Error', 'VirtualService shop/new-route', 'Referenced host not found: "new.shop.svc.cluster.local"');
    const next = await compareAndRecord(store, key, [newError, ...findings], at(2));
    // The newest run was stored (not the 10-finding one before it): nothing is "new" but the new Error.
    assert.deepEqual(next.previous?.diff.added.map((f) => f.origin), ['VirtualService shop/new-route']);
    assert.deepEqual(next.previous?.diff.resolved, []);
    assert.equal(next.previous?.diff.unchanged, stored);
    assert.equal(next.previous?.diff.notCompared, 50_000 - stored);
    assert.match(next.errors.join('\n'), new RegExp(`${50_000 - stored} findings \\(the least severe\\) not compared with the previous run`));
  });
});
