// A plugged-in intermediate that lives no longer than caWarnDays (README: "rotated by software and left to the leaf it
// signed") that was NOT rotated: it expired yesterday, and istiod still sends it behind every new 24-hour leaf. Every
// peer now refuses the chain, but `pc secret` skipped the intermediate for its short life and judged the leaf by its own
// dates: "all healthy". A CA that expires before the leaf it signed breaks that chain first, whatever its lifetime; one
// the leaf does not outlive (SPIRE caps its leaves so) stays left to the leaf.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selfSignedRootPem, workloadCertificatePem } from '../../src/sandbox/root-ca.ts';
import { hoursFromNow, meshBot } from '../breaker-ambient/support/harness.ts';
import { ONE_PROXY, PRODUCTPAGE, terminalWorld } from '../breaker-analyze/support/sidecar.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';

const POD = `${PRODUCTPAGE}.bookinfo`;
const DAY = 24;

function dump(intermediate: { notBefore: string; notAfter: string }, leaf: { notBefore: string; notAfter: string }): string {
  const root = selfSignedRootPem({ serial: '0193a543fe2b0d9cd4847675394dfc54', notBefore: hoursFromNow(-DAY * 365), notAfter: hoursFromNow(DAY * 3285) });
  const ca = selfSignedRootPem({ serial: '7c07', ...intermediate });
  const workload = workloadCertificatePem({ serial: '1a01', ...leaf }, 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage');
  return secretsConfigDumpJson([{ name: 'default', chain: [workload, ca, root] }, { name: 'ROOTCA', trustedCa: root }]);
}

interface DigestJson {
  verdict: { level: string; reasons: string[] };
}

describe('a 60-day intermediate that expired yesterday, behind a leaf issued 2 h ago', () => {
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-status'], stdout: ONE_PROXY },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['proxy-config', 'secret'], stdout: dump({ notBefore: hoursFromNow(-DAY * 61), notAfter: hoursFromNow(-DAY) }, { notBefore: hoursFromNow(-2), notAfter: hoursFromNow(22) }) },
  ]);

  it('pc secret: the intermediate is a critical CA row, expired', async () => {
    const run = await meshBot(['pc', 'secret', POD], world().env);
    assert.doesNotMatch(run.stdout, /all healthy/, run.stdout);
    assert.match(run.stdout, /default \(CA\): CRITICAL, expired 24 h ago/, run.stdout);
  });

  it('the digest is critical', async () => {
    const json = JSON.parse((await meshBot(['digest', '-o', 'json'], world().env)).stdout) as DigestJson;
    assert.equal(json.verdict.level, 'critical', json.verdict.reasons.join('; '));
  });
});

describe('a 1-day intermediate with 20 h left, behind a 1-hour leaf it outlives (SPIRE)', () => {
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-config', 'secret'], stdout: dump({ notBefore: hoursFromNow(-4), notAfter: hoursFromNow(20) }, { notBefore: hoursFromNow(-0.1), notAfter: hoursFromNow(0.9) }) },
  ]);

  it('is left to the leaf: pc secret all healthy', async () => {
    const run = await meshBot(['pc', 'secret', POD], world().env);
    assert.match(run.stdout, /all healthy/, run.stdout);
  });
});
