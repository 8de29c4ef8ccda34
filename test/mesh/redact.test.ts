import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseClustersJson, parseSecretJson } from '../../src/istioctl/parsers/proxy-config.ts';
import { summarizeCertificates } from '../../src/mesh/proxy-config.ts';
import { REDACTED, redactConfigDump, redactText } from '../../src/mesh/redact.ts';

const raw = readFileSync(
  new URL('../fixtures/istioctl-extra/synthetic_sidecar_config_dump_with_secrets.json', import.meta.url),
  'utf8',
);
const NOW = new Date('2026-11-22T00:00:00Z');

/** Secret material planted in the fixture (see test/fixtures/istioctl-extra/README.md), read from the fixture itself. */
function plantedSecrets(): string[] {
  const dump = JSON.parse(raw);
  const secrets = dump.configs.find((c: { '@type': string }) => c['@type'].endsWith('SecretsConfigDump'));
  const chainB64: string = secrets.dynamic_active_secrets[0].secret.tls_certificate.certificate_chain.inline_bytes;
  const keyB64: string = secrets.dynamic_active_secrets[0].secret.tls_certificate.private_key.inline_bytes;
  const rootB64: string = secrets.dynamic_active_secrets[1].secret.validation_context.trusted_ca.inline_bytes;
  const keyPem = Buffer.from(keyB64, 'base64').toString('utf8');
  // The root also appears as raw PEM (an upstream TLS context's trusted_ca), the key as raw PEM twice.
  const rootPem = Buffer.from(rootB64, 'base64').toString('utf8');
  const bodyLines = (pem: string): string[] => pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  const ads = dump.configs[0].bootstrap.dynamic_resources.ads_config.grpc_services;
  const jwt: string = ads[0].initial_metadata[0].value.replace('Bearer ', '');
  return [
    chainB64.slice(0, 40),
    keyB64.slice(0, 40),
    rootB64.slice(0, 40),
    ...bodyLines(keyPem),
    ...bodyLines(rootPem),
    'PRIVATE KEY',
    'BEGIN CERTIFICATE',
    jwt,
    jwt.split('.')[1] ?? '',
    'ya29.opaque-synthetic-access-token-0123456789',
    'synthetic-key-passphrase',
    'c3ludGhldGljOnBhc3N3b3Jk',
  ];
}

describe('redactConfigDump', () => {
  it('removes private keys, certificates, JWTs, tokens and credentials everywhere', () => {
    const planted = plantedSecrets();
    // Sanity: the fixture really contains all of them.
    for (const s of planted) assert.ok(JSON.stringify(JSON.parse(raw)).includes(s), `fixture lacks ${s.slice(0, 20)}`);
    const out = JSON.stringify(redactConfigDump(JSON.parse(raw)));
    for (const s of planted) assert.ok(!out.includes(s), `survived: ${s.slice(0, 30)}`);
    assert.ok(out.includes(REDACTED));
  });

  it('keeps the non-secret data people need to debug', () => {
    const redacted = redactConfigDump(JSON.parse(raw));
    const out = JSON.stringify(redacted);
    for (const kept of [
      'outbound|9080|v1|reviews.default.svc.cluster.local',
      'BlackHoleCluster',
      '/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews',
      'ROOTCA',
      'kubernetes://bookinfo-credential',
      'istiod.istio-system.svc:15012',
      'prod-eu',
    ]) {
      assert.ok(out.includes(kept), `lost: ${kept}`);
    }
    // The redacted dump still parses: cluster names are intact.
    const clusters = parseClustersJson(out);
    assert.ok(clusters.ok);
    assert.equal(clusters.value.length, 16);
  });

  it('does not modify its input', () => {
    const input = JSON.parse(raw);
    const copy = structuredClone(input);
    redactConfigDump(input);
    assert.deepEqual(input, copy);
  });

  it('keeps no value of a field it does not know, however harmless it looks', () => {
    const out = JSON.stringify(redactConfigDump(JSON.parse(raw)));
    // A header value and a Lua comment: an allow-list cannot tell them from a credential, so both go.
    assert.ok(!out.includes('not-a-secret-header'));
    assert.ok(!out.includes('-- signing key left here by mistake'));
  });

  it('must run after the certificate summary, which needs the bodies it removes', () => {
    const before = parseSecretJson(raw, NOW);
    assert.ok(before.ok);
    const summary = summarizeCertificates(before.value, { now: NOW });
    assert.deepEqual(summary.certificates.map((c) => [c.name, c.serial, c.daysRemaining]), [
      ['kubernetes://bookinfo-credential', '', null],
      ['default', '7f3e2d1c0b0a09080706050403020100', 4],
      ['ROOTCA', '00a1b2c3d4e5f60718293a4b5c6d7e8f', 3649],
    ]);
    const after = parseSecretJson(JSON.stringify(redactConfigDump(JSON.parse(raw))), NOW);
    assert.ok(after.ok);
    assert.deepEqual(after.value.map((c) => c.serial), ['', '', '']);
  });

  it('redacts corpus dumps whose Envoy already blanked the private key', () => {
    const corpusDump = readFileSync(new URL('../fixtures/istioctl/proxy-config/all/input_config_dump.json', import.meta.url), 'utf8');
    const out = JSON.stringify(redactConfigDump(JSON.parse(corpusDump)));
    assert.ok(!out.includes('LS0tLS1CRUdJTi'));
    assert.ok(out.includes('inbound-vip|8000|http|httpbin.default.svc.cluster.local'));
    // Non-secret inline strings (Envoy format strings) are kept.
    assert.ok(out.includes('%FILTER_STATE(envoy.filters.listener.original_dst.local_ip:PLAIN)%'));
  });
});

describe('redactText', () => {
  it('redacts keys, certificates, JWTs and credentials in free text', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJl';
    const text = [
      'Error: failed: -----BEGIN EC PRIVATE KEY-----',
      'MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5YQ5PnjU2J3eToAoGCCqGSM49',
      '-----END EC PRIVATE KEY-----',
      `Authorization: Bearer ${jwt}`,
      'token=s3cr3t-value password: hunter2 client_secret=abc123',
      `raw ${jwt}`,
    ].join('\n');
    const out = redactText(text);
    for (const gone of ['MHcCAQEEIBkg4LVWM9nuwNSk3', 'PRIVATE KEY', jwt, 's3cr3t-value', 'hunter2', 'abc123']) {
      assert.ok(!out.includes(gone), `survived: ${gone}`);
    }
    assert.ok(out.startsWith('Error: failed: [redacted]'));
  });

  it('leaves proxy-config tables and logger lists alone', () => {
    for (const file of ['secret/v1.20-1.25_output.txt', 'log/envoy_logging_response.txt', 'eds/portfilter_output.txt']) {
      const text = readFileSync(new URL(`../fixtures/istioctl/proxy-config/${file}`, import.meta.url), 'utf8');
      assert.equal(redactText(text), text, file);
    }
  });
});
