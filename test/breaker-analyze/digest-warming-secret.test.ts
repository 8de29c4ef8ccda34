// BD-10: a sampled sidecar whose workload certificate never arrived (istiod's CA does not sign: Envoy keeps the
// `default` secret WARMING) made the digest say "rotation on schedule, 0 certificates checked" and Healthy, while
// `mesh-bot pc secret` of the same proxy says "WARMING, no certificate yet". README Certificate health: "A secret Envoy
// is still waiting for (WARMING) needs attention"; the digest judges the sample "by the rotation rule".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selfSignedRootPem } from '../../src/sandbox/root-ca.ts';
import { meshBot, proxyStatusJson } from '../breaker-ambient/support/harness.ts';
import { ISTIOD } from '../mesh/digest/harness.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';
import { PRODUCTPAGE, terminalWorld } from './support/sidecar.ts';

// `proxy-config secret -o json` holding the secrets of the 1.29+ table with a WARMING row (corpus
// proxy-config/secret/istio/v1.29+_output.txt): `default` never received (a warming secret without a certificate),
// and the corpus ROOTCA.
const WARMING = secretsConfigDumpJson(
  [{ name: 'ROOTCA', trustedCa: selfSignedRootPem({ serial: '0193a543fe2b0d9cd4847675394dfc54', notBefore: '2023-05-05T03:41:33Z', notAfter: '2033-05-02T03:41:33Z' }) }],
  [{ name: 'default', versionInfo: 'uninitialized' }],
);

describe('digest when a sampled proxy has no workload certificate yet', () => {
  const world = terminalWorld('1.30.3', [
    // The proxy runs istiod's version (1.24.2): nothing else needs attention.
    { when: ['proxy-status'], stdout: proxyStatusJson(ISTIOD, '1.30.3', [{ id: `${PRODUCTPAGE}.bookinfo`, version: '1.24.2', types: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } }]) },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['proxy-config', 'secret'], stdout: WARMING },
  ]);

  it('pc secret and the digest agree: the certificate is missing, not on schedule', async () => {
    const { env } = world();
    const secret = await meshBot(['pc', 'secret', `${PRODUCTPAGE}.bookinfo`], env);
    assert.match(secret.stdout, /default .*WARMING, no certificate yet/);

    const text = (await meshBot(['digest'], env)).stdout;
    assert.doesNotMatch(text, /rotation on schedule/);
    assert.match(text, new RegExp(`${PRODUCTPAGE}\\.bookinfo default: WARMING, no certificate yet`));
    const json = JSON.parse((await meshBot(['digest', '-o', 'json'], env)).stdout) as { verdict: { level: string; reasons: string[] } };
    assert.equal(json.verdict.level, 'attention', json.verdict.reasons.join(', '));
  });
});
