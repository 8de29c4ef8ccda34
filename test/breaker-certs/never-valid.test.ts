// A certificate whose NOT AFTER comes before its NOT BEFORE (the corpus's ztunnel golden prints one, in the past) can
// never be valid. Dated in the future it was "not valid until <NOT BEFORE> → check the clocks of the node and of the
// CA", needing attention only: the advice sends people after clocks, and the workload has no usable identity at any
// time. It is critical and says why.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ambientMesh, certificatesTable, cluster, hoursFromNow, meshBot, standIn, type Cluster, type StandIn } from '../breaker-ambient/support/harness.ts';

const IDENTITY = 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews';

describe('zc certificates: a Leaf whose NOT AFTER (in a day) precedes its NOT BEFORE (in two days)', () => {
  let kube: Cluster;
  let istioctl: StandIn;
  before(async () => {
    kube = await cluster(ambientMesh());
    istioctl = await standIn('1.30.3', [
      {
        when: ['ztunnel-config', 'certificate'],
        stdout: certificatesTable([
          { name: IDENTITY, type: 'Leaf', status: 'Available', valid: 'false', serial: 'aa01', notAfter: hoursFromNow(24), notBefore: hoursFromNow(48) },
          { name: IDENTITY, type: 'Root', status: 'Available', valid: 'true', serial: 'cc03', notAfter: hoursFromNow(24 * 3000), notBefore: hoursFromNow(-24 * 650) },
        ]),
      },
    ]);
  });
  after(() => kube.close());

  it('is critical, named as never valid, with no advice about clocks', async () => {
    const env = { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path };
    const run = await meshBot(['zc', 'certs', '--node', 'ambient-worker', '-o', 'json'], env);
    const leaf = (JSON.parse(run.stdout) as { certificates: { type: string; health: { level: string; summary: string; action: string } }[] }).certificates.find((row) => row.type === 'Leaf');
    assert.equal(leaf?.health.level, 'critical', leaf?.health.summary);
    assert.match(leaf?.health.summary ?? '', /never valid/);
    assert.doesNotMatch(leaf?.health.action ?? '', /clock/);
  });
});
