// BG2-5: the digest's Ambient section read ztunnel readiness only. `mesh-bot status` of the same mesh says Degraded
// when the istio-cni node agent is short of ready pods (README Ambient mode: "The mesh is degraded when a node lacks a
// ready ztunnel or CNI agent"; pods on that node cannot be captured), and when ready ztunnels hold no connection to
// istiod. The digest of that mesh said Healthy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ambientMesh, certificatesTable, cluster, hoursFromNow, meshBot, proxyStatusJson, standIn, tabwrite, ZTUNNELS, type Cluster, type StandIn } from '../breaker-ambient/support/harness.ts';
import { putRootCert } from '../mesh/digest/harness.ts';
import { ROOT_2056 } from '../breaker-analyze/support/sidecar.ts';

const ISTIOD = 'istiod-8c7b98fc4-mwjfp';
const SYNCED = { WADS: 'SYNCED', WDS: 'SYNCED' };
// Every ztunnel's certificates: its identity issued 2 h ago for 24 h, a root valid ten more years, all Available.
const CERTIFICATES = certificatesTable([
  { name: 'spiffe://cluster.local/ns/istio-system/sa/ztunnel', type: 'Leaf', status: 'Available', valid: 'true', serial: 'e5dfb59150b2ba7f108d93dcec5aa613', notAfter: hoursFromNow(22), notBefore: hoursFromNow(-2) },
  { name: 'spiffe://cluster.local/ns/istio-system/sa/ztunnel', type: 'Root', status: 'Available', valid: 'true', serial: '8a516645c40ce76c2c0d27ab4e2461c1', notAfter: hoursFromNow(24 * 3650), notBefore: hoursFromNow(-24 * 365) },
]);
// ztunnel's workloads (1.24+ columns): every pod of the ambient namespaces captured (HBONE).
const WORKLOADS = tabwrite([['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], ['bookinfo', 'details-v1-698d88b-dqrbr', '10.244.2.51', 'ambient-worker2', 'None', 'HBONE']], 1);

function rules(connected: number) {
  return [
    { when: ['proxy-status'], stdout: proxyStatusJson(ISTIOD, '1.30.3', ZTUNNELS.slice(0, connected).map((z) => ({ id: `${z.pod}.istio-system`, version: '1.30.3', types: SYNCED }))) },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['ztunnel-config', 'certificate'], stdout: CERTIFICATES },
    { when: ['ztunnel-config', 'workload'], stdout: WORKLOADS },
    { when: ['waypoint', 'list'], stdout: 'No waypoints found.\n' },
  ];
}

interface DigestJson {
  verdict: { level: string; reasons: string[] };
}

async function digestAndStatus(kube: Cluster, istioctl: StandIn): Promise<{ digest: DigestJson; status: string }> {
  const env = { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path };
  const digest = JSON.parse((await meshBot(['digest', '-o', 'json'], env)).stdout) as DigestJson;
  const status = (JSON.parse((await meshBot(['status', '-o', 'json'], env)).stdout) as { verdict: string }).verdict;
  return { digest, status };
}

describe('digest of an ambient mesh whose node agents are short', () => {
  let healthy: Cluster;
  let cniShort: Cluster;
  before(async () => {
    healthy = await cluster(ambientMesh({ istiodVersion: '1.30.3' }));
    cniShort = await cluster(ambientMesh({ istiodVersion: '1.30.3', cniReady: 2 }));
    for (const kube of [healthy, cniShort]) putRootCert(kube.api, 'istio-system', ROOT_2056);
  });
  after(async () => {
    await healthy.close();
    await cniShort.close();
  });

  it('the same mesh with every agent ready is Healthy (the baseline of this test)', async () => {
    const { digest, status } = await digestAndStatus(healthy, await standIn('1.30.3', rules(3)));
    assert.equal(status, 'healthy');
    assert.equal(digest.verdict.level, 'healthy', digest.verdict.reasons.join(', '));
  });

  it('istio-cni 2/3 ready: status says degraded, and the digest needs attention naming the agent', async () => {
    const { digest, status } = await digestAndStatus(cniShort, await standIn('1.30.3', rules(3)));
    assert.equal(status, 'degraded');
    assert.equal(digest.verdict.level, 'attention');
    assert.ok(digest.verdict.reasons.includes('istio-cni node agent 2/3 ready'), digest.verdict.reasons.join(', '));
  });

  it('3 ztunnels ready, 2 connected to istiod: status says degraded, and the digest needs attention', async () => {
    const { digest, status } = await digestAndStatus(healthy, await standIn('1.30.3', rules(2)));
    assert.equal(status, 'degraded');
    assert.equal(digest.verdict.level, 'attention');
    assert.ok(digest.verdict.reasons.includes('1 ready ztunnel not connected to istiod'), digest.verdict.reasons.join(', '));
  });
});
