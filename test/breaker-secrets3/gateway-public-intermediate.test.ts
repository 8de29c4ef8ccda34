// An ingress gateway serving a certificate from a public CA (cert-manager and Let's Encrypt, the usual
// `credentialName` Secret): the chain in its SDS secret is the 90-day leaf and the CA's intermediate, which lives
// three years and is replaced by the CA, not by anyone running the mesh. `pc secret`, `pc all` and the digest added
// every CA behind every leaf as a "plugged-in CA" (README: the `cacerts` intermediates behind the workload chain), so
// once that public intermediate had fewer than caWarnDays (90) left, the gateway needed attention with "plan the CA
// rotation: new cacerts, then restart istiod and roll the workloads", and under 14 days the digest went red with
// "rotate the CA now": neither is true, nor is anything to do on the mesh's side. The leaf it sits behind is judged
// already (renewed where it is issued). A chain that is really broken — an intermediate expiring before the leaf it
// signed — still shows.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selfSignedRootPem, workloadCertificatePem } from '../../src/sandbox/root-ca.ts';
import { hoursFromNow, meshBot, proxyStatus122 } from '../breaker-ambient/support/harness.ts';
import { terminalWorld } from '../breaker-analyze/support/sidecar.ts';
import { ISTIOD } from '../mesh/digest/harness.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';

const DAY = 24;
const GATEWAY = 'istio-ingressgateway-5c8d9f7b6-q2w3e';
const POD = `${GATEWAY}.istio-system`;
const GATEWAY_PROXY = proxyStatus122([{ name: POD, states: ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT'], istiod: ISTIOD, version: '1.24.2' }]);

/** The gateway's own mesh identity and trust bundle, healthy, and a public-CA credential for bookinfo.example.com. */
function gatewaySecrets(intermediate: { daysLeft: number }, leaf: { daysLeft: number }): string {
  const root = selfSignedRootPem({ serial: '0193a543fe2b0d9cd4847675394dfc54', notBefore: hoursFromNow(-DAY * 365), notAfter: hoursFromNow(DAY * 3285) });
  const identity = workloadCertificatePem({ serial: '6fbee254c22900615cb1f74e3d2f1713', notBefore: hoursFromNow(-2), notAfter: hoursFromNow(22) }, 'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway');
  // A three-year intermediate of a public CA, and the 90-day leaf it signed.
  const publicIntermediate = selfSignedRootPem({ serial: '5e01', notBefore: hoursFromNow(-DAY * (1095 - intermediate.daysLeft)), notAfter: hoursFromNow(DAY * intermediate.daysLeft) });
  const credential = workloadCertificatePem({ serial: '2b01', notBefore: hoursFromNow(-DAY * (90 - leaf.daysLeft)), notAfter: hoursFromNow(DAY * leaf.daysLeft) }, 'spiffe://bookinfo.example.com');
  return secretsConfigDumpJson([
    { name: 'default', chain: [identity, root] },
    { name: 'ROOTCA', trustedCa: root },
    { name: 'kubernetes://bookinfo-credential', chain: [credential, publicIntermediate] },
  ]);
}

interface SecretJson {
  certificates: { name: string; type: string; health: { level: string; action: string } }[];
}
interface DigestJson {
  verdict: { level: string; reasons: string[] };
}

describe('a gateway whose public-CA credential chain has an intermediate with 10 days left, behind a leaf with 8 days left', () => {
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-status'], stdout: GATEWAY_PROXY },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['proxy-config', 'secret'], stdout: gatewaySecrets({ daysLeft: 10 }, { daysLeft: 8 }) },
  ]);

  it('pc secret names the credential to renew, never a mesh CA rotation', async () => {
    const run = await meshBot(['pc', 'secret', POD], world().env);
    assert.match(run.stdout, /kubernetes:\/\/bookinfo-credential \(certificate\): .*renew it where it is issued/, run.stdout);
    assert.doesNotMatch(run.stdout, /\(CA\): .*(expires in|CRITICAL)|cacerts|rotate the CA/, run.stdout);
    const json = JSON.parse((await meshBot(['pc', 'secret', POD, '-o', 'json'], world().env)).stdout) as SecretJson;
    assert.deepEqual(json.certificates.filter((cert) => cert.type === 'CA' && cert.health.level !== 'healthy').map((cert) => cert.name), []);
  });

  it('the digest does not call it a CA to rotate', async () => {
    const json = JSON.parse((await meshBot(['digest', '-o', 'json'], world().env)).stdout) as DigestJson;
    assert.deepEqual(json.verdict.reasons.filter((reason) => /\bCA\b/.test(reason)), [], json.verdict.reasons.join('; '));
  });
});

describe('the same gateway 60 days before the intermediate expires, its leaf renewed last week', () => {
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-status'], stdout: GATEWAY_PROXY },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['proxy-config', 'secret'], stdout: gatewaySecrets({ daysLeft: 60 }, { daysLeft: 55 }) },
  ]);

  it('pc secret: every certificate healthy, nothing to do', async () => {
    const run = await meshBot(['pc', 'secret', POD], world().env);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /ATTENTION|CRITICAL|plan the CA rotation|expires in/i, run.stdout);
  });

  it('the digest names no certificate', async () => {
    const json = JSON.parse((await meshBot(['digest', '-o', 'json'], world().env)).stdout) as DigestJson;
    assert.deepEqual(json.verdict.reasons.filter((reason) => /certificate|CA\b/.test(reason)), [], json.verdict.reasons.join('; '));
  });
});

describe('a broken credential chain: the intermediate expires in 5 days, before the 60-day-left leaf it signed', () => {
  const world = terminalWorld('1.24.2', [{ when: ['proxy-config', 'secret'], stdout: gatewaySecrets({ daysLeft: 5 }, { daysLeft: 60 }) }]);

  it('still shows as critical in pc secret', async () => {
    const json = JSON.parse((await meshBot(['pc', 'secret', POD, '-o', 'json'], world().env)).stdout) as SecretJson;
    const behind = json.certificates.find((cert) => cert.name === 'kubernetes://bookinfo-credential' && cert.type === 'CA');
    assert.equal(behind?.health.level, 'critical');
  });
});
