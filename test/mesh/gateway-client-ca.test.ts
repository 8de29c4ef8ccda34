// A gateway doing MUTUAL TLS verifies clients with the CA bundle of its credentialName Secret (Envoy's SDS resource
// `kubernetes://NAME-cacert`). That CA is the operator's, not the mesh's: when it runs out, "new cacerts, restart
// istiod" (the mesh CA's advice) renews nothing. The advice names the Secret instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selfSignedRootPem } from '../../src/sandbox/root-ca.ts';
import { hoursFromNow, meshBot } from '../breaker-ambient/support/harness.ts';
import { ROOT_2056, terminalWorld } from '../breaker-analyze/support/sidecar.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';

const GATEWAY = 'istio-ingressgateway-5d8f7c9b6d-k2x9q.istio-system';
const clientCa = selfSignedRootPem({ serial: '5e06', notBefore: hoursFromNow(-24 * 700), notAfter: hoursFromNow(24 * 30) });

interface SecretJson {
  certificates: { name: string; type: string; health: { level: string; action: string } }[];
}

describe('a gateway\'s client CA bundle that expires in 30 days', () => {
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-config', 'secret'], stdout: secretsConfigDumpJson([{ name: 'kubernetes://bookinfo-mtls-cacert', trustedCa: clientCa }, { name: 'ROOTCA', trustedCa: ROOT_2056 }]) },
  ]);

  it('pc secret -o json: needs attention, renewed in the credentialName Secret, not by rotating the mesh CA', async () => {
    const run = await meshBot(['pc', 'secret', GATEWAY, '-o', 'json'], world().env);
    const json = JSON.parse(run.stdout) as SecretJson;
    const bundle = json.certificates.find((cert) => cert.name === 'kubernetes://bookinfo-mtls-cacert');
    assert.equal(bundle?.health.level, 'attention', run.stdout);
    assert.match(bundle?.health.action ?? '', /^renew the CA bundle in the Secret named in the gateway's credentialName \(its ca\.crt\)/);
    assert.doesNotMatch(bundle?.health.action ?? '', /cacerts|istiod/);
  });
});
