// BG3-3: the ztunnel and istio-cni DaemonSets both exist but are scheduled on no node (0/0: a nodeSelector or
// toleration both charts share, e.g. values copied from another cluster), while namespaces are labelled ambient.
// Nothing was short (0 of 0 ready) and the agents agreed with each other, so `status` read Healthy; no pod in those
// namespaces has a ztunnel.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, daemonSet, namespace, proxyStatus122, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus } from '../breaker-status/support/sidecar.ts';

const ISTIOD = 'istiod-7d4f9c8b6d-k2x9q';
const RULES = [{ when: ['proxy-status'], stdout: proxyStatus122([{ name: 'cart-v1-5b9c8d7f6-h7j3n.shop', states: ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT'], istiod: ISTIOD, version: '1.24.6' }]) }];

let kube: Cluster;
before(async () => {
  kube = await cluster([
    namespace('istio-system'),
    namespace('shop'),
    namespace('bookinfo', { 'istio.io/dataplane-mode': 'ambient' }),
    istiod(ISTIOD, '1.24.6'),
    daemonSet('ztunnel', { app: 'ztunnel' }, 0, 0),
    daemonSet('istio-cni-node', { 'k8s-app': 'istio-cni-node' }, 0, 0),
  ]);
});
after(() => kube.close());

it('ztunnel 0/0 and istio-cni 0/0 with an ambient namespace: degraded, the namespace named', async () => {
  const run = await runStatus(kube, '1.24.6', RULES, ['status', '-o', 'json']);
  const json = JSON.parse(run.stdout) as { verdict: string; ambientWithoutZtunnel: string[] | null };
  assert.equal(json.verdict, 'degraded', run.stdout);
  assert.deepEqual(json.ambientWithoutZtunnel, ['bookinfo']);
  const text = await runStatus(kube, '1.24.6', RULES, ['status']);
  assert.match(text.stdout, /^Mesh status: default — Degraded/);
  assert.match(text.stdout, /ztunnels 0\/0 ready/);
  assert.match(text.stdout, /no ztunnel runs in this cluster, yet namespace bookinfo is labelled istio\.io\/dataplane-mode=ambient/);
});
