// BA-4 (regression test, fixed): ztunnels the DaemonSet calls ready but istiod does not know are never a problem.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ambientMesh, cluster, meshBot, proxyStatusJson, standIn, ZTUNNELS, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster(ambientMesh({ ztunnelsReady: 3 }));
  // 1.30 JSON: only one of the three ztunnels holds an xDS connection to istiod (the other two lost it).
  const one = proxyStatusJson('istiod-8c7b98fc4-mwjfp', '1.30.3', [{ id: `${ZTUNNELS[0].pod}.istio-system`, version: '1.30.3', types: { WADS: 'SYNCED', WDS: 'SYNCED' } }]);
  istioctl = await standIn('1.30.3', [{ when: ['proxy-status'], stdout: one }]);
});
after(() => kube.close());

it('status: 3 ztunnels ready (DaemonSet) but 1 connected to istiod is not green', async () => {
  const run = await meshBot(['status', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { verdict: string; ambient: { ztunnels: { desired: number; ready: number }; sync: { connected: number } } };
  assert.deepEqual(json.ambient.ztunnels, { desired: 3, ready: 3 });
  assert.equal(json.ambient.sync.connected, 1);
  // Two nodes' ztunnels have no WDS/WADS from istiod: issue #12 item 1 calls a ztunnel healthy when WDS/WADS are SYNCED.
  assert.notEqual(json.verdict, 'healthy');
});
