// README Digests, no false green: "it is at least Needs attention while any section but canaries and approval
// requests is unread". The Ambient section reads "ztunnels ready vs desired (the ztunnel DaemonSet, one per node)"
// and the istio-cni node agent from the DaemonSets. When they cannot be listed (an API error, RBAC trimmed), the
// ztunnel pods stand in — but pods cannot tell a node that has no ztunnel pod at all, nor the node agent: the
// digest said "ztunnels 3/3 ready" and Healthy. Without the ztunnel pods, the certificate sample said "none held yet".

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ambientMesh, cluster, daemonSet, healthyAmbientDigestRules, meshBot, standIn, type Cluster, type StandIn } from '../breaker-ambient/support/harness.ts';
import { putRootCert } from '../mesh/digest/harness.ts';
import { ROOT_2056 } from '../breaker-analyze/support/sidecar.ts';

interface DigestJson {
  verdict: { level: string; reasons: string[]; unavailable: string[] };
  errors: string[];
}

let istioctl: StandIn;
const clusters: Cluster[] = [];
before(async () => {
  istioctl = await standIn('1.30.3', healthyAmbientDigestRules());
});
after(() => Promise.all(clusters.map((kube) => kube.close())));

/** A fourth node the ztunnel DaemonSet should run on, whose ztunnel pod is gone: 3 of 4 ready. One per test (faults stay queued). */
async function mesh(): Promise<Cluster> {
  const kube = await cluster([...ambientMesh({ istiodVersion: '1.30.3' }).filter((object) => object.kind !== 'DaemonSet'), daemonSet('ztunnel', { app: 'ztunnel' }, 4, 3), daemonSet('istio-cni-node', { 'k8s-app': 'istio-cni-node' }, 4, 4)]);
  putRootCert(kube.api, 'istio-system', ROOT_2056);
  clusters.push(kube);
  return kube;
}

async function digest(kube: Cluster): Promise<{ json: DigestJson; text: string }> {
  const env = { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path };
  const [json, text] = await Promise.all([meshBot(['digest', '-o', 'json'], env), meshBot(['digest'], env)]);
  return { json: JSON.parse(json.stdout) as DigestJson, text: text.stdout };
}

it('with the DaemonSets readable: ztunnels 3/4 ready, needing attention (the baseline of this test)', async () => {
  const { json } = await digest(await mesh());
  assert.equal(json.verdict.level, 'attention');
  assert.ok(json.verdict.reasons.includes('ztunnels 3/4 ready'), json.verdict.reasons.join(', '));
});

it('with the DaemonSets unreadable: not Healthy, and the digest says what it could not read', async () => {
  const kube = await mesh();
  kube.api.failNext({ method: 'GET', pathPattern: /\/daemonsets$/, status: 403, times: 1000 });
  const { json, text } = await digest(kube);
  assert.notEqual(json.verdict.level, 'healthy', `verdict ${json.verdict.level}: ${json.verdict.reasons.join(', ')}`);
  assert.ok(json.verdict.unavailable.some((name) => /DaemonSet/.test(name)), `unavailable: ${json.verdict.unavailable.join(', ')}`);
  assert.ok(json.errors.some((error) => /DaemonSet/.test(error)), json.errors.join(' | '));
  assert.match(text, /DaemonSets: unavailable: .*forbidden/i);
});

it('with the ztunnel pods unlistable: the certificate sample is unavailable, not "none held yet"', async () => {
  const kube = await mesh();
  kube.api.failNext({ method: 'GET', pathPattern: /^\/api\/v1\/pods$/, status: 403, times: 1000 });
  const { json, text } = await digest(kube);
  assert.notEqual(json.verdict.level, 'healthy');
  assert.ok(json.verdict.unavailable.includes('ztunnel certificates'), `unavailable: ${json.verdict.unavailable.join(', ')}`);
  assert.doesNotMatch(text, /ztunnel certificates: none held yet/);
  assert.match(text, /ztunnel certificates: unavailable: .*forbidden/i);
});
