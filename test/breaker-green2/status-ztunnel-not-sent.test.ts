// BG2-8: DESIGN §11: "A ztunnel row is healthy when its WDS/WADS are SYNCED". A ztunnel whose WDS istiod has not sent
// (1.30 `-o json` configStatus NOT_SENT: istiod has not pushed it any workload yet — its node's pods are unknown to it)
// was neither SYNCED nor a problem for `status`: the Ambient block read "3 ztunnels connected to istiod: 2 WDS/WADS
// SYNCED" and the verdict was Healthy.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ambientMesh, certificatesTable, cluster, hoursFromNow, meshBot, proxyStatusJson, standIn, tabwrite, ZTUNNELS, type Cluster } from '../breaker-ambient/support/harness.ts';
import { putRootCert } from '../mesh/digest/harness.ts';
import { ROOT_2056 } from '../breaker-analyze/support/sidecar.ts';

let kube: Cluster;
before(async () => {
  kube = await cluster(ambientMesh({ istiodVersion: '1.30.3' }));
  putRootCert(kube.api, 'istio-system', ROOT_2056);
});
after(() => kube.close());

// The ztunnel on ambient-worker holds WADS but no WDS from istiod.
const JSON_OUT = proxyStatusJson(
  'istiod-8c7b98fc4-mwjfp',
  '1.30.3',
  ZTUNNELS.map((z, index) => ({ id: `${z.pod}.istio-system`, version: '1.30.3', types: { WADS: 'SYNCED', WDS: index === 1 ? 'NOT_SENT' : 'SYNCED' } })),
);

it('a ztunnel whose WDS istiod has not sent is no healthy ztunnel: degraded, and said', async () => {
  const istioctl = await standIn('1.30.3', [{ when: ['proxy-status'], stdout: JSON_OUT }]);
  const env = { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path };
  const json = JSON.parse((await meshBot(['status', '-o', 'json'], env)).stdout) as { verdict: string };
  assert.equal(json.verdict, 'degraded');
  const text = (await meshBot(['status'], env)).stdout;
  assert.match(text, /^Mesh status: default — Degraded/);
  assert.match(text, /3 ztunnels connected to istiod: 2 WDS\/WADS SYNCED, 1 not SYNCED/);
});

// The digest of the same mesh, every other part healthy (certificates on schedule, every pod captured, no waypoint).
const CERTIFICATES = certificatesTable([
  { name: 'spiffe://cluster.local/ns/istio-system/sa/ztunnel', type: 'Leaf', status: 'Available', valid: 'true', serial: 'e5dfb59150b2ba7f108d93dcec5aa613', notAfter: hoursFromNow(22), notBefore: hoursFromNow(-2) },
  { name: 'spiffe://cluster.local/ns/istio-system/sa/ztunnel', type: 'Root', status: 'Available', valid: 'true', serial: '8a516645c40ce76c2c0d27ab4e2461c1', notAfter: hoursFromNow(24 * 3650), notBefore: hoursFromNow(-24 * 365) },
]);
const WORKLOADS = tabwrite([['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], ['bookinfo', 'details-v1-698d88b-dqrbr', '10.244.2.51', 'ambient-worker2', 'None', 'HBONE']], 1);

it('the digest of that mesh needs attention for that ztunnel, as status calls it degraded', async () => {
  const istioctl = await standIn('1.30.3', [
    { when: ['proxy-status'], stdout: JSON_OUT },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['ztunnel-config', 'certificate'], stdout: CERTIFICATES },
    { when: ['ztunnel-config', 'workload'], stdout: WORKLOADS },
    { when: ['waypoint', 'list'], stdout: 'No waypoints found.\n' },
  ]);
  const digest = JSON.parse((await meshBot(['digest', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path })).stdout) as { verdict: { level: string; reasons: string[] } };
  assert.equal(digest.verdict.level, 'attention', digest.verdict.reasons.join(', '));
  assert.deepEqual(digest.verdict.reasons, ['1 ztunnel without every WDS/WADS SYNCED']);
});
