// BG3-4: "more ztunnels ready than connected" was a count of proxy-status rows. With two istiod replicas, the one a
// ztunnel left (its stream not yet noticed dead) and the one it reconnected to both list it: two rows for one ztunnel
// made up for a ready ztunnel no istiod lists, and `status` read Healthy (3 ready, "3 connected").
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ambientMesh, cluster, meshBot, pod, proxyStatusJson, standIn, ZTUNNELS, type Cluster } from '../breaker-ambient/support/harness.ts';

let kube: Cluster;
before(async () => {
  kube = await cluster([...ambientMesh({ istiodVersion: '1.30.3' }), pod('istiod-8c7b98fc4-q7t2z', 'istio-system', 'ambient-worker', { app: 'istiod', istio: 'pilot', 'app.kubernetes.io/version': '1.30.3' }, { container: 'discovery' })]);
});
after(() => kube.close());

const ztunnel = (name: string) => ({ id: `${name}.istio-system`, version: '1.30.3', types: { WADS: 'SYNCED', WDS: 'SYNCED' } });
// ztunnel-n5bg2 in both replicas' answers, ztunnel-qk2pp in neither.
const TWO_REPLICAS =
  proxyStatusJson('istiod-8c7b98fc4-mwjfp', '1.30.3', [ztunnel(ZTUNNELS[0].pod), ztunnel(ZTUNNELS[1].pod)]) + proxyStatusJson('istiod-8c7b98fc4-q7t2z', '1.30.3', [ztunnel(ZTUNNELS[0].pod)]);

it('a ztunnel listed by two istiods is one connected ztunnel: the ready one no istiod lists makes it degraded', async () => {
  const istioctl = await standIn('1.30.3', [{ when: ['proxy-status'], stdout: TWO_REPLICAS }]);
  const env = { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path };
  const run = await meshBot(['status', '-o', 'json'], env);
  const json = JSON.parse(run.stdout) as { verdict: string; errors: string[]; ambient: { notConnected: number; sync: { connected: number } } };
  assert.deepEqual(json.errors, []);
  assert.equal(json.verdict, 'degraded', run.stdout);
  assert.equal(json.ambient.sync.connected, 2);
  assert.equal(json.ambient.notConnected, 1);
  const text = (await meshBot(['status'], env)).stdout;
  assert.match(text, /3 ztunnels ready, 2 connected to istiod — 1 without WDS\/WADS from istiod/);
});
