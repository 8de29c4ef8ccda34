// Unusual but valid names: EKS node names with dots, a 63-character namespace (digits after its first letter) and
// a 63-character pod name. The workload pod resolves to its node's ztunnel.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { AMBIENT, cluster, daemonSet, meshBot, namespace, pod, standIn, type Cluster, type StandIn } from './support/harness.ts';

const NODE = 'ip-10-0-1-23.eu-west-1.compute.internal';
const OTHER = 'ip-10-0-7-9.eu-west-1.compute.internal';
const NS = `n${'0123456789'.repeat(6)}12`; // 63 characters
const POD = `p${'a1'.repeat(29)}b-x2`; // 63 characters

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  assert.equal(NS.length, 63);
  assert.equal(POD.length, 63);
  kube = await cluster([
    namespace('istio-system'),
    namespace(NS, { 'istio.io/dataplane-mode': 'ambient' }),
    daemonSet('ztunnel', { app: 'ztunnel' }, 2, 2),
    pod('ztunnel-aaaaa', 'istio-system', OTHER, { app: 'ztunnel' }, { container: 'istio-proxy' }),
    pod('ztunnel-bbbbb', 'istio-system', NODE, { app: 'ztunnel' }, { container: 'istio-proxy' }),
    pod(POD, NS, NODE, { app: 'long' }),
  ]);
  istioctl = await standIn('1.28.10', [
    { when: ['ztunnel-config', 'certificate'], stdoutFile: `${AMBIENT}/ztunnel-config/certificates/v1.22+_secretsummary.txt` },
    { when: ['ztunnel-config', 'workload'], stdoutFile: `${AMBIENT}/ztunnel-config/workloads/v1.24+_workloadsummary.txt` },
  ]);
});
after(() => kube.close());

it('zc certs --node with a dotted EKS node name reads the ztunnel on that node', async () => {
  const run = await meshBot(['zc', 'certs', '--node', NODE, '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { ztunnels: { read: { name: string; node: string }[] } };
  assert.deepEqual(json.ztunnels.read, [{ name: 'ztunnel-bbbbb', node: NODE }]);
});

it('zc workloads POD.NAMESPACE with 63-character names reads the ztunnel of the pod\'s node', async () => {
  const run = await meshBot(['zc', 'workloads', `${POD}.${NS}`, '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { ztunnels: { read: { name: string }[] }; workload: { name: string; namespace: string } | null };
  assert.deepEqual(json.ztunnels.read.map((z) => z.name), ['ztunnel-bbbbb']);
  assert.deepEqual(json.workload, { name: POD, namespace: NS });
  assert.ok((await istioctl.invocations()).some((argv) => argv.join(' ') === 'ztunnel-config workload ztunnel-bbbbb.istio-system'));
});
