// ztunnel-config certificates from the outside: certificates near expiry, expired, overdue for rotation, across
// every ztunnel, with tables built in the corpus layout (certificates/v1.22+_secretsummary.txt) around today's date.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ambientMesh, certificatesTable, cluster, hoursFromNow, meshBot, standIn, ZTUNNELS, type Cluster, type StandIn } from './support/harness.ts';

const leaf = 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews';
const root = 'spiffe://cluster.local/ns/istio-system/sa/istiod';
const farRoot = { name: root, type: 'Root', status: 'Available', valid: 'true', serial: 'bb01', notAfter: hoursFromNow(24 * 3650), notBefore: hoursFromNow(-24 * 365) };

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster(ambientMesh());
  const tables = [
    // Healthy 24 h leaf, but the Root CA ends in 5 days.
    certificatesTable([
      { name: leaf, type: 'Leaf', status: 'Available', valid: 'true', serial: 'aa01', notAfter: hoursFromNow(22), notBefore: hoursFromNow(-2) },
      { name: root, type: 'Root', status: 'Available', valid: 'true', serial: 'bb01', notAfter: hoursFromNow(5 * 24), notBefore: hoursFromNow(-24 * 3650) },
    ]),
    // The leaf expired a day ago.
    certificatesTable([{ name: leaf, type: 'Leaf', status: 'Available', valid: 'false', serial: 'aa02', notAfter: hoursFromNow(-24), notBefore: hoursFromNow(-48) }, farRoot]),
    // Past half its life: rotation overdue, 4 h left.
    certificatesTable([{ name: leaf, type: 'Leaf', status: 'Available', valid: 'true', serial: 'aa03', notAfter: hoursFromNow(4), notBefore: hoursFromNow(-20) }, farRoot]),
  ];
  istioctl = await standIn('1.26.8', ZTUNNELS.map((ztunnel, index) => ({ when: ['ztunnel-config', 'certificate', `${ztunnel.pod}.istio-system`], stdout: tables[index] })));
});
after(() => kube.close());

interface CertificatesJson {
  errors: string[];
  ztunnels: { read: { name: string; node: string }[]; total: number };
  certificates: { name: string; type: string; status: string; valid: boolean; serial: string; notAfter: string; daysRemaining: number | null; ztunnel: string }[];
}

describe('zc certificates across every ztunnel (1.26 stand-in)', () => {
  it('text: the expired leaf and the Root ending in 5 days are CRITICAL, the overdue rotation needs attention, earliest NOT AFTER is the expired one', async () => {
    const run = await meshBot(['zc', 'certs'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    assert.equal(run.code, 0, run.stderr);
    const expired = hoursFromNow(-24).slice(0, 13); // to the hour: the table was built a moment earlier
    assert.match(run.stdout, new RegExp(`^ztunnel-config certificates: 3 of 3 ztunnels .*earliest NOT AFTER ${expired}`));
    assert.match(run.stdout, /ztunnel-xljhg \(node ambient-worker\): 2 certificates, .*expired .*CRITICAL/);
    assert.match(run.stdout, /ztunnel-n5bg2: spiffe:\/\/cluster\.local\/ns\/istio-system\/sa\/istiod \(Root\): CRITICAL, expires in 4 days/);
    assert.match(run.stdout, /ztunnel-qk2pp: spiffe:\/\/cluster\.local\/ns\/bookinfo\/sa\/bookinfo-reviews \(Leaf\): rotation overdue/);
  });

  it('-o json: every certificate of every ztunnel with the contract fields, valid a boolean, the CA within 7 days counted in days', async () => {
    const run = await meshBot(['zc', 'certificates', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as CertificatesJson;
    assert.deepEqual(json.errors, []);
    assert.equal(json.ztunnels.total, 3);
    assert.equal(json.certificates.length, 6);
    const caSoon = json.certificates.find((row) => row.ztunnel === 'ztunnel-n5bg2' && row.type === 'Root');
    assert.deepEqual([caSoon?.status, caSoon?.valid, caSoon?.serial, caSoon?.daysRemaining], ['Available', true, 'bb01', 4]);
    const expired = json.certificates.find((row) => row.serial === 'aa02');
    assert.equal(expired?.valid, false);
    assert.ok((expired?.daysRemaining ?? 0) < 0, 'an expired certificate has negative days remaining');
  });

  it('--node reads only that node\'s ztunnel', async () => {
    const run = await meshBot(['zc', 'certs', '--node', 'ambient-worker2', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as CertificatesJson;
    assert.deepEqual(json.ztunnels.read, [{ name: 'ztunnel-qk2pp', node: 'ambient-worker2' }]);
    assert.deepEqual(json.certificates.map((row) => row.serial).sort(), ['aa03', 'bb01']);
  });
});
