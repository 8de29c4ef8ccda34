import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEndpointsJson, parseEndpointsTable } from '../../../../src/istioctl/parsers/proxy-config/endpoints.ts';
import type { EndpointInfo } from '../../../../src/istioctl/parsers/proxy-config/endpoints.ts';
import { corpus, syntheticDump } from './fixtures.ts';

const triples = (endpoints: readonly EndpointInfo[]): string[] =>
  endpoints.map((e) => `${e.address} ${e.status} ${e.cluster} ${e.locality}`).sort();

describe('parseEndpointsJson', () => {
  for (const name of ['emptyfilter', 'portfilter']) {
    it(`reads the eds -o json array exactly as istioctl tabulates it (${name})`, () => {
      const json = parseEndpointsJson(corpus(`eds/${name}_output.json`));
      const table = parseEndpointsTable(corpus(`eds/${name}_output.txt`));
      assert.ok(json.ok && table.ok);
      assert.deepEqual(triples(json.value), triples(table.value));
    });
  }

  it('reads the EndpointsConfigDump of a config dump (internal and pipe addresses too)', () => {
    const fromDump = parseEndpointsJson(corpus('eds/input_configdump.json'));
    const table = parseEndpointsTable(corpus('eds/emptyfilter_output.txt'));
    assert.ok(fromDump.ok && table.ok);
    assert.equal(fromDump.value.length, 36);
    assert.deepEqual(triples(fromDump.value), triples(table.value));
    assert.ok(fromDump.value.some((e) => e.address === './var/run/secrets/workload-spiffe-uds/socket' && e.cluster === 'sds-grpc'));

    const all = parseEndpointsJson(corpus('all/input_config_dump.json'));
    assert.ok(all.ok);
    assert.ok(all.value.some((e) => e.address === 'envoy://connect_originate/192.168.195.248:800'));
  });

  it('reads every health status and treats a missing one as UNKNOWN', () => {
    const result = parseEndpointsJson(syntheticDump());
    assert.ok(result.ok);
    assert.deepEqual(
      [...new Set(result.value.map((e) => e.status))].sort(),
      ['DEGRADED', 'DRAINING', 'HEALTHY', 'TIMEOUT', 'UNHEALTHY', 'UNKNOWN'],
    );
    const ratings = result.value.find((e) => e.cluster === 'outbound|9080||ratings.default.svc.cluster.local');
    assert.deepEqual([ratings?.status, ratings?.locality], ['UNKNOWN', 'us-east1/us-east1-b']);
  });
});

describe('parseEndpointsTable', () => {
  it('reads the /clusters-based endpoints table with its outlier column', () => {
    const result = parseEndpointsTable(corpus('docs-examples/istio.io_pc-endpoints_example.txt'));
    assert.ok(result.ok);
    assert.deepEqual(result.value[0], {
      address: '172.17.0.7:9080',
      status: 'HEALTHY',
      cluster: 'outbound|9080||reviews.default.svc.cluster.local',
      locality: '',
      outlierCheck: 'OK',
    });
    assert.equal(result.value.length, 3);
  });

  it('strips the endpoint/ prefix of the `all` summary', () => {
    const text = corpus('all/v1.29+_config_dump_summary.txt').split('\n\n')[5] ?? '';
    const result = parseEndpointsTable(text);
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.map((e) => [e.address, e.status, e.cluster]),
      [
        ['envoy://connect_originate/192.168.195.248:800', 'HEALTHY', 'inbound-vip|8100|http|httpbin.default.svc.cluster.local'],
        ['127.0.0.1:15000', 'HEALTHY', 'prometheus_stats'],
      ],
    );
  });
});
