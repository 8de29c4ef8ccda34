// `status` and `zc` where the ambient data plane is not where the bot first looks, or not readable: ztunnel and
// istio-cni in kube-system (Istio's GKE layout), ztunnels ready but not connected to istiod, no istio-cni agent,
// DaemonSets the bot may not list, and a sidecar pod in an ambient namespace. A child process per command, against
// the fake Kubernetes API and the breakers' stand-in istioctl (corpus tables).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AMBIENT,
  ambientMesh,
  cluster,
  daemonSet,
  meshBot,
  namespace,
  pod,
  proxyStatusJson,
  standIn,
  tabwrite,
  ZTUNNELS,
  type Cluster,
  type StandIn,
} from './breaker-ambient/support/harness.ts';

const ISTIOD = 'istiod-8c7b98fc4-mwjfp';
const synced = (names: readonly string[]) => proxyStatusJson(ISTIOD, '1.30.3', names.map((id) => ({ id, version: '1.30.3', types: { WADS: 'SYNCED', WDS: 'SYNCED' } })));

interface StatusJson {
  verdict: string;
  errors: string[];
  ambient: { ztunnels: { desired: number | null; ready: number | null }; cni: unknown; ztunnelsFrom: string | null; daemonSetsRead: boolean; notConnected: number | null } | null;
}

