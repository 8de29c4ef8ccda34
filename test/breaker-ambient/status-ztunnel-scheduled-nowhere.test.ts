// BA-15 (regression test, fixed): the ztunnel DaemonSet schedules on no node (desired 0, e.g. a nodeSelector typo) while two
// namespaces are enrolled in ambient mode and the istio-cni agent runs on 3 nodes: no pod can be captured, yet
// status reads "ztunnels 0/0 ready" and Healthy.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ambientMesh, cluster, daemonSet, meshBot, proxyStatusJson, standIn, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  const withoutZtunnels = ambientMesh({ istiodVersion: '1.30.3' }).filter((object) => !((object.metadata as { name?: string }).name ?? '').startsWith('ztunnel'));
  kube = await cluster([...withoutZtunnels, daemonSet('ztunnel', { app: 'ztunnel' }, 0, 0)]);
  istioctl = await standIn('1.30.3', [
    { when: ['proxy-status'], stdout: proxyStatusJson('istiod-8c7b98fc4-mwjfp', '1.30.3', [{ id: 'legacy-app-6f8cfb8c8f-q9vq2.legacy', version: '1.30.3', types: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } }]) },
  ]);
});
after(() => kube.close());

it('status: ztunnels 0/0 with ambient namespaces and istio-cni on 3 nodes is not healthy', async () => {
  const run = await meshBot(['status', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { verdict: string; ambient: { ztunnels: { desired: number; ready: number }; cni: { desired: number } } };
  assert.deepEqual(json.ambient.ztunnels, { desired: 0, ready: 0 });
  assert.equal(json.ambient.cni.desired, 3);
  assert.notEqual(json.verdict, 'healthy', 'three nodes (those of the istio-cni agent) run no ztunnel while namespaces are enrolled in ambient mode');
});
