// An ingress gateway running Envoy's OAuth2 filter the way Istio users configure it (an EnvoyFilter whose
// token_secret and hmac_secret come from file-based SDS): its SecretsConfigDump holds two ACTIVE generic secrets
// beside its TLS certificate. They carry no certificate by design, yet `pc secret` called each "no certificate yet →
// Envoy is waiting for this secret", and the answer needed attention for as long as the filter is configured.
// README "Certificate health": only a secret Envoy is still waiting for (WARMING) needs attention.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selfSignedRootPem, workloadCertificatePem } from '../../src/sandbox/root-ca.ts';
import { hoursFromNow, meshBot } from '../breaker-ambient/support/harness.ts';
import { ONE_PROXY, PRODUCTPAGE, terminalWorld } from '../breaker-analyze/support/sidecar.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';

const POD = `${PRODUCTPAGE}.bookinfo`;
const REDACTED_BY_ENVOY = Buffer.from('[redacted]').toString('base64');

/** The dump with the OAuth2 filter's two generic secrets added, as Envoy's config_dump shows them (values redacted). */
function gatewayDump(warmingHmac: boolean): string {
  const root = selfSignedRootPem({ serial: '3c03', notBefore: hoursFromNow(-24 * 30), notAfter: hoursFromNow(24 * 3650) });
  const leaf = workloadCertificatePem({ serial: '1a01', notBefore: hoursFromNow(-2), notAfter: hoursFromNow(22) }, 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage');
  const dump = JSON.parse(secretsConfigDumpJson([{ name: 'default', chain: [leaf, root] }, { name: 'ROOTCA', trustedCa: root }])) as { dynamicActiveSecrets: unknown[]; dynamicWarmingSecrets?: unknown[] };
  const generic = (name: string) => ({
    name,
    versionInfo: '2026-12-07T00:00:00Z/1',
    lastUpdated: '2026-12-07T00:00:00Z',
    secret: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', name, genericSecret: { secret: { inlineBytes: REDACTED_BY_ENVOY } } },
  });
  dump.dynamicActiveSecrets.push(generic('token'));
  if (warmingHmac) dump.dynamicWarmingSecrets = [{ name: 'hmac', secret: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', name: 'hmac' } }];
  else dump.dynamicActiveSecrets.push(generic('hmac'));
  return `${JSON.stringify(dump, null, 4)}\n`;
}

interface Answer {
  certificates: { name: string; health: { level: string; summary: string } }[];
}

describe('pc secret of a gateway whose OAuth2 filter holds generic secrets', () => {
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-status'], stdout: ONE_PROXY },
    { when: ['proxy-config', 'secret'], stdout: gatewayDump(false) },
  ]);

  it('does not call an ACTIVE generic secret a certificate Envoy is waiting for', async () => {
    const run = await meshBot(['pc', 'secret', POD, '-o', 'json'], world().env);
    assert.equal(run.code, 0, run.stderr);
    const { certificates } = JSON.parse(run.stdout) as Answer;
    const waiting = certificates.filter((cert) => cert.health.level !== 'healthy').map((cert) => `${cert.name}: ${cert.health.summary}`);
    assert.deepEqual(waiting, []);
    assert.ok(certificates.some((cert) => cert.name === 'default') && certificates.some((cert) => cert.name === 'ROOTCA'), 'the certificates are still judged');
    const text = (await meshBot(['pc', 'secret', POD], world().env)).stdout;
    assert.doesNotMatch(text, /waiting for this secret/, text);
  });
});

describe('pc secret of a gateway whose OAuth2 HMAC secret never arrived', () => {
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-status'], stdout: ONE_PROXY },
    { when: ['proxy-config', 'secret'], stdout: gatewayDump(true) },
  ]);

  it('still says Envoy is waiting for it (WARMING)', async () => {
    const { certificates } = JSON.parse((await meshBot(['pc', 'secret', POD, '-o', 'json'], world().env)).stdout) as Answer;
    const hmac = certificates.find((cert) => cert.name === 'hmac');
    assert.equal(hmac?.health.level, 'attention');
    assert.equal(hmac?.health.summary, 'no certificate yet');
  });
});
