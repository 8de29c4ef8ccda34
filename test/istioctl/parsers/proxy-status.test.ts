import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseProxyStatus, splitJsonDocuments } from '../../../src/istioctl/parsers/proxy-status.ts';
import type { ProxyStatusReport, ProxyStatusRow } from '../../../src/istioctl/types.ts';

const corpus = (path: string): string =>
  readFileSync(new URL(`../../fixtures/istioctl/proxy-status/${path}`, import.meta.url), 'utf8');
const extra = (path: string): string => readFileSync(new URL(`../../fixtures/istioctl-extra/${path}`, import.meta.url), 'utf8');

function mustParse(stdout: string): ProxyStatusReport {
  const result = parseProxyStatus(stdout);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value;
}

function failureOf(stdout: string): string {
  const result = parseProxyStatus(stdout);
  assert.equal(result.ok, false, 'expected a parse failure');
  return result.ok ? '' : result.error.message;
}

function proxy(report: ProxyStatusReport, name: string): ProxyStatusRow {
  const row = report.proxies.find((candidate) => candidate.name === name);
  assert.ok(row, `no proxy named ${name}`);
  return row;
}

const ALL = (state: string) => ({ CDS: state, LDS: state, EDS: state, RDS: state, ECDS: state });

describe('parseProxyStatus: 1.20-1.21 default ps (syncz table)', () => {
  it('reads four proxies on four istiods with Never Acknowledged and IGNORED states', () => {
    const report = mustParse(corpus('v1.20-1.21_default-ps_syncz/multiStatusMultiPilot.txt'));
    assert.equal(report.format, 'syncz-table');
    assert.deepEqual(
      report.proxies.map((row) => [row.name, row.cluster, row.istiod, row.version]),
      [
        ['proxy1', 'cluster1', 'istiod1', '1.1'],
        ['proxy2', 'cluster2', 'istiod2', '1.1'],
        ['proxy3', 'cluster3', 'istiod3', '1.1'],
        ['proxy4', 'cluster4', 'istiod4', '1.1'],
      ],
    );
    assert.deepEqual(report.istiods, [
      { id: 'istiod1', version: '' },
      { id: 'istiod2', version: '' },
      { id: 'istiod3', version: '' },
      { id: 'istiod4', version: '' },
    ]);
    assert.deepEqual(proxy(report, 'proxy1').states, { CDS: 'STALE', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'NOT SENT', ECDS: 'NOT SENT' });
    assert.deepEqual(proxy(report, 'proxy2').states, { CDS: 'STALE', LDS: 'SYNCED', EDS: 'STALE', RDS: 'SYNCED', ECDS: 'NOT SENT' });
    const proxy3 = proxy(report, 'proxy3');
    assert.deepEqual(proxy3.states, { CDS: 'STALE', LDS: 'NOT SENT', EDS: 'STALE', RDS: 'SYNCED', ECDS: 'NOT SENT' });
    assert.equal(proxy3.rawStates.CDS, 'STALE (Never Acknowledged)');
    assert.equal(proxy3.rawStates.EDS, 'STALE (Never Acknowledged)');
    assert.deepEqual(proxy(report, 'proxy4').states, ALL('IGNORED'));
    assert.equal(proxy3.subscribedTypes, undefined);
  });

  it('reads two proxies on a single istiod', () => {
    const report = mustParse(corpus('v1.20-1.21_default-ps_syncz/multiStatusSinglePilot.txt'));
    assert.deepEqual(
      report.proxies.map((row) => row.name),
      ['proxy1', 'proxy2'],
    );
    assert.deepEqual(report.istiods, [{ id: 'istiod1', version: '' }]);
    assert.deepEqual(proxy(report, 'proxy2').states, { CDS: 'STALE', LDS: 'SYNCED', EDS: 'STALE', RDS: 'SYNCED', ECDS: 'NOT SENT' });
  });

  it('reads the single-proxy form', () => {
    const report = mustParse(corpus('v1.20-1.21_default-ps_syncz/singleStatus.txt'));
    assert.equal(report.proxies.length, 1);
    const row = proxy(report, 'proxy2');
    assert.equal(row.cluster, 'cluster2');
    assert.equal(row.istiod, 'istiod2');
    assert.equal(row.version, '1.1');
    assert.deepEqual(row.states, { CDS: 'STALE', LDS: 'SYNCED', EDS: 'STALE', RDS: 'SYNCED', ECDS: 'NOT SENT' });
  });

  it('keeps the proxy-version fallback with its star and recognises the syncz writer by it', () => {
    const report = mustParse(corpus('v1.20-1.21_default-ps_syncz/singleStatusFallback.txt'));
    assert.equal(report.format, 'syncz-table');
    assert.equal(proxy(report, 'proxy2').version, '1.1*');
  });
});

