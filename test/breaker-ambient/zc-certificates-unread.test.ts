// Found by the breakers (BA-1): a ztunnel whose istioctl run failed was counted as read.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { certificatesTable, cluster, daemonSet, hoursFromNow, meshBot, namespace, pod, standIn, type Cluster, type StandIn } from './support/harness.ts';

const ztunnels = Array.from({ length: 25 }, (_, index) => ({ pod: `ztunnel-z${String(index).padStart(2, '0')}`, node: `node-${index}` }));
let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster([namespace('istio-system'), daemonSet('ztunnel', { app: 'ztunnel' }, 25, 25), ...ztunnels.map((z) => pod(z.pod, 'istio-system', z.node, { app: 'ztunnel' }, { container: 'istio-proxy' }))]);
  const healthy = certificatesTable([{ name: 'spiffe://cluster.local/ns/a/sa/b', type: 'Leaf', status: 'Available', valid: 'true', serial: '01', notAfter: hoursFromNow(22), notBefore: hoursFromNow(-2) }]);
  istioctl = await standIn('1.28.10', [
    { when: ['ztunnel-config', 'certificate', 'ztunnel-z03.istio-system'], stderr: 'Error: failure running port forward process: pod ztunnel-z03 is not running\n', exit: 1 },
    { when: ['ztunnel-config', 'certificate'], stdout: healthy },
  ]);
});
after(() => kube.close());

it('25 ztunnels, one istioctl run fails: the answer never says that ztunnel was read', async () => {
  const text = await meshBot(['zc', 'certs'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /certificates of 19 of 25 ztunnels read/);
  assert.match(text.stderr, /ztunnel-z03/);
  // The second line must agree with the first: 19 were read, not 20.
  assert.doesNotMatch(text.stdout, /Read 20 of 25 ztunnels/);

  const json = await meshBot(['zc', 'certs', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  const parsed = JSON.parse(json.stdout) as { ztunnels: { read: { name: string }[]; total: number } };
  assert.equal(parsed.ztunnels.total, 25);
  assert.ok(!parsed.ztunnels.read.some((ztunnel) => ztunnel.name === 'ztunnel-z03'), 'ztunnels.read lists a ztunnel whose certificates could not be read');
});
