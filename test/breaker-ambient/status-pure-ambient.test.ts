// `mesh-bot status` in a mesh without sidecars: only ztunnels, as istioctl 1.24 (tables: IGNORED in every Envoy
// column, the corpus proxy4 row) and 1.30 (`-o json`: a ztunnel's WDS/WADS) print them, through a stand-in.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ambientMesh, cluster, meshBot, proxyStatus122, proxyStatusJson, standIn, ZTUNNELS, type Cluster } from './support/harness.ts';

interface StatusJson {
  verdict: string;
  errors: string[];
  proxies: { total: number; stale: number; byKind: Record<string, number>; problems: { name: string; states: Record<string, string> }[] };
  versionSkew: { mismatched: { version: string; proxies: string[] }[] } | null;
  ambient: { ztunnels: { desired: number; ready: number } | null; cni: { desired: number; ready: number } | null; sync: { connected: number; synced: number; problems: number } } | null;
}

const IGNORED = ['IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED'] as const;
const table124 = proxyStatus122(ZTUNNELS.map((z) => ({ name: `${z.pod}.istio-system`, states: IGNORED, istiod: 'istiod-8c7b98fc4-mwjfp', version: '1.24.6' })));
// 1.30: the ztunnel on ambient-worker has a STALE WDS, the one on the control-plane node still runs 1.29.
const json130 = proxyStatusJson(
  'istiod-8c7b98fc4-mwjfp',
  '1.30.3',
  ZTUNNELS.map((z, index) => ({ id: `${z.pod}.istio-system`, version: index === 0 ? '1.29.6' : '1.30.3', types: { WADS: 'SYNCED', WDS: index === 1 ? 'STALE' : 'SYNCED' } })),
);

let healthy: Cluster;
let cniShort: Cluster;
before(async () => {
  healthy = await cluster(ambientMesh({ istiodVersion: '1.30.3' }));
  cniShort = await cluster(ambientMesh({ cniReady: 2 }));
});
after(async () => {
  await healthy.close();
  await cniShort.close();
});

async function status(kube: Cluster, version: string, stdout: string, argv: string[] = ['-o', 'json']) {
  const istioctl = await standIn(version, [{ when: ['proxy-status'], stdout }]);
  return meshBot(['status', ...argv], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
}

describe('status with ztunnels only', () => {
  it('1.24: three ztunnels are three proxies of kind ztunnel, not "no proxies"; IGNORED is no problem', async () => {
    const run = await status(healthy, '1.24.6', table124);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as StatusJson;
    assert.notEqual(json.verdict, 'no-proxies');
    assert.deepEqual(json.proxies.byKind, { sidecar: 0, waypoint: 0, ztunnel: 3, gateway: 0 });
    assert.deepEqual(json.proxies.problems, []);
    assert.deepEqual(json.ambient?.ztunnels, { desired: 3, ready: 3 });
  });

  it('1.24 text: the istio-cni agent 2/3 ready degrades the mesh and is named', async () => {
    const run = await status(cniShort, '1.24.6', table124, []);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Mesh status: default — Degraded/);
    assert.match(run.stdout, /istio-cni node agent 2\/3 ready/);
    assert.doesNotMatch(run.stdout, /No proxies/);
  });

  it('1.30: a ztunnel with WDS STALE is a problem proxy, the mesh is degraded, and the ztunnels on other versions count in the skew', async () => {
    const run = await status(healthy, '1.30.3', json130);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as StatusJson;
    assert.equal(json.verdict, 'degraded');
    assert.equal(json.proxies.stale, 1);
    assert.deepEqual(json.proxies.problems.map((p) => [p.name, p.states['WDS']]), [['ztunnel-xljhg.istio-system', 'STALE']]);
    assert.deepEqual([json.ambient?.sync.connected, json.ambient?.sync.synced, json.ambient?.sync.problems], [3, 2, 1]);
    assert.deepEqual(json.versionSkew?.mismatched.map((m) => [m.version, m.proxies]), [['1.29.6', ['ztunnel-n5bg2.istio-system']]]);
  });
});
