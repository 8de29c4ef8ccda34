import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  parseZtunnelAll,
  parseZtunnelCertificates,
  parseZtunnelConnections,
  parseZtunnelPolicies,
  parseZtunnelServices,
  parseZtunnelWorkloads,
} from '../../../../src/istioctl/parsers/ztunnel-config/index.ts';
import type { Result } from '../../../../src/result.ts';

const DIR = new URL('../../../fixtures/istioctl/ambient/ztunnel-config/', import.meta.url);
const golden = (path: string) => readFileSync(new URL(path, DIR), 'utf8');
const goldens = (folder: string) => readdirSync(new URL(`${folder}/`, DIR)).filter((file) => file.endsWith('.txt')).map((file) => `${folder}/${file}`);

function value<T>(result: Result<T, { message: string }>): T {
  if (!result.ok) assert.fail(result.error.message);
  return result.value;
}

describe('ztunnel-config workloads, every corpus golden (1.20 pc workload … 1.30+)', () => {
  for (const file of goldens('workloads')) {
    it(`reads ${file}`, () => {
      const rows = value(parseZtunnelWorkloads(golden(file)));
      const lines = golden(file).trim().split('\n').length - 1;
      assert.equal(rows.length, lines, 'one workload per table row');
      for (const row of rows) {
        assert.match(row.protocol, /^(HBONE|TCP)$/);
        assert.match(row.address, /^10\.244\.\d+\.\d+$/);
        assert.match(row.node, /^ambient-/);
      }
    });
  }

  it('keeps the waypoint, and None as no waypoint (v1.24+_workloadsummary.txt)', () => {
    const rows = value(parseZtunnelWorkloads(golden('workloads/v1.24+_workloadsummary.txt')));
    assert.deepEqual(rows.find((row) => row.pod === 'productpage-v1-675fc69cf-jscn2'), {
      namespace: 'bookinfo',
      pod: 'productpage-v1-675fc69cf-jscn2',
      address: '10.244.2.53',
      node: 'ambient-worker2',
      waypoint: 'bookinfo-productpage-istio-waypoint',
      protocol: 'HBONE',
    });
    const httpbin = rows.find((row) => row.namespace === 'default' && row.pod === 'httpbin-7447985f87-t8hv7');
    assert.deepEqual([httpbin?.waypoint, httpbin?.protocol, httpbin?.node], [null, 'TCP', 'ambient-worker']);
    assert.equal(rows.filter((row) => row.namespace === 'istio-system' && row.pod.startsWith('ztunnel-')).length, 3);
  });

  it('reads the 1.21 NETWORK column as blank without shifting the IP (v1.21)', () => {
    const rows = value(parseZtunnelWorkloads(golden('workloads/v1.21_pc-workload_workloadsummary.txt')));
    assert.equal(rows[0]?.pod, 'bookinfo-productpage-istio-waypoint-5cdd6745d5-rc2gg');
    assert.equal(rows[0]?.address, '10.244.2.59');
  });

  it('refuses a table that is not a workload table', () => {
    assert.equal(parseZtunnelWorkloads(golden('policies/v1.25+_policies.txt')).ok, false);
    assert.equal(parseZtunnelWorkloads('').ok, false);
  });
});

describe('ztunnel-config certificates', () => {
  for (const file of goldens('certificates')) {
    it(`reads ${file}: the Available leaf, the Root and the NA rows`, () => {
      const rows = value(parseZtunnelCertificates(golden(file)));
      assert.equal(rows.length, 5);
      assert.deepEqual(rows[0], {
        name: 'spiffe://cluster.local/ns/istio-system/sa/istiod',
        type: file.includes('1.22+') ? 'Leaf' : 'CA',
        status: 'Available',
        valid: true,
        serial: 'e5dfb59150b2ba7f108d93dcec5aa613',
        notAfter: '2033-03-22T13:04:57Z',
        notBefore: '2023-03-21T13:02:57Z',
      });
      assert.deepEqual(rows[2], { name: 'spiffe://cluster.local/ns/istio-system/sa/ztunnel', type: 'NA', status: 'Initializing', valid: false, serial: '', notAfter: '', notBefore: '' });
      assert.deepEqual(rows.map((row) => row.status), ['Available', 'Available', 'Initializing', 'Unavailable', 'Unavailable']);
    });
  }
});

describe('ztunnel-config policies, services, connections', () => {
  it('reads v1.25+_policies.txt', () => {
    assert.deepEqual(value(parseZtunnelPolicies(golden('policies/v1.25+_policies.txt'))), [
      { namespace: 'default', name: 'allow-nothing', action: 'Allow', scope: 'Namespace' },
      { namespace: 'default', name: 'allow-waypoint', action: 'Allow', scope: 'WorkloadSelector' },
    ]);
  });

  for (const file of goldens('connections')) {
    it(`reads ${file}`, () => {
      const rows = value(parseZtunnelConnections(golden(file)));
      const outbound = rows.find((row) => row.direction === 'Outbound' && row.workload === 'productpage-v1-796f87b58-97bjk.bookinfo');
      assert.deepEqual(outbound, {
        workload: 'productpage-v1-796f87b58-97bjk.bookinfo',
        direction: 'Outbound',
        local: '10.233.97.129:35380',
        remote: '10.233.97.136:15008',
        remoteTarget: '10.233.25.246:9080',
        protocol: 'HBONE',
      });
      assert.equal(rows.filter((row) => row.remoteTarget === '').length, 2, 'two inbound connections without a target');
    });
  }

  it('reads the 1.22-1.25 connections header without PROTOCOL', () => {
    const rows = value(parseZtunnelConnections('WORKLOAD DIRECTION LOCAL      REMOTE    REMOTE TARGET\na.ns     Inbound   1.1.1.1:80 2.2.2.2:1 svc.ns.svc.cluster.local\n'));
    assert.deepEqual(rows, [{ workload: 'a.ns', direction: 'Inbound', local: '1.1.1.1:80', remote: '2.2.2.2:1', remoteTarget: 'svc.ns.svc.cluster.local', protocol: '' }]);
  });

  it('reads the 1.22 services header without ENDPOINTS', () => {
    const rows = value(parseZtunnelServices('NAMESPACE SERVICE NAME SERVICE VIP WAYPOINT\nshop      cart         10.96.0.7   waypoint\n'));
    assert.deepEqual(rows, [{ namespace: 'shop', name: 'cart', vip: '10.96.0.7', waypoint: 'waypoint', endpoints: null }]);
  });
});

describe('ztunnel-config all', () => {
  for (const file of goldens('all')) {
    it(`reads every section of ${file}`, () => {
      const all = value(parseZtunnelAll(golden(file)));
      assert.equal(all.workloads?.length, 27);
      assert.equal(all.services?.length, 19);
      assert.deepEqual(all.services?.find((service) => service.namespace === 'bookinfo' && service.name === 'reviews'), { namespace: 'bookinfo', name: 'reviews', vip: '10.96.74.131', waypoint: null, endpoints: { ready: 3, total: 3 } });
      assert.deepEqual(all.services?.find((service) => service.name === 'kubernetes')?.endpoints, { ready: 0, total: 0 });
      assert.equal(all.policies?.length, 2);
      assert.equal(all.certificates?.length, 5);
      assert.equal(all.connections?.length, 8);
    });
  }
});
