import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseListenersJson, parseListenersTable } from '../../../../src/istioctl/parsers/proxy-config/listeners.ts';
import { corpus, syntheticDump } from './fixtures.ts';

describe('parseListenersJson', () => {
  it('reads the waypoint listeners of the `all` config dump', () => {
    const result = parseListenersJson(corpus('all/input_config_dump.json'));
    assert.ok(result.ok);
    // The summary shows four main_internal rows (one per filter chain, no address, port 0) and `listener/` 0.0.0.0:15021.
    assert.deepEqual(
      result.value.map((l) => [l.name, l.address, l.port, l.direction, l.filterChains, l.protocol]),
      [
        ['main_internal', '', 0, 'inbound', 4, 'HTTP+TCP'],
        ['', '0.0.0.0', 15021, 'unspecified', 1, 'HTTP'],
      ],
    );
    assert.deepEqual(result.value[0]?.rdsRoutes, []);
  });

  it('collects the RDS route names of sidecar listeners', () => {
    const result = parseListenersJson(syntheticDump());
    assert.ok(result.ok);
    const byName = new Map(result.value.map((l) => [l.name, l]));
    assert.deepEqual(byName.get('0.0.0.0_9080')?.rdsRoutes, ['9080']);
    assert.equal(byName.get('0.0.0.0_9080')?.protocol, 'HTTP+TCP');
    assert.deepEqual(byName.get('0.0.0.0_15010')?.rdsRoutes, ['15010']);
    assert.equal(byName.get('virtualInbound')?.direction, 'inbound');
    assert.equal(byName.get('10.96.0.1_443')?.protocol, 'TCP');
    assert.equal(result.value.length, 7);
  });

  it('fails when the dump has no listener section', () => {
    assert.equal(parseListenersJson(corpus('config-dumps/configdump.json')).ok, false);
  });
});

describe('parseListenersTable', () => {
  it('reads the istio.io listener table (pre-1.19 ADDRESS header)', () => {
    const result = parseListenersTable(corpus('docs-examples/istio.io_pc-listeners_example_pre-1.19-header.txt'));
    assert.ok(result.ok);
    assert.equal(result.value.length, 32);
    assert.equal(result.value.filter((l) => l.port === 15006).length, 7);
    assert.deepEqual(result.value[0], {
      name: '',
      address: '10.96.0.10',
      port: 53,
      match: 'ALL',
      destination: 'Cluster: outbound|53||kube-dns.kube-system.svc.cluster.local',
    });
    assert.deepEqual(result.value.find((l) => l.match === 'App: Istio HTTP Plain; Addr: 10.244.0.22/32:9080'), {
      name: '',
      address: '0.0.0.0',
      port: 15006,
      match: 'App: Istio HTTP Plain; Addr: 10.244.0.22/32:9080',
      destination: 'Inline Route: /*',
    });
  });

  it('reads the listener section of the `all` summary (padding 1, empty ADDRESSES)', () => {
    const text = corpus('all/v1.21-1.28_config_dump_summary.txt').split('\n\n')[2] ?? '';
    const result = parseListenersTable(text);
    assert.ok(result.ok);
    assert.deepEqual(result.value[0], {
      name: 'main_internal',
      address: '',
      port: 0,
      match: 'ALL',
      destination: 'Cluster: inbound-vip|8100|http|httpbin.default.svc.cluster.local',
    });
    assert.deepEqual(result.value[4], { name: '', address: '0.0.0.0', port: 15021, match: 'ALL', destination: 'Inline Route: /healthz/ready*' });
  });
});
