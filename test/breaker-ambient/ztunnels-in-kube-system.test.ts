// BA-3 (regression test, fixed): ztunnel and istio-cni installed in kube-system (Istio's documented GKE layout: the
// node-critical priority class needs a ResourceQuota that only kube-system has by default) are invisible.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { AMBIENT, cluster, daemonSet, meshBot, namespace, pod, proxyStatus122, standIn, ZTUNNELS, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster([
    namespace('istio-system'),
    namespace('kube-system'),
    namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
    pod('istiod-6d8f9c7b5-2xkqp', 'istio-system', 'ambient-worker2', { app: 'istiod', istio: 'pilot', 'app.kubernetes.io/version': '1.24.6' }, { container: 'discovery' }),
    // Only the first ztunnel is ready: two nodes have no working ztunnel.
    ...ZTUNNELS.map((z, index) => pod(z.pod, 'kube-system', z.node, { app: 'ztunnel' }, { container: 'istio-proxy', ready: index === 0 })),
    daemonSet('ztunnel', { app: 'ztunnel' }, 3, 1, 'kube-system'),
    daemonSet('istio-cni-node', { 'k8s-app': 'istio-cni-node' }, 3, 3, 'kube-system'),
  ]);
  const ignored = ['IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED'] as const;
  istioctl = await standIn('1.24.6', [
    { when: ['proxy-status'], stdout: proxyStatus122(ZTUNNELS.map((z) => ({ name: `${z.pod}.kube-system`, states: ignored, istiod: 'istiod-6d8f9c7b5-2xkqp', version: '1.24.6' }))) },
    { when: ['ztunnel-config', 'workload'], stdoutFile: `${AMBIENT}/ztunnel-config/workloads/v1.24+_workloadsummary.txt` },
  ]);
});
after(() => kube.close());

it('status: istiod lists three ztunnels in kube-system, their DaemonSet has 1 of 3 ready: not healthy, ambient.ztunnels not null', async () => {
  const run = await meshBot(['status', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { verdict: string; proxies: { byKind: Record<string, number> }; ambient: { ztunnels: { desired: number; ready: number } | null } | null };
  assert.equal(json.proxies.byKind['ztunnel'], 3);
  // DESIGN.md section 5: `ambient.ztunnels` is null only "when the mesh has no ztunnel".
  assert.deepEqual(json.ambient?.ztunnels, { desired: 3, ready: 1 });
  assert.notEqual(json.verdict, 'healthy', 'two nodes without a ready ztunnel');
});

it('zc workloads: the mesh runs ambient mode; the answer must not claim otherwise', async () => {
  const run = await meshBot(['zc', 'workloads', 'ztunnel-n5bg2.kube-system'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.doesNotMatch(run.stderr, /does not run ambient mode/);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /27 workloads/);
});
