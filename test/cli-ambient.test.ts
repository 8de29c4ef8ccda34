// The terminal mode of `ztunnel-config` and the ambient part of `status`, for every istioctl version of the corpus,
// against the simulated istioctl (ambient scenario) and a Kubernetes API holding the goldens' ambient mesh.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FakeKubeApi } from '../src/sandbox/kube-api.ts';
import { CORPUS_VERSIONS, startAmbientApi } from './support/ambient-api.ts';
import { cli } from './support/cli.ts';

let api: FakeKubeApi;

before(async () => {
  // Two of three ztunnels ready: one node has none.
  api = await startAmbientApi({ ztunnelsReady: 2 });
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-kubeconfig-'));
  const kubeconfig = join(dir, 'config');
  await writeFile(kubeconfig, api.kubeConfigYaml());
  process.env['KUBECONFIG'] = kubeconfig;
});
after(() => api.close());

interface WorkloadsJson {
  command: string;
  errors: string[];
  workloads: { namespace: string; pod: string; node: string; protocol: string; waypoint: string | null; captured: boolean }[];
  notCaptured: number;
}

describe('mesh-bot ztunnel-config in a terminal, every corpus version', () => {
  for (const version of CORPUS_VERSIONS) {
    const minor = Number(version.split('.')[1]);
    if (minor < 22) {
      it(`${version}: says which istioctl has ztunnel-config, exit 1, and runs nothing`, async () => {
        const run = await cli(['ztunnel-config', 'workloads'], { version, scenario: 'ambient' });
        assert.equal(run.code, 1);
        assert.match(run.stderr, new RegExp(`istioctl ${version.replace(/\./g, '\\.')} has no \`ztunnel-config\` command: it arrived in istioctl 1\\.22`));
      });
      continue;
    }
    it(`${version}: -o json workloads lists the pods not captured first (httpbin in the ambient namespace default)`, async () => {
      const run = await cli(['zc', 'workloads', '-o', 'json'], { version, scenario: 'ambient' });
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as WorkloadsJson;
      assert.equal(json.command, 'ztunnel-config');
      assert.deepEqual(json.errors, []);
      // Goldens: 27 workloads. TCP in ambient namespaces: default/httpbin; the two bookinfo waypoints are proxies.
      assert.equal(json.workloads.length, 27);
      assert.equal(json.notCaptured, 1);
      assert.deepEqual(json.workloads[0], { namespace: 'default', pod: 'httpbin-7447985f87-t8hv7', node: 'ambient-worker', protocol: 'TCP', waypoint: null, captured: false, ...pick(json.workloads[0]) });
      const productpage = json.workloads.find((row) => row.pod === 'productpage-v1-675fc69cf-jscn2' && row.namespace === 'bookinfo');
      assert.deepEqual([productpage?.waypoint, productpage?.captured], ['bookinfo-productpage-istio-waypoint', true]);
      assert.equal(json.workloads.filter((row) => !row.captured).length, 14, 'every TCP row has captured false');
    });

    it(`${version}: certificates of every ztunnel (3 read), the expired Root first, earliest NOT AFTER named`, async () => {
      const run = await cli(['ztunnel-config', 'certs'], { version, scenario: 'ambient' });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^ztunnel-config certificates: 3 of 3 ztunnels \(default\) — certificates of 3 of 3 ztunnels read, earliest NOT AFTER 2022-03-18T13:04:49Z, 9 not Available/);
      assert.match(run.stdout, /\n {2}ztunnel-n5bg2 \(node ambient-control-plane\): 5 certificates, earliest NOT AFTER 2022-03-18T13:04:49Z \(expired \d+ days ago\), 3 not Available \(Initializing, Unavailable\), CRITICAL\n/);
      assert.match(run.stdout, /Read all 3 ztunnels\./);
    });
  }

  it('1.28: a workload pod reads the ztunnel of its node and keeps its own row', async () => {
    const run = await cli(['zc', 'workload', 'httpbin-7447985f87-t8hv7', '-n', 'default', '-o', 'json'], { version: '1.28.10', scenario: 'ambient' });
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as WorkloadsJson & { ztunnels: { read: { name: string; node: string }[] } };
    assert.deepEqual(json.ztunnels.read, [{ name: 'ztunnel-xljhg', node: 'ambient-worker' }]);
    assert.deepEqual(json.workloads.map((row) => row.pod), ['httpbin-7447985f87-t8hv7']);
    assert.equal(json.notCaptured, 1);
  });

  it('--node without a ztunnel there is a clear error naming the nodes that have one, exit 1', async () => {
    const run = await cli(['zc', 'policies', '--node', 'worker-9'], { version: '1.28.10', scenario: 'ambient' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No ztunnel runs on node worker-9\. ztunnels run on: ambient-control-plane, ambient-worker, ambient-worker2\./);
  });

  it('services (1.28): waypoint and endpoints ready/total per service', async () => {
    const run = await cli(['zc', 'svc', '--node', 'ambient-worker2'], { version: '1.28.10', scenario: 'ambient' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /19 services, 0 with a waypoint/);
    assert.match(run.stdout, /\n {2}reviews\.bookinfo: VIP 10\.96\.74\.131, waypoint none, endpoints 3\/3 ready\n/);
  });
});

/** Extra fields beyond the contract's, taken as they are (the contract's fields are asserted above). */
function pick(row: object | undefined): Record<string, unknown> {
  const { namespace: _n, pod: _p, node: _o, protocol: _r, waypoint: _w, captured: _c, ...rest } = (row ?? {}) as Record<string, unknown>;
  return rest;
}

interface StatusJson {
  verdict: string;
  errors: string[];
  proxies: { total: number; healthy: number; byKind: Record<string, number> };
  ambient: { ztunnels: { desired: number; ready: number } | null; cni: { desired: number; ready: number } | null; sync: { connected: number; synced: number; stateNotShown: number } } | null;
}

describe('mesh-bot status in an ambient mesh, every corpus version', () => {
  for (const version of CORPUS_VERSIONS) {
    const minor = Number(version.split('.')[1]);
    it(`${version}: proxies by kind, ztunnels 2/3 ready from the DaemonSet, degraded`, async () => {
      const run = await cli(['status', '-o', 'json'], { version, scenario: 'ambient' });
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as StatusJson;
      assert.deepEqual(json.errors, []);
      assert.deepEqual(json.proxies.byKind, { sidecar: 1, waypoint: 1, ztunnel: 3, gateway: 1 });
      assert.equal(json.proxies.total, 6);
      assert.deepEqual(json.ambient?.ztunnels, { desired: 3, ready: 2 });
      assert.deepEqual(json.ambient?.cni, { desired: 3, ready: 3 });
      assert.equal(json.verdict, 'degraded', 'a node without a ready ztunnel degrades the mesh');
      // istiod 1.20-1.22 reports no WDS/WADS state and istioctl 1.23-1.26 tables have no such column; 1.27+ (--verbosity 1) and 1.30+ JSON show them.
      if (minor >= 27) assert.deepEqual([json.ambient?.sync.synced, json.ambient?.sync.stateNotShown], [3, 0]);
      else assert.deepEqual([json.ambient?.sync.synced, json.ambient?.sync.stateNotShown], [0, 3]);
    });
  }

  it('1.24 text: the IGNORED Envoy columns of ztunnels are not counted as states, and are explained', async () => {
    const run = await cli(['status'], { version: '1.24.6', scenario: 'ambient' });
    assert.match(run.stdout, /\n {2}by kind: 1 sidecar · 1 waypoint · 3 ztunnels · 1 gateway\n/);
    assert.match(run.stdout, /\nAmbient:\n {2}ztunnels 2\/3 ready \(DaemonSet ztunnel, one per node\) — 1 node without a ready ztunnel\n {2}istio-cni node agent 3\/3 ready\n {2}3 ztunnels connected to istiod: 0 WDS\/WADS SYNCED, 3 not shown by this istioctl/);
    assert.match(run.stdout, /\n {2}CDS: 3 SYNCED\n/, 'only the three Envoy proxies count in CDS');
  });
});
