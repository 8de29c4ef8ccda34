// README Ambient mode: `certificates` without a POD or node summarises every ztunnel, "at most 20 (four istioctl
// runs at a time) and says how many of how many were read" — checked with 25 ztunnels whose istioctl runs each stay
// alive for a while and record how many were alive together.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { certificatesTable, cluster, daemonSet, hoursFromNow, meshBot, namespace, pod, standIn, type Cluster, type StandIn } from './support/harness.ts';

const ztunnels = Array.from({ length: 25 }, (_, index) => ({ pod: `ztunnel-z${String(index).padStart(2, '0')}`, node: `node-${String(index).padStart(2, '0')}` }));
let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster([namespace('istio-system'), daemonSet('ztunnel', { app: 'ztunnel' }, 25, 25), ...ztunnels.map((z) => pod(z.pod, 'istio-system', z.node, { app: 'ztunnel' }, { container: 'istio-proxy' }))]);
  const healthy = certificatesTable([{ name: 'spiffe://cluster.local/ns/shop/sa/cart', type: 'Leaf', status: 'Available', valid: 'true', serial: '01', notAfter: hoursFromNow(22), notBefore: hoursFromNow(-2) }]);
  istioctl = await standIn('1.28.10', [{ when: ['ztunnel-config', 'certificate'], stdout: healthy, holdMs: 300 }]);
});
after(() => kube.close());

it('zc certs -o json with 25 ztunnels: 20 read, never more than 4 istioctl runs alive at once, 25 in total said', async () => {
  const run = await meshBot(['zc', 'certs', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { errors: string[]; ztunnels: { read: { name: string }[]; total: number }; certificates: unknown[] };
  assert.deepEqual(json.errors, []);
  assert.equal(json.ztunnels.total, 25);
  assert.equal(json.ztunnels.read.length, 20);
  assert.equal(json.certificates.length, 20);
  const runs = (await istioctl.invocations()).filter((argv) => argv.includes('ztunnel-config'));
  assert.equal(runs.length, 20);
  const alive = await istioctl.concurrency();
  assert.equal(alive.length, 20);
  assert.ok(Math.max(...alive) <= 4, `up to ${Math.max(...alive)} istioctl runs alive at once`);
});
