import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClustersJson, parseClustersTable } from '../../../../src/istioctl/parsers/proxy-config/clusters.ts';
import { corpus, syntheticDump } from './fixtures.ts';

describe('parseClustersJson', () => {
  it('reads the clusters of the `all` config dump like the istioctl summary shows them', () => {
    const result = parseClustersJson(corpus('all/input_config_dump.json'));
    assert.ok(result.ok);
    // v1.29+_config_dump_summary.txt: agent STATIC, inbound-vip|8000|http|httpbin… EDS, prometheus_stats STATIC.
    assert.deepEqual(
      result.value.map((c) => [c.name, c.type, c.direction, c.port, c.subset, c.fqdn]).sort(),
      [
        ['agent', 'STATIC', '', null, '', 'agent'],
        ['inbound-vip|8000|http|httpbin.default.svc.cluster.local', 'EDS', 'inbound-vip', 8000, 'http', 'httpbin.default.svc.cluster.local'],
        ['prometheus_stats', 'STATIC', '', null, '', 'prometheus_stats'],
      ],
    );
  });

  it('reads istioctl -o json (a camelCase array) and DestinationRule metadata', () => {
    const dump = JSON.parse(syntheticDump());
    const section = dump.configs.find((c: { '@type': string }) => c['@type'].endsWith('ClustersConfigDump'));
    // What `proxy-config clusters -o json` prints: the bare Cluster objects, re-marshalled with protojson names.
    const array = [...section.dynamic_active_clusters, ...section.static_clusters].map((c: { cluster: unknown }) =>
      JSON.parse(JSON.stringify(c.cluster).replaceAll('"filter_metadata"', '"filterMetadata"')),
    );
    const result = parseClustersJson(JSON.stringify(array, null, 4));
    assert.ok(result.ok);
    assert.equal(result.value.length, 16);
    const v2 = result.value.find((c) => c.name === 'outbound|9080|v2|reviews.default.svc.cluster.local');
    assert.deepEqual(v2?.destinationRule, { kind: 'DestinationRule', namespace: 'default', name: 'reviews', display: 'reviews.default' });
    assert.equal(result.value.find((c) => c.name === 'BlackHoleCluster')?.type, 'STATIC');
  });

  it('fails on JSON that holds no clusters', () => {
    assert.equal(parseClustersJson('{"configs":[]}').ok, false);
    assert.equal(parseClustersJson('[{"nom":"x"}]').ok, false);
    assert.equal(parseClustersJson('not json').ok, false);
  });
});

describe('parseClustersTable', () => {
  it('reads the istio.io cluster table', () => {
    const result = parseClustersTable(corpus('docs-examples/istio.io_pc-cluster_example.txt'));
    assert.ok(result.ok);
    assert.equal(result.value.length, 22);
    const details = result.value.find((c) => c.fqdn === 'details.default.svc.cluster.local');
    assert.deepEqual(
      [details?.port, details?.direction, details?.type, details?.destinationRule?.display],
      [9080, 'outbound', 'EDS', 'details.default'],
    );
    assert.equal(details?.name, 'outbound|9080||details.default.svc.cluster.local');
    const xds = result.value.find((c) => c.fqdn === 'xds-grpc');
    assert.deepEqual([xds?.name, xds?.port, xds?.direction, xds?.type], ['xds-grpc', null, '', 'STRICT_DNS']);
    assert.equal(result.value.filter((c) => c.type === 'EDS').length, 16);
  });

  it('reads the cluster section of the `all` summary with its cluster/ names', () => {
    const text = corpus('all/v1.29+_config_dump_summary.txt').split('\n\n')[1] ?? '';
    const result = parseClustersTable(text);
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.map((c) => [c.name, c.fqdn, c.port, c.subset, c.direction, c.type]),
      [
        ['agent', 'agent', null, '', '', 'STATIC'],
        ['inbound-vip|8000|http|httpbin.default.svc.cluster.local', 'httpbin.default.svc.cluster.local', 8000, 'http', 'inbound-vip', 'EDS'],
        ['prometheus_stats', 'prometheus_stats', null, '', '', 'STATIC'],
      ],
    );
  });
});
