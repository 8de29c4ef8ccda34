// A root rotation half done (Istio's plugged-in CA guide: a new root goes into the trust bundle BEFORE istiod signs
// with it): istiod already issues workload certificates under a new root (its own key, the same `O=cluster.local`
// name), but the proxy's ROOTCA still holds only the old root. Its peers, which trust only the old root too, can no
// longer verify it, and it cannot verify theirs: mTLS between them fails. `pc secret` and `pc all` judged each
// certificate by its dates alone and answered "all healthy": the README's "is rotation working?" answered yes for a
// rotation that breaks the mesh. The workload chain carries the root it was issued under (Istio's CA sends it behind
// the leaf), so whether ROOTCA holds that root (same name and key; a root re-signed with the same key is the same
// root) can be read from the same dump.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selfSignedRootPem, workloadCertificatePem } from '../../src/sandbox/root-ca.ts';
import { hoursFromNow, meshBot } from '../breaker-ambient/support/harness.ts';
import { PRODUCTPAGE, ROOT_2056, terminalWorld } from '../breaker-analyze/support/sidecar.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';

const POD = `${PRODUCTPAGE}.bookinfo`;
const DAY = 24;
const IDENTITY = 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage';

/** The root istiod now signs with (the sandbox CA's key) and the 24-hour leaf it issued two hours ago, root behind it. */
const newRoot = selfSignedRootPem({ serial: '3c03', notBefore: hoursFromNow(-DAY * 30), notAfter: hoursFromNow(DAY * 3650) });
const leaf = workloadCertificatePem({ serial: '1a01', notBefore: hoursFromNow(-2), notAfter: hoursFromNow(22) }, IDENTITY);

interface SecretJson {
  certificates: { name: string; type: string; health: { level: string; state: string; summary: string; action: string } }[];
}

describe('a workload chain issued under a root the proxy\'s ROOTCA does not hold (ROOTCA: the old root, another key)', () => {
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-config', 'secret'], stdout: secretsConfigDumpJson([{ name: 'default', chain: [leaf, newRoot] }, { name: 'ROOTCA', trustedCa: ROOT_2056 }]) },
  ]);

  it('pc secret: the workload certificate is critical and says why and what to do', async () => {
    const run = await meshBot(['pc', 'secret', POD], world().env);
    assert.doesNotMatch(run.stdout, /all healthy/, run.stdout);
    assert.match(run.stdout, /default \(workload certificate\): CRITICAL, .*root .*ROOTCA does not hold.* → .*trust bundle/, run.stdout);
  });

  it('pc secret -o json: level critical, state untrusted', async () => {
    const json = JSON.parse((await meshBot(['pc', 'secret', POD, '-o', 'json'], world().env)).stdout) as SecretJson;
    const workload = json.certificates.find((cert) => cert.name === 'default' && cert.type !== 'CA');
    assert.deepEqual([workload?.health.level, workload?.health.state], ['critical', 'untrusted']);
  });
});

describe('pc all of the same proxy (its config dump\'s secrets)', () => {
  const secrets = JSON.parse(secretsConfigDumpJson([{ name: 'default', chain: [leaf, newRoot] }, { name: 'ROOTCA', trustedCa: ROOT_2056 }])) as Record<string, unknown>;
  const dump = { configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump', ...secrets }] };
  const world = terminalWorld('1.24.2', [{ when: ['proxy-config', 'all'], stdout: `${JSON.stringify(dump, null, 2)}\n` }]);

  it('is not healthy either', async () => {
    const run = await meshBot(['pc', 'all', POD], world().env);
    assert.match(run.stdout, /1 critical/, run.stdout);
    assert.match(run.stdout, /ROOTCA does not hold/, run.stdout);
  });
});

describe('the same chain once the rotation is done right (ROOTCA holds the old and the new root)', () => {
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-config', 'secret'], stdout: secretsConfigDumpJson([{ name: 'default', chain: [leaf, newRoot] }, { name: 'ROOTCA', trustedCa: ROOT_2056 + newRoot }]) },
  ]);

  it('pc secret: all healthy', async () => {
    const run = await meshBot(['pc', 'secret', POD], world().env);
    assert.match(run.stdout, /all healthy/, run.stdout);
  });
});

describe('a root re-signed with the same key (new serial and dates, as Istio\'s guide extends a root) in ROOTCA', () => {
  const resigned = selfSignedRootPem({ serial: '4e05', notBefore: hoursFromNow(-DAY), notAfter: hoursFromNow(DAY * 7300) });
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-config', 'secret'], stdout: secretsConfigDumpJson([{ name: 'default', chain: [leaf, newRoot] }, { name: 'ROOTCA', trustedCa: resigned }]) },
  ]);

  it('is the same root: pc secret all healthy', async () => {
    const run = await meshBot(['pc', 'secret', POD], world().env);
    assert.match(run.stdout, /all healthy/, run.stdout);
  });
});
