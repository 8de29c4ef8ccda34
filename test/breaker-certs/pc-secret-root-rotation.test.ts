// A root CA rotation (Istio's plugged-in CA guide: the trust bundle holds the old and the new root for a while): the
// proxy's ROOTCA secret and the istio-ca-root-cert ConfigMap hold the same two roots, the old one first and expired
// since yesterday, the new one valid for ten years; the workload certificate is already issued under the new root.
// The digest judges the ConfigMap's bundle by the root that expires last ("the one the mesh can keep using"), but
// `pc secret` judged ROOTCA by the first root of the bundle only: CRITICAL, "rotate the CA now", after a rotation done
// right — and the same digest then contradicted itself ("root CA healthy" and "1 proxy CA expired").

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selfSignedRootPem, workloadCertificatePem } from '../../src/sandbox/root-ca.ts';
import { hoursFromNow, meshBot } from '../breaker-ambient/support/harness.ts';
import { ONE_PROXY, PRODUCTPAGE, terminalWorld } from '../breaker-analyze/support/sidecar.ts';
import { putRootCert } from '../mesh/digest/harness.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';

const POD = `${PRODUCTPAGE}.bookinfo`;
const DAY = 24;

function bundle(old: { notAfterHours: number }): { dump: string; pem: string } {
  const oldRoot = selfSignedRootPem({ serial: '4d04', notBefore: hoursFromNow(-DAY * 3650), notAfter: hoursFromNow(old.notAfterHours) });
  const newRoot = selfSignedRootPem({ serial: '3c03', notBefore: hoursFromNow(-DAY * 30), notAfter: hoursFromNow(DAY * 3650) });
  const leaf = workloadCertificatePem({ serial: '1a01', notBefore: hoursFromNow(-2), notAfter: hoursFromNow(22) }, 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage');
  const pem = oldRoot + newRoot;
  return { dump: secretsConfigDumpJson([{ name: 'default', chain: [leaf, newRoot] }, { name: 'ROOTCA', trustedCa: pem }]), pem };
}

interface CertificateJson {
  name: string;
  type: string;
  serial: string;
  notAfter: string;
  health: { level: string };
}

describe('pc secret and the digest during a root rotation (old root expired yesterday, new root valid)', () => {
  const roots = bundle({ notAfterHours: -DAY });
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-status'], stdout: ONE_PROXY },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['proxy-config', 'secret'], stdout: roots.dump },
  ]);

  it('pc secret: the ROOTCA the proxy holds is healthy (its bundle has a valid root), exit 0, nothing critical', async () => {
    const run = await meshBot(['pc', 'secret', POD, '-o', 'json'], world().env);
    assert.equal(run.code, 0, run.stderr);
    const rootca = (JSON.parse(run.stdout) as { certificates: CertificateJson[] }).certificates.find((cert) => cert.name === 'ROOTCA');
    assert.equal(rootca?.health.level, 'healthy');
    assert.ok(rootca && Date.parse(rootca.notAfter) > Date.now() + 3000 * 86_400_000, 'the root it can keep using');
    const text = (await meshBot(['pc', 'secret', POD], world().env)).stdout;
    assert.doesNotMatch(text, /CRITICAL|rotate the CA now/, text);
  });

  it('the digest agrees with itself: neither the root CA nor the proxy CA makes it critical', async () => {
    putRootCert(world().kube.api, 'istio-system', roots.pem);
    const json = JSON.parse((await meshBot(['digest', '-o', 'json'], world().env)).stdout) as { verdict: { level: string; reasons: string[] } };
    assert.notEqual(json.verdict.level, 'critical', json.verdict.reasons.join('; '));
    assert.deepEqual(json.verdict.reasons.filter((reason) => /CA|expired/.test(reason)), []);
  });
});

describe('a ROOTCA whose every root expired stays critical', () => {
  const roots = (() => {
    const a = selfSignedRootPem({ serial: '4d04', notBefore: hoursFromNow(-DAY * 3650), notAfter: hoursFromNow(-DAY) });
    const b = selfSignedRootPem({ serial: '5e05', notBefore: hoursFromNow(-DAY * 3650), notAfter: hoursFromNow(-2 * DAY) });
    const leaf = workloadCertificatePem({ serial: '1a01', notBefore: hoursFromNow(-2), notAfter: hoursFromNow(22) }, 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage');
    return secretsConfigDumpJson([{ name: 'default', chain: [leaf] }, { name: 'ROOTCA', trustedCa: a + b }]);
  })();
  const world = terminalWorld('1.24.2', [{ when: ['proxy-config', 'secret'], stdout: roots }]);

  it('pc secret: ROOTCA CRITICAL, expired', async () => {
    const text = (await meshBot(['pc', 'secret', POD], world().env)).stdout;
    assert.match(text, /ROOTCA \(CA\): CRITICAL, expired 24 h ago → rotate the CA now/);
  });
});
