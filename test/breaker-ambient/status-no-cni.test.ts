// BA-14 (regression test, fixed): an ambient mesh (ztunnels running) without any istio-cni node agent is called Healthy and
// the answer does not mention istio-cni at all. Without the agent no new pod is captured into ambient mode.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ambientMesh, cluster, meshBot, proxyStatusJson, standIn, ZTUNNELS, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster(ambientMesh({ istiodVersion: '1.30.3' }).filter((object) => (object.metadata as { name?: string }).name !== 'istio-cni-node'));
  istioctl = await standIn('1.30.3', [
    { when: ['proxy-status'], stdout: proxyStatusJson('istiod-8c7b98fc4-mwjfp', '1.30.3', ZTUNNELS.map((z) => ({ id: `${z.pod}.istio-system`, version: '1.30.3', types: { WADS: 'SYNCED', WDS: 'SYNCED' } }))) },
  ]);
});
after(() => kube.close());

it('status: ztunnels 3/3 but no istio-cni DaemonSet: istio-cni is named and the mesh is not healthy', async () => {
  const text = await meshBot(['status'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /ztunnels 3\/3 ready/);
  assert.match(text.stdout, /istio-cni/, 'issue #12 item 1: the istio-cni node agent\'s readiness');
  const json = JSON.parse((await meshBot(['status', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path })).stdout) as { verdict: string };
  assert.notEqual(json.verdict, 'healthy');
});
