// BA-10 (regression test, fixed): with a Role that may not list DaemonSets (an install older than ambient support, the case
// the README names), status cannot know how many ztunnels are ready, yet calls the mesh Healthy, although 2 of
// the 3 ztunnel pods (which it may list) are not ready.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ambientMesh, cluster, meshBot, proxyStatusJson, standIn, ZTUNNELS, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster(ambientMesh({ ztunnelsReady: 1 }));
  kube.api.failNext({ pathPattern: /\/daemonsets$/, status: 403, times: 10 });
  istioctl = await standIn('1.30.3', [
    { when: ['proxy-status'], stdout: proxyStatusJson('istiod-8c7b98fc4-mwjfp', '1.30.3', ZTUNNELS.map((z) => ({ id: `${z.pod}.istio-system`, version: '1.30.3', types: { WADS: 'SYNCED', WDS: 'SYNCED' } }))) },
  ]);
});
after(() => kube.close());

it('status -o json: the DaemonSet list is refused: the error is said, and the verdict is not healthy', async () => {
  const run = await meshBot(['status', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { verdict: string; errors: string[]; ambient: { ztunnels: unknown } | null };
  assert.match(json.errors.join(' '), /DaemonSets/);
  assert.notEqual(json.verdict, 'healthy', 'ztunnel readiness is unknown (and 2 of 3 ztunnel pods are not ready)');
});
