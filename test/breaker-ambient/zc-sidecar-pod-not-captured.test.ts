// BA-7 (regression test, fixed): a pod that runs a sidecar in an ambient namespace is listed as "NOT captured". Istio's
// CNI/ztunnel never capture a pod with a sidecar (it is in the mesh through its sidecar; it also appears in
// proxy-status as a sidecar), so protocol TCP is expected for it, like for waypoint and gateway pods.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ambientMesh, cluster, meshBot, pod, standIn, tabwrite, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster([
    ...ambientMesh(),
    pod('httpbin-7447985f87-t8hv7', 'default', 'ambient-worker', { app: 'httpbin' }),
    // Injected on purpose with the pod label (the injector's object selector), in the ambient namespace default.
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'legacy-6f8cfb8c8f-q9vq2', namespace: 'default', labels: { app: 'legacy', 'sidecar.istio.io/inject': 'true', 'security.istio.io/tlsMode': 'istio' }, annotations: { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' } },
      spec: { nodeName: 'ambient-worker', containers: [{ name: 'app', image: 'legacy' }, { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.28.1' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'legacy', imageID: '' }, { name: 'istio-proxy', ready: true, restartCount: 0, image: 'proxyv2', imageID: '' }] },
    },
  ]);
  // 1.24+ workloads columns (corpus workloads/v1.24+_workloadsummary.txt, padding 1).
  const workloads = tabwrite(
    [
      ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'],
      ['default', 'details-v1-698d88b-krdw7', '10.244.2.55', 'ambient-worker2', 'None', 'HBONE'],
      ['default', 'httpbin-7447985f87-t8hv7', '10.244.1.40', 'ambient-worker', 'None', 'TCP'],
      ['default', 'legacy-6f8cfb8c8f-q9vq2', '10.244.1.45', 'ambient-worker', 'None', 'TCP'],
    ],
    1,
  );
  istioctl = await standIn('1.28.10', [{ when: ['ztunnel-config', 'workload'], stdout: workloads }]);
});
after(() => kube.close());

it('zc workloads -o json: only httpbin is not captured; the sidecar pod is TCP but in the mesh', async () => {
  const run = await meshBot(['zc', 'workloads', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { notCaptured: number; workloads: { pod: string; notCaptured: boolean }[] };
  assert.deepEqual(json.workloads.filter((row) => row.notCaptured).map((row) => row.pod), ['httpbin-7447985f87-t8hv7']);
  assert.equal(json.notCaptured, 1);
});
