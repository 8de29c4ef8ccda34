// Found by the breakers (BA-5): the digest's "earliest ztunnel certificate expiry" skipped the certificates ztunnel holds as
// Root, so a ztunnel trusting an expired root was "healthy, earliest expiry 2033" in the digest while
// `zc certificates` of the same ztunnels says "earliest NOT AFTER 2022-03-18 … CRITICAL".

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { AMBIENT, ambientMesh, cluster, meshBot, proxyStatusJson, standIn, ZTUNNELS, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster(ambientMesh());
  istioctl = await standIn('1.30.3', [
    { when: ['proxy-status'], stdout: proxyStatusJson('istiod-8c7b98fc4-mwjfp', '1.30.3', ZTUNNELS.map((z) => ({ id: `${z.pod}.istio-system`, version: '1.30.3', types: { WADS: 'SYNCED', WDS: 'SYNCED' } }))) },
    { when: ['analyze'], stdout: '[]\n' },
    // Every ztunnel: the corpus golden (a Leaf to 2033, a Root that ended 2022-03-18, three rows not Available).
    { when: ['ztunnel-config', 'certificate'], stdoutFile: `${AMBIENT}/ztunnel-config/certificates/v1.22+_secretsummary.txt` },
    { when: ['ztunnel-config', 'workload'], stdoutFile: `${AMBIENT}/ztunnel-config/workloads/v1.24+_workloadsummary.txt` },
    { when: ['waypoint', 'list'], stdout: 'No waypoints found.\n' },
  ]);
});
after(() => kube.close());

it('digest and zc certificates agree on the earliest ztunnel certificate expiry of the same ztunnels', async () => {
  const zc = await meshBot(['zc', 'certs'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.match(zc.stdout, /earliest NOT AFTER 2022-03-18T13:04:49Z/);

  const run = await meshBot(['digest', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  const json = JSON.parse(run.stdout) as { verdict: { level: string }; ambient: { certificates: { earliest: { notAfter: string } | null } } };
  assert.equal(json.ambient.certificates.earliest?.notAfter, '2022-03-18T13:04:49Z');
  // README Digests: Critical when "a certificate expired or about to expire".
  assert.equal(json.verdict.level, 'critical');
});
