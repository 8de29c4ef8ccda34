// A root rotation in progress with two roots in the trust bundle, under a CA that sends the leaf alone (an external
// CA such as cert-manager's istio-csr sends the chain without its root): the workload certificates are still issued
// under the OLD root, which expires in 10 days, while ROOTCA (and the istio-ca-root-cert ConfigMap) also hold the NEW
// root, valid for 30 years. ROOTCA is shown by the root that expires last (README: "which the proxy keeps verifying
// with"), so `pc secret` and the digest read "healthy" all round, though in 10 days every workload certificate stops
// verifying unless istiod switches to the new root first. With the root sent behind the leaf the old root is a
// `default (CA)` row and critical (test/breaker-certs/pc-secret-root-rotation); without it, the root that signed the
// chain is found in ROOTCA by its signature, and judged the same way.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selfSignedRootPem, workloadCertificatePem } from '../../src/sandbox/root-ca.ts';
import { hoursFromNow, meshBot } from '../breaker-ambient/support/harness.ts';
import { ONE_PROXY, PRODUCTPAGE, ROOT_2056, terminalWorld } from '../breaker-analyze/support/sidecar.ts';
import { putRootCert } from '../mesh/digest/harness.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';

const POD = `${PRODUCTPAGE}.bookinfo`;
const DAY = 24;

/** The old root (the sandbox CA's key, which signs the leaf) with `daysLeft`, and the new one (another key, to 2056). */
function rotation(daysLeft: number): { dump: string; bundle: string } {
  const oldRoot = selfSignedRootPem({ serial: '4d04', notBefore: hoursFromNow(-DAY * 3650), notAfter: hoursFromNow(DAY * daysLeft) });
  const leaf = workloadCertificatePem({ serial: '1a01', notBefore: hoursFromNow(-2), notAfter: hoursFromNow(22) }, 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage');
  const bundle = oldRoot + ROOT_2056;
  return { dump: secretsConfigDumpJson([{ name: 'default', chain: [leaf] }, { name: 'ROOTCA', trustedCa: bundle }]), bundle };
}

interface SecretJson {
  certificates: { name: string; type: string; serial: string; health: { level: string; action: string } }[];
}
interface DigestJson {
  verdict: { level: string; reasons: string[] };
}

describe('a leaf sent alone, issued under the old root of a two-root bundle, 10 days before that root expires', () => {
  const { dump, bundle } = rotation(10);
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-status'], stdout: ONE_PROXY },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['proxy-config', 'secret'], stdout: dump },
  ]);

  it('pc secret: the root that signed it is a critical CA row under the chain\'s name', async () => {
    const run = await meshBot(['pc', 'secret', POD], world().env);
    assert.doesNotMatch(run.stdout, /all healthy/, run.stdout);
    assert.match(run.stdout, /default \(CA\): CRITICAL, expires in (9|10) days → rotate the CA now/, run.stdout);
    const json = JSON.parse((await meshBot(['pc', 'secret', POD, '-o', 'json'], world().env)).stdout) as SecretJson;
    const signing = json.certificates.find((cert) => cert.name === 'default' && cert.type === 'CA');
    assert.equal(signing?.serial, '00000000000000000000000000004d04');
    assert.equal(signing?.health.level, 'critical');
  });

  it('the digest is critical for it, though the ConfigMap\'s newest root is healthy', async () => {
    putRootCert(world().kube.api, 'istio-system', bundle);
    const json = JSON.parse((await meshBot(['digest', '-o', 'json'], world().env)).stdout) as DigestJson;
    assert.equal(json.verdict.level, 'critical', json.verdict.reasons.join('; '));
  });
});

describe('the same leaf, its root with 3 years left', () => {
  const world = terminalWorld('1.24.2', [{ when: ['proxy-config', 'secret'], stdout: rotation(1095).dump }]);

  it('pc secret: all healthy, the signing root judged once', async () => {
    const run = await meshBot(['pc', 'secret', POD], world().env);
    assert.match(run.stdout, /all healthy/, run.stdout);
  });
});