describe('parseProxyStatus: xDS tables (1.20-1.21 x ps, 1.22-1.26 ps)', () => {
  it('normalizes the 1.20-1.21 enum spelling NOT_SENT and keeps it raw', () => {
    const report = mustParse(corpus('v1.20-1.21_x-ps_xds/multiXdsStatusSinglePilot.txt'));
    assert.equal(report.format, 'xds-table');
    const row = proxy(report, 'proxy1');
    assert.deepEqual(row.states, { CDS: 'STALE', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'NOT SENT', ECDS: 'NOT SENT' });
    assert.equal(row.rawStates.RDS, 'NOT_SENT');
    assert.equal(row.version, '1.20');
    assert.deepEqual(proxy(report, 'proxy2').states, { CDS: 'STALE', LDS: 'SYNCED', EDS: 'STALE', RDS: 'SYNCED', ECDS: 'NOT SENT' });
  });

  it('reads ERROR and IGNORED from four istiods in 1.20-1.21 x ps output without a final newline', () => {
    const report = mustParse(corpus('v1.20-1.21_x-ps_xds/multiXdsStatusMultiPilot.txt'));
    assert.equal(report.proxies.length, 4);
    assert.equal(report.istiods.length, 4);
    assert.deepEqual(proxy(report, 'proxy3').states, { CDS: 'NOT SENT', LDS: 'ERROR', EDS: 'STALE', RDS: 'NOT SENT', ECDS: 'NOT SENT' });
    assert.deepEqual(proxy(report, 'proxy4').states, ALL('IGNORED'));
    assert.equal(proxy(report, 'proxy2').version, '1.19');
    assert.equal(proxy(report, 'proxy4').version, '1.20');
  });

  it('reads the 1.22-1.26 single-istiod table with NOT SENT spelled with a space', () => {
    const report = mustParse(corpus('v1.22-1.26/multiXdsStatusSinglePilot.txt'));
    assert.equal(report.format, 'xds-table');
    assert.deepEqual(
      report.proxies.map((row) => [row.name, row.cluster, row.istiod, row.version]),
      [
        ['proxy1', 'cluster1', 'istiod1', '1.20'],
        ['proxy2', 'cluster2', 'istiod1', '1.20'],
      ],
    );
    assert.equal(proxy(report, 'proxy1').rawStates.RDS, 'NOT SENT');
    assert.deepEqual(proxy(report, 'proxy1').states, { CDS: 'STALE', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'NOT SENT', ECDS: 'NOT SENT' });
  });

  it('reads the 1.22-1.26 four-istiod table', () => {
    const report = mustParse(corpus('v1.22-1.26/multiXdsStatusMultiPilot.txt'));
    assert.deepEqual(
      report.istiods.map((istiod) => istiod.id),
      ['istiod1', 'istiod2', 'istiod3', 'istiod4'],
    );
    assert.deepEqual(proxy(report, 'proxy1').states, { CDS: 'STALE', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'NOT SENT', ECDS: 'SYNCED' });
    assert.deepEqual(proxy(report, 'proxy2').states, { CDS: 'STALE', LDS: 'SYNCED', EDS: 'STALE', RDS: 'SYNCED', ECDS: 'STALE' });
    assert.deepEqual(proxy(report, 'proxy3').states, { CDS: 'NOT SENT', LDS: 'ERROR', EDS: 'STALE', RDS: 'NOT SENT', ECDS: 'NOT SENT' });
    assert.deepEqual(proxy(report, 'proxy4').states, ALL('IGNORED'));
  });

  it('strips the 1.23+ age suffix from states, keeps it raw, and reads multi-cluster rows', () => {
    const report = mustParse(extra('v1.23-1.26_age-suffix_multicluster.txt'));
    assert.equal(report.format, 'xds-table');
    assert.equal(report.proxies.length, 4);
    const details = proxy(report, 'details-v1-7d4d9d5fcb-2mdwz.bookinfo');
    assert.equal(details.namespace, 'bookinfo');
    assert.equal(details.cluster, 'eu-west-1');
    assert.deepEqual(details.states, { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' });
    assert.deepEqual(details.rawStates, { CDS: 'SYNCED (2m3s)', LDS: 'SYNCED (2m3s)', EDS: 'SYNCED (45s)', RDS: 'SYNCED (2m3s)' });
    const gateway = proxy(report, 'istio-ingressgateway-b6cd68585-8mnj7.istio-system');
    assert.equal(gateway.namespace, 'istio-system');
    assert.equal(gateway.rawStates.CDS, 'SYNCED (3h2m)');
    assert.equal(gateway.states.RDS, 'NOT SENT');
    const productpage = proxy(report, 'productpage-v1-5fb5d4c744-w5nxx.bookinfo');
    assert.equal(productpage.states.CDS, 'STALE');
    assert.equal(productpage.rawStates.CDS, 'STALE (45s)');
    assert.equal(productpage.cluster, 'us-east-1');
    const ratings = proxy(report, 'ratings-v1-6484c4d9bb-kqj5v.bookinfo');
    assert.equal(ratings.states.LDS, 'ERROR');
    assert.equal(ratings.version, '');
    assert.equal(ratings.istiod, 'istiod-6c9b8f7d5-x2k4p');
    assert.deepEqual(report.istiods, [
      { id: 'istiod-7d4f74889d-mb5dh', version: '' },
      { id: 'istiod-6c9b8f7d5-x2k4p', version: '' },
    ]);
  });
});

describe('parseProxyStatus: 1.27+ tables', () => {
  it('reads the default SUBSCRIBED TYPES table with no per-type states', () => {
    const report = mustParse(corpus('v1.27-1.29/multiXdsStatusSinglePilot.txt'));
    assert.equal(report.format, 'subscribed-types-table');
    assert.deepEqual(
      report.proxies.map((row) => [row.name, row.cluster, row.istiod, row.version]),
      [
        ['proxy1', 'cluster1', 'istiod1', '1.20'],
        ['proxy2', 'cluster2', 'istiod1', '1.20'],
      ],
    );
    for (const row of report.proxies) {
      assert.deepEqual(row.states, {});
      assert.deepEqual(row.subscribedTypes, ['CDS', 'LDS', 'EDS', 'RDS', 'ECDS']);
    }
  });

  it('reads a proxy subscribed to nothing as an empty list', () => {
    const report = mustParse(corpus('v1.27-1.29/multiXdsStatusMultiPilot.txt'));
    assert.equal(report.proxies.length, 4);
    assert.equal(report.istiods.length, 4);
    assert.deepEqual(proxy(report, 'proxy4').subscribedTypes, []);
    assert.equal(proxy(report, 'proxy2').version, '1.19');
    assert.deepEqual(proxy(report, 'proxy3').subscribedTypes, ['CDS', 'LDS', 'EDS', 'RDS', 'ECDS']);
  });

  it('reads the --verbosity 1 table whose type columns are sorted CDS ECDS EDS LDS RDS', () => {
    const report = mustParse(corpus('v1.27-1.29/multiXdsStatusMultiPilot_verbose.txt'));
    assert.equal(report.format, 'xds-table');
    assert.equal(report.proxies.length, 1);
    const row = proxy(report, 'proxy1');
    assert.deepEqual(row.states, { CDS: 'STALE', ECDS: 'SYNCED', EDS: 'SYNCED', LDS: 'SYNCED', RDS: 'NOT SENT' });
    assert.equal(row.cluster, 'cluster1');
    assert.equal(row.istiod, 'istiod1');
    assert.equal(row.version, '1.20');
  });
});

describe('parseProxyStatus: 1.30+ structured output', () => {
  it('reads -o json: node id, metadata, control-plane identifier with version, type URLs as short names', () => {
    const report = mustParse(corpus('v1.30+_output-json-yaml/multiXdsStatusSinglePilot.json'));
    assert.equal(report.format, 'json');
    assert.deepEqual(report.istiods, [{ id: 'istiod1', version: '1.1' }]);
    assert.equal(report.proxies.length, 1);
    const row = proxy(report, 'proxy1');
    assert.equal(row.cluster, 'cluster1');
    assert.equal(row.version, '1.20');
    assert.equal(row.istiod, 'istiod1');
    assert.equal(row.namespace, '');
    assert.deepEqual(row.states, { CDS: 'STALE', LDS: 'SYNCED', RDS: 'NOT SENT', EDS: 'SYNCED', ECDS: 'SYNCED' });
    assert.equal(row.rawStates.RDS, 'NOT_SENT');
  });

  it('reads -o yaml as the same data', () => {
    const report = mustParse(corpus('v1.30+_output-json-yaml/multiXdsStatusSinglePilot.yaml'));
    assert.equal(report.format, 'json');
    assert.deepEqual(report.istiods, [{ id: 'istiod1', version: '1.1' }]);
    const row = proxy(report, 'proxy1');
    assert.equal(row.cluster, 'cluster1');
    assert.equal(row.version, '1.20');
    assert.deepEqual(row.states, { CDS: 'STALE', LDS: 'SYNCED', RDS: 'NOT SENT', EDS: 'SYNCED', ECDS: 'SYNCED' });
  });

  it('takes the namespace from NAMESPACE metadata when present', () => {
    const report = mustParse(corpus('v1.30+_output-json-yaml/multiXdsStatusSingleNamespace.yaml'));
    assert.equal(report.proxies.length, 1);
    assert.equal(proxy(report, 'proxy1').namespace, 'foo');
  });

  it('reads one document per istiod, UNKNOWN as IGNORED, missing metadata, unknown type URLs and a response without resources', () => {
    const report = mustParse(extra('v1.30+_output-json_multi-istiod.json'));
    assert.deepEqual(report.istiods, [
      { id: 'istiod-7d4f74889d-mb5dh', version: '1.30.1' },
      { id: 'istiod-7d4f74889d-zr5tq', version: '1.30.1' },
      { id: 'istiod-canary-5c8d7f9b6-hw2lp', version: '1.30.2' },
    ]);
    assert.equal(report.proxies.length, 3);

    const reviews = proxy(report, 'reviews-v2-5b667bcbf8-xh4k2.bookinfo');
    assert.equal(reviews.namespace, 'bookinfo');
    assert.equal(reviews.cluster, 'Kubernetes');
    assert.equal(reviews.version, '1.30.1');
    assert.equal(reviews.istiod, 'istiod-7d4f74889d-mb5dh');
    assert.deepEqual(reviews.states, { CDS: 'SYNCED', LDS: 'SYNCED', RDS: 'SYNCED', EDS: 'STALE', ECDS: 'NOT SENT' });

    const sleep = proxy(report, 'sleep-6f8cfb8c8f-q9vq2.legacy');
    assert.equal(sleep.namespace, 'legacy');
    assert.equal(sleep.version, '1.29.3');
    assert.deepEqual(sleep.states, { CDS: 'ERROR', LDS: 'SYNCED', RDS: 'SYNCED', EDS: 'SYNCED', ECDS: 'IGNORED' });
    assert.equal(sleep.rawStates.ECDS, 'UNKNOWN');

    const ztunnel = proxy(report, 'ztunnel-8xq7n.istio-system');
    assert.equal(ztunnel.istiod, 'istiod-7d4f74889d-zr5tq');
    assert.equal(ztunnel.version, '');
    // istioctl's own short name for istio.workload.Address (pkg/model/xds.go GetShortType), as its tables print it.
    assert.deepEqual(ztunnel.states, { WDS: 'SYNCED' });
  });

  it('reads compact documents written back to back on one line', () => {
    const identifier = (id: string) => JSON.stringify({ Component: 'istiod', ID: id, Info: { version: '1.30.0' } });
    const stdout = `${JSON.stringify({ controlPlane: { identifier: identifier('istiod-a') } })}${JSON.stringify({ controlPlane: { identifier: identifier('istiod-b') } })}`;
    assert.deepEqual(mustParse(stdout).istiods, [
      { id: 'istiod-a', version: '1.30.0' },
      { id: 'istiod-b', version: '1.30.0' },
    ]);
  });

  it('reports which indented document is invalid', () => {
    assert.match(failureOf('{\n    "versionInfo": "1"\n}\n{\n    "versionInfo": \n}\n'), /JSON document 2/);
  });

  it('treats a document without resources as no proxies', () => {
    const report = mustParse('{"versionInfo":"1.30.0","typeUrl":"type.googleapis.com/envoy.service.status.v3.ClientConfig"}');
    assert.deepEqual(report.proxies, []);
    assert.deepEqual(report.istiods, []);
  });

  it('rejects a JSON object that is not a DiscoveryResponse', () => {
    assert.match(failureOf('{"kind":"Status","message":"forbidden"}'), /not a DiscoveryResponse/);
  });

  it('rejects an unknown configStatus with a message naming it', () => {
    const doc = {
      resources: [
        {
          '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
          node: { id: 'p.ns' },
          genericXdsConfigs: [{ typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', configStatus: 'WEIRD' }],
        },
      ],
    };
    assert.match(failureOf(JSON.stringify(doc)), /WEIRD/);
  });

  it('rejects truncated JSON', () => {
    assert.match(failureOf('{"resources": [{"@type": "x"'), /truncated/);
  });

  it('names the malformed field of a ClientConfig, and reads one with unknown extra fields', () => {
    const clientConfig = (fields: Record<string, unknown>) => JSON.stringify({ resources: [{ '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig', ...fields }] });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ node: null }, /malformed: ✖ Invalid input: expected object, received null\n {2}→ at node$/],
      [{ node: { id: 7 } }, /malformed: ✖ Invalid input: expected string, received number\n {2}→ at node\.id$/],
      [{ node: { id: 'p.ns', metadata: ['x'] } }, /malformed: ✖ Invalid input: expected record, received array\n {2}→ at node\.metadata$/],
      [{ node: { id: 'p.ns' }, genericXdsConfigs: {} }, /malformed: ✖ Invalid input: expected array, received object\n {2}→ at genericXdsConfigs$/],
      [{ node: { id: 'p.ns' }, genericXdsConfigs: ['SYNCED'] }, /→ at genericXdsConfigs\[0\]$/],
      [{ node: { id: 'p.ns' }, genericXdsConfigs: [{ typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', configStatus: 1 }] }, /→ at genericXdsConfigs\[0\]\.configStatus$/],
      [{ node: { id: 'p.ns' }, genericXdsConfigs: [{ typeUrl: false }] }, /→ at genericXdsConfigs\[0\]\.typeUrl$/],
      [{ node: {} }, /has no node id/],
    ];
    for (const [fields, expected] of cases) assert.match(failureOf(clientConfig(fields)), expected, JSON.stringify(fields));
    const extra = mustParse(clientConfig({ node: { id: 'p.ns', metadata: { NAMESPACE: 'shop', OTHER: [1] }, locality: {} }, genericXdsConfigs: [{ typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', configStatus: 'SYNCED', extra: 1 }], unknown: true }));
    assert.deepEqual(extra.proxies.map((row) => [row.name, row.namespace, row.states]), [['p.ns', 'shop', { CDS: 'SYNCED' }]]);
  });
});

describe('parseProxyStatus: empty meshes', () => {
  it('reads the 1.27.1+ header-only table as zero proxies', () => {
    const report = mustParse(corpus('empty-and-errors/v1.27.1+_no-proxies_stdout.txt'));
    assert.equal(report.format, 'subscribed-types-table');
    assert.deepEqual(report.proxies, []);
    assert.deepEqual(report.istiods, []);
  });

  it('reads the 1.21-1.26 header line as zero proxies', () => {
    const report = mustParse(corpus('empty-and-errors/v1.21-1.26_header-prefix_from-test.txt'));
    assert.deepEqual(report.proxies, []);
  });

  it('reads the 1.30+ empty DiscoveryResponse ({ blank line }) as zero proxies', () => {
    const report = mustParse(corpus('empty-and-errors/v1.30+_output-json_no-proxies_stdout.txt'));
    assert.equal(report.format, 'json');
    assert.deepEqual(report.proxies, []);
    assert.deepEqual(mustParse('{}').proxies, []);
  });

  it('reads completely empty stdout (1.20-1.21 x ps) as the empty format', () => {
    assert.deepEqual(mustParse(''), { format: 'empty', proxies: [], istiods: [] });
    assert.deepEqual(mustParse('\n'), { format: 'empty', proxies: [], istiods: [] });
  });

  it('does not mistake error text on stdout for output', () => {
    for (const file of ['empty-and-errors/v1.22+_no-istiod_stderr.txt', 'empty-and-errors/v1.27.0_no-proxies_stderr.txt']) {
      assert.match(failureOf(corpus(file)), /NAME/);
    }
  });
});

describe('parseProxyStatus: unusual tables', () => {
  it('treats an unknown extra column as one more xDS type', () => {
    const stdout = [
      'NAME              CLUSTER      CDS        WDS        ISTIOD      VERSION',
      'ztunnel-x.kube    cluster1     SYNCED     STALE      istiod1     1.31',
      '',
    ].join('\n');
    const row = proxy(mustParse(stdout), 'ztunnel-x.kube');
    assert.deepEqual(row.states, { CDS: 'SYNCED', WDS: 'STALE' });
    assert.equal(row.namespace, 'kube');
  });

  it('fails with a clear message when the header has no NAME column', () => {
    assert.match(failureOf('POD       STATUS\nproxy1    SYNCED\n'), /no NAME column/);
  });

  it('fails on an unknown state naming the proxy and the column', () => {
    const message = failureOf('NAME       CDS\nproxy1     MAYBE\n');
    assert.match(message, /MAYBE/);
    assert.match(message, /proxy1/);
    assert.match(message, /CDS/);
  });

  it('uses the part after the last dot of the name as the namespace', () => {
    const row = proxy(mustParse('NAME                CDS\nrouter.a.b.team     SYNCED\n'), 'router.a.b.team');
    assert.equal(row.namespace, 'team');
  });

  it('parses a generated 50,000-proxy 1.22-style table with the right counts', () => {
    const header = 'NAME                        CLUSTER      CDS          LDS          EDS          RDS          ECDS         ISTIOD      VERSION';
    const lines = [header];
    const cell = (text: string) => text.padEnd(13);
    for (let i = 0; i < 50_000; i++) {
      const name = `app-${String(i).padStart(6, '0')}.ns${i % 7}`.padEnd(28);
      const cds = i % 10 === 0 ? 'STALE' : 'SYNCED';
      const lds = i % 25 === 0 ? 'ERROR' : 'SYNCED';
      lines.push(`${name}${`cluster${i % 3}`.padEnd(13)}${cell(cds)}${cell(lds)}${cell('SYNCED')}${cell('NOT SENT')}${cell('NOT SENT')}${`istiod${i % 4}`.padEnd(12)}1.22.1`);
    }
    const report = mustParse(`${lines.join('\n')}\n`);
    assert.equal(report.proxies.length, 50_000);
    assert.equal(report.proxies.filter((row) => row.states.CDS === 'STALE').length, 5_000);
    assert.equal(report.proxies.filter((row) => row.states.LDS === 'ERROR').length, 2_000);
    assert.equal(report.proxies.filter((row) => row.states.RDS === 'NOT SENT').length, 50_000);
    assert.equal(report.proxies.filter((row) => row.namespace === 'ns0').length, 7_143);
    assert.equal(report.istiods.length, 4);
  });
});

describe('splitJsonDocuments', () => {
  it('splits back-to-back documents and ignores braces inside strings and escapes', () => {
    const result = splitJsonDocuments('{"a":"}{\\"x\\""}\n{"b":[1,{"c":"\\\\"}]}{}');
    assert.ok(result.ok);
    assert.deepEqual(result.value, ['{"a":"}{\\"x\\""}', '{"b":[1,{"c":"\\\\"}]}', '{}']);
    assert.deepEqual(result.value.map((text) => JSON.parse(text) as unknown), [{ a: '}{"x"' }, { b: [1, { c: '\\' }] }, {}]);
  });

  it('rejects text between documents', () => {
    assert.equal(splitJsonDocuments('{} garbage {}').ok, false);
  });
});
