// BG2-5: the digest's Ambient section read ztunnel readiness only. `mesh-bot status` of the same mesh says Degraded
// when the istio-cni node agent is short of ready pods (README Ambient mode: "The mesh is degraded when a node lacks a
// ready ztunnel or CNI agent"; pods on that node cannot be captured), and when ready ztunnels hold no connection to
// istiod. The digest of that mesh said Healthy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ambientMesh, cluster, healthyAmbientDigestRules, meshBot, standIn, type Cluster, type StandIn } from '../breaker-ambient/support/harness.ts';
import { putRootCert } from '../mesh/digest/harness.ts';
import { ROOT_2056 } from '../breaker-analyze/support/sidecar.ts';

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
    const { digest, status } = await digestAndStatus(healthy, await standIn('1.30.3', healthyAmbientDigestRules(3)));
    assert.equal(status, 'healthy');
    assert.equal(digest.verdict.level, 'healthy', digest.verdict.reasons.join(', '));
  });

  it('istio-cni 2/3 ready: status says degraded, and the digest needs attention naming the agent', async () => {
    const { digest, status } = await digestAndStatus(cniShort, await standIn('1.30.3', healthyAmbientDigestRules(3)));
    assert.equal(status, 'degraded');
    assert.equal(digest.verdict.level, 'attention');
    assert.ok(digest.verdict.reasons.includes('istio-cni node agent 2/3 ready'), digest.verdict.reasons.join(', '));
  });

  it('3 ztunnels ready, 2 connected to istiod: status says degraded, and the digest needs attention', async () => {
    const { digest, status } = await digestAndStatus(healthy, await standIn('1.30.3', healthyAmbientDigestRules(2)));
    assert.equal(status, 'degraded');
    assert.equal(digest.verdict.level, 'attention');
    assert.ok(digest.verdict.reasons.includes('1 ready ztunnel not connected to istiod'), digest.verdict.reasons.join(', '));
  });
});