describe('ztunnel and istio-cni in kube-system', () => {
  let kube: Cluster;
  let istioctl: StandIn;
  before(async () => {
    kube = await cluster([
      namespace('istio-system'),
      namespace('kube-system'),
      namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
      pod(ISTIOD, 'istio-system', 'ambient-worker2', { app: 'istiod', istio: 'pilot', 'app.kubernetes.io/version': '1.30.3' }, { container: 'discovery' }),
      ...ZTUNNELS.map((z) => pod(z.pod, 'kube-system', z.node, { app: 'ztunnel' }, { container: 'istio-proxy' })),
      daemonSet('ztunnel', { app: 'ztunnel' }, 3, 3, 'kube-system'),
      daemonSet('istio-cni-node', { 'k8s-app': 'istio-cni-node' }, 3, 3, 'kube-system'),
    ]);
    istioctl = await standIn('1.30.3', [
      { when: ['proxy-status'], stdout: synced(ZTUNNELS.map((z) => `${z.pod}.kube-system`)) },
      { when: ['ztunnel-config', 'workload'], stdoutFile: `${AMBIENT}/ztunnel-config/workloads/v1.24+_workloadsummary.txt` },
    ]);
  });
  after(() => kube.close());

  it('status names the namespace the DaemonSets run in and is healthy when every node has both agents', async () => {
    const run = await meshBot(['status'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Healthy/);
    assert.match(run.stdout, /\n {2}ztunnels 3\/3 ready \(DaemonSet ztunnel in kube-system, one per node\)\n {2}istio-cni node agent 3\/3 ready in kube-system\n/);
    const json = JSON.parse((await meshBot(['status', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path })).stdout) as StatusJson;
    assert.deepEqual([json.ambient?.ztunnelsFrom, json.ambient?.daemonSetsRead, json.ambient?.notConnected], ['daemonset', true, 0]);
  });

  it('zc --node reads the ztunnel of that node in kube-system', async () => {
    const run = await meshBot(['zc', 'workloads', '--node', 'ambient-worker'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /27 workloads/);
    const calls = (await istioctl.invocations()).filter((argv) => argv.includes('ztunnel-config'));
    assert.ok(calls.some((argv) => argv.includes('ztunnel-xljhg.kube-system')), JSON.stringify(calls));
  });
});

describe('ztunnels ready but not connected to istiod', () => {
  let kube: Cluster;
  before(async () => {
    kube = await cluster(ambientMesh({ istiodVersion: '1.30.3' }));
  });
  after(() => kube.close());

  it('names the gap: 3 ready, 1 connected, degraded', async () => {
    const istioctl = await standIn('1.30.3', [{ when: ['proxy-status'], stdout: synced([`${ZTUNNELS[0].pod}.istio-system`]) }]);
    const run = await meshBot(['status'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    assert.match(run.stdout, /Degraded/);
    assert.match(run.stdout, /\n {2}3 ztunnels ready, 1 connected to istiod — 2 without WDS\/WADS from istiod/);
  });

  it('with none connected the mesh is degraded, not "No proxies"', async () => {
    const istioctl = await standIn('1.30.3', [{ when: ['proxy-status'], stdout: synced([]) }]);
    const json = JSON.parse((await meshBot(['status', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path })).stdout) as StatusJson;
    assert.deepEqual([json.verdict, json.ambient?.ztunnels, json.ambient?.notConnected], ['degraded', { desired: 3, ready: 3 }, 3]);
    const text = await meshBot(['status'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    assert.match(text.stdout, /Degraded/);
    assert.match(text.stdout, /\nProxies: no proxy connected to istiod, though 3 ztunnels are ready\n/);
    assert.doesNotMatch(text.stdout, /no proxies in the mesh/);
  });
});

describe('a ztunnel DaemonSet and no istio-cni node agent', () => {
  it('says there is none and degrades the mesh', async () => {
    const kube = await cluster(ambientMesh({ istiodVersion: '1.30.3' }).filter((object) => (object.metadata as { name?: string }).name !== 'istio-cni-node'));
    try {
      const istioctl = await standIn('1.30.3', [{ when: ['proxy-status'], stdout: synced(ZTUNNELS.map((z) => `${z.pod}.istio-system`)) }]);
      const run = await meshBot(['status'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
      assert.match(run.stdout, /Degraded/);
      assert.match(run.stdout, /\n {2}no istio-cni node agent \(DaemonSet istio-cni-node\) in any namespace: ambient mode needs it on every node/);
    } finally {
      await kube.close();
    }
  });
});

describe('a ztunnel DaemonSet scheduled on fewer nodes than the istio-cni agent', () => {
  it('names the nodes without a ztunnel and degrades the mesh (0/0 is no healthy mesh)', async () => {
    const withoutZtunnels = ambientMesh({ istiodVersion: '1.30.3' }).filter((object) => !((object.metadata as { name?: string }).name ?? '').startsWith('ztunnel'));
    const kube = await cluster([...withoutZtunnels, daemonSet('ztunnel', { app: 'ztunnel' }, 0, 0)]);
    try {
      const istioctl = await standIn('1.30.3', [{ when: ['proxy-status'], stdout: proxyStatusJson(ISTIOD, '1.30.3', [{ id: 'legacy-6f8cfb8c8f-q9vq2.legacy', version: '1.30.3', types: { CDS: 'SYNCED', LDS: 'SYNCED' } }]) }]);
      const run = await meshBot(['status'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
      assert.match(run.stdout, /Degraded/);
      assert.match(run.stdout, /\n {2}3 nodes run the istio-cni agent but are not scheduled a ztunnel \(check the ztunnel DaemonSet's nodeSelector and tolerations\): pods there cannot be captured\n/);
    } finally {
      await kube.close();
    }
  });
});

describe('DaemonSets the bot may not list', () => {
  const allSynced = synced(ZTUNNELS.map((z) => `${z.pod}.istio-system`));

  it('every ztunnel pod ready: counted from the pods, and the verdict is Unknown rather than Healthy', async () => {
    const kube = await cluster(ambientMesh({ istiodVersion: '1.30.3' }));
    try {
      kube.api.failNext({ pathPattern: /\/daemonsets$/, status: 403, times: 10 });
      const istioctl = await standIn('1.30.3', [{ when: ['proxy-status'], stdout: allSynced }]);
      const run = await meshBot(['status', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
      const json = JSON.parse(run.stdout) as StatusJson;
      assert.equal(json.verdict, 'unknown');
      assert.deepEqual([json.ambient?.ztunnels, json.ambient?.ztunnelsFrom, json.ambient?.daemonSetsRead, json.ambient?.cni], [{ desired: 3, ready: 3 }, 'pods', false, null]);
      assert.match(json.errors.join('\n'), /may not list DaemonSets across namespaces .*\(ztunnels counted from their pods; nodes without one, and istio-cni readiness, unknown\)/);
    } finally {
      await kube.close();
    }
  });

  it('the ztunnel pods unreadable too: ztunnels connected, so `ztunnels` holds nulls, not the "no ztunnel" null', async () => {
    const kube = await cluster(ambientMesh({ istiodVersion: '1.30.3' }));
    try {
      kube.api.failNext({ pathPattern: /\/daemonsets$/, status: 403, times: 10 });
      kube.api.failNext({ pathPattern: /^\/api\/v1\/pods$/, status: 403, times: 10 });
      const istioctl = await standIn('1.30.3', [{ when: ['proxy-status'], stdout: allSynced }]);
      const json = JSON.parse((await meshBot(['status', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path })).stdout) as StatusJson;
      assert.equal(json.verdict, 'unknown');
      assert.deepEqual([json.ambient?.ztunnels, json.ambient?.ztunnelsFrom], [{ desired: null, ready: null }, null]);
    } finally {
      await kube.close();
    }
  });
});

describe('a pod with a sidecar in an ambient namespace', () => {
  it('zc workloads says it is in the mesh through its sidecar, and only the other TCP pod is not captured', async () => {
    const kube = await cluster([
      ...ambientMesh(),
      pod('httpbin-7447985f87-t8hv7', 'default', 'ambient-worker', { app: 'httpbin' }),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'legacy-6f8cfb8c8f-q9vq2', namespace: 'default', labels: { app: 'legacy', 'security.istio.io/tlsMode': 'istio' }, annotations: { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' } },
        spec: { nodeName: 'ambient-worker', containers: [{ name: 'app', image: 'legacy' }, { name: 'istio-proxy', image: 'proxyv2' }] },
        status: { phase: 'Running' },
      },
    ]);
    try {
      const rows = [
        ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'],
        ['default', 'httpbin-7447985f87-t8hv7', '10.244.1.40', 'ambient-worker', 'None', 'TCP'],
        ['default', 'legacy-6f8cfb8c8f-q9vq2', '10.244.1.45', 'ambient-worker', 'None', 'TCP'],
      ];
      const istioctl = await standIn('1.28.10', [{ when: ['ztunnel-config', 'workload'], stdout: tabwrite(rows, 1) }]);
      const run = await meshBot(['zc', 'workloads'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /2 workloads, 1 pod in ambient namespaces NOT captured/);
      assert.match(run.stdout, /legacy-6f8cfb8c8f-q9vq2\.default on ambient-worker: in the mesh through its sidecar \(ztunnel leaves sidecar pods alone\), protocol TCP/);
      assert.match(run.stdout, /default \(ambient\): 2 workloads \(0 HBONE, 2 TCP, 1 NOT captured, 1 pod in the mesh through a sidecar\)/);
    } finally {
      await kube.close();
    }
  });
});
