import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAnalyzeJson, parseAnalyzeLog, parseOrigin } from '../../../src/istioctl/parsers/analyze.ts';

const fixture = (path: string): string =>
  readFileSync(new URL(`../../fixtures/istioctl/analyze/${path}`, import.meta.url), 'utf8');

const GOLDEN = [
  { code: 'B1', level: 'Error', message: 'Explosion accident: the bubble is too big', origin: 'SoapBubble' },
  { code: 'C1', level: 'Warning', message: 'Collapse danger: the castle is too old', origin: 'GrandCastle' },
];

describe('parseAnalyzeJson', () => {
  it('reads every finding of the tab-indented JSON array', () => {
    const result = parseAnalyzeJson(fixture('formatter-golden/json.json'));
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.map(({ code, level, message, origin }) => ({ code, level, message, origin })),
      GOLDEN,
    );
    assert.equal(result.value[0]?.documentationUrl, 'https://istio.io/v1.28/docs/reference/config/analysis/b1/');
    assert.equal(result.value[1]?.documentationUrl, 'https://istio.io/v1.28/docs/reference/config/analysis/c1/');
    // Test origins are single words, not Kubernetes objects.
    assert.equal(result.value[0]?.resource, null);
  });

  it('treats the empty array as "no findings"', () => {
    const result = parseAnalyzeJson(fixture('formatter-golden/empty_json.json'));
    assert.deepEqual(result, { ok: true, value: [] });
  });

  it('keeps reference and parses the resource of a real finding', () => {
    const stdout = JSON.stringify(
      [
        {
          code: 'IST0101',
          documentationUrl: 'https://istio.io/v1.28/docs/reference/config/analysis/ist0101/?ref=istioctl-analyze',
          level: 'Error',
          message: 'Referenced selector not found: "istio=ingressgateway"',
          origin: 'Gateway default/bookinfo-gateway',
          reference: 'samples/bookinfo/networking/bookinfo-gateway.yaml:9',
        },
      ],
      null,
      '\t',
    );
    const result = parseAnalyzeJson(stdout);
    assert.ok(result.ok);
    assert.deepEqual(result.value[0]?.resource, { kind: 'Gateway', namespace: 'default', name: 'bookinfo-gateway' });
    assert.equal(result.value[0]?.reference, 'samples/bookinfo/networking/bookinfo-gateway.yaml:9');
  });

  it('rejects output that is not the analyze JSON array', () => {
    for (const bad of ['', 'Error [IST0101] (x) y', '{"code":"IST0101"}', '[{"code":"IST0101","level":"Fatal","message":"m"}]']) {
      const result = parseAnalyzeJson(bad);
      assert.equal(result.ok, false, bad);
      if (!result.ok) assert.equal(result.error.kind, 'parse');
    }
  });
});

describe('parseAnalyzeLog', () => {
  it('reads the plain and the coloured log form identically', () => {
    for (const file of ['formatter-golden/log.txt', 'formatter-golden/log_color.txt']) {
      const result = parseAnalyzeLog(fixture(file));
      assert.ok(result.ok, file);
      assert.deepEqual(
        result.value.map(({ code, level, message, origin }) => ({ code, level, message, origin })),
        GOLDEN,
        file,
      );
      assert.equal(result.value[0]?.cluster, undefined);
    }
  });

  it('reads the cluster of multi-cluster findings', () => {
    const result = parseAnalyzeLog(fixture('formatter-golden/log_color_multicluster.txt'));
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.map((f) => [f.code, f.cluster, f.origin]),
      [
        ['B1', 'default', 'SoapBubble'],
        ['C1', 'another', 'GrandCastle'],
      ],
    );
  });

  it('treats the empty log body as "no findings"', () => {
    assert.deepEqual(parseAnalyzeLog(fixture('formatter-golden/empty_log.txt')), { ok: true, value: [] });
  });

  it('reads every analyze example of the istio.io docs, file references included', () => {
    // The docs file interleaves `###` annotations and one kubectl example; split it into its command outputs.
    const sections = fixture('docs-examples/istio.io_istioctl-analyze_outputs.txt')
      .split(/^### /m)
      .filter((s) => s.includes('istioctl analyze'))
      .map((s) => s.slice(s.indexOf('\n') + 1));
    const results = sections.map((s) => parseAnalyzeLog(s));
    for (const r of results) assert.ok(r.ok);
    const all = results.flatMap((r) => (r.ok ? r.value : []));
    assert.equal(all.length, 8);

    const namespaceInfo = all[0];
    assert.equal(namespaceInfo?.code, 'IST0102');
    assert.equal(namespaceInfo?.level, 'Info');
    assert.equal(namespaceInfo?.origin, 'Namespace default');
    assert.deepEqual(namespaceInfo?.resource, { kind: 'Namespace', name: 'default' });

    const gateway = all[1];
    assert.equal(gateway?.level, 'Error');
    assert.equal(gateway?.code, 'IST0101');
    assert.equal(gateway?.origin, 'Gateway default/bookinfo-gateway');
    assert.equal(gateway?.reference, 'samples/bookinfo/networking/bookinfo-gateway.yaml:9');
    assert.equal(gateway?.message, 'Referenced selector not found: "istio=ingressgateway"');

    const destinationRules = all.filter((f) => f.code === 'IST0174');
    assert.deepEqual(
      destinationRules.map((f) => [f.level, f.resource?.name, f.reference]),
      [
        ['Warning', 'details', 'samples/bookinfo/networking/destination-rule-all.yaml:49'],
        ['Warning', 'productpage', 'samples/bookinfo/networking/destination-rule-all.yaml:1'],
        ['Warning', 'ratings', 'samples/bookinfo/networking/destination-rule-all.yaml:29'],
        ['Warning', 'reviews', 'samples/bookinfo/networking/destination-rule-all.yaml:12'],
      ],
    );
    assert.equal(all[7]?.origin, 'Namespace frod');
  });

  it('appends continuation lines to the previous finding', () => {
    const result = parseAnalyzeLog('Error [IST0106] (VirtualService default/x) Schema validation error: a\nsecond line\n');
    assert.ok(result.ok);
    assert.equal(result.value[0]?.message, 'Schema validation error: a\nsecond line');
  });

  it('reads a finding without a resource', () => {
    const result = parseAnalyzeLog('Error [IST0001]  Internal error: boom');
    assert.ok(result.ok);
    assert.deepEqual(
      [result.value[0]?.origin, result.value[0]?.resource, result.value[0]?.message],
      ['', null, 'Internal error: boom'],
    );
  });

  it('refuses text that starts with something other than a finding', () => {
    const result = parseAnalyzeLog('NAME  CLUSTER\nfoo  bar\n');
    assert.equal(result.ok, false);
  });
});

describe('parseOrigin', () => {
  it('splits namespaced and cluster-scoped friendly names', () => {
    assert.deepEqual(parseOrigin('VirtualService default/reviews'), {
      kind: 'VirtualService',
      namespace: 'default',
      name: 'reviews',
    });
    assert.deepEqual(parseOrigin('Pod default/details-v1-xyz'), { kind: 'Pod', namespace: 'default', name: 'details-v1-xyz' });
    assert.deepEqual(parseOrigin('Namespace default'), { kind: 'Namespace', name: 'default' });
    assert.equal(parseOrigin('Cluster'), null);
  });
});
