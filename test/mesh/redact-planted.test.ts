import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ProxyConfigOutput } from '../../src/istioctl/istioctl.ts';
import { redactProxyConfig, summarizeProxyConfig } from '../../src/mesh/proxy-config-report.ts';
import { REDACTED, redactConfigDump } from '../../src/mesh/redact.ts';

/**
 * The planted-secret corpus (test/fixtures/planted-secrets, built by build.ts from the corpus's real waypoint dump):
 * every place issue #14 names, in listeners, routes, clusters, bootstrap and secrets.
 */
const raw = readFileSync(new URL('../fixtures/planted-secrets/config_dump.json', import.meta.url), 'utf8');
const planted = JSON.parse(readFileSync(new URL('../fixtures/planted-secrets/planted.json', import.meta.url), 'utf8')) as { section: string; place: string; secret: string }[];
const NOW = new Date('2026-11-22T00:00:00Z');

function allOutput(stdout: string): ProxyConfigOutput {
  return { type: 'all', format: 'json', stdout };
}

describe('the planted-secret corpus', () => {
  it('plants every credential the review found, in every section, and the fixture really holds them', () => {
    for (const { place, secret } of planted) assert.ok(secret.length >= 16 && raw.includes(secret), `fixture lacks ${place}`);
    const places = planted.map((p) => p.place).join('\n');
    for (const expected of [
      /Wasm configuration api_key/, /Lua local token/, /Lua add x-api-key/, /ext_authz URL token/, /RSA private JWK d/,
      /HS256 k/, /header api-key/, /dd-api-key/, /x-goog-api-key/, /x-ext-authz-shared-key/, /RBAC header string_match/,
      /route header match string_match/, /htpasswd/, /PEM key/, /JWT/, /Bearer opaque/, /bare PKCS#8 DER key MII/, /bare SEC1 DER key MHc/,
    ]) assert.match(places, expected);
    assert.deepEqual([...new Set(planted.map((p) => p.section))].sort(), ['bootstrap', 'clusters', 'listeners', 'routes', 'secrets']);
  });
});

describe('redactProxyConfig on the planted corpus', () => {
  const upload = redactProxyConfig(allOutput(raw));

  it('lets none of the planted secrets into the file', () => {
    const leaked = planted.filter(({ secret }) => upload.content.includes(secret)).map((p) => p.place);
    assert.deepEqual(leaked, []);
    assert.equal(upload.extension, 'json');
  });

  it('lets none through when istioctl prints camelCase field names (per-type `-o json`)', () => {
    const camel = raw.replace(/"([a-z][a-z0-9]*(?:_[a-z0-9]+)+)":/g, (_m, key: string) => `"${key.replace(/_([a-z0-9])/g, (_c, c: string) => c.toUpperCase())}":`);
    assert.ok(camel.includes('"dynamicActiveSecrets"'));
    const content = redactProxyConfig(allOutput(camel)).content;
    assert.deepEqual(planted.filter(({ secret }) => content.includes(secret)).map((p) => p.place), []);
  });

  it('keeps what an SRE reads a dump for: cluster names, listener addresses and ports, route domains and matches, endpoints', () => {
    const before = summarizeProxyConfig(allOutput(raw), { now: NOW });
    const after = summarizeProxyConfig(allOutput(upload.content), { now: NOW });
    assert.ok(before.ok && before.value.type === 'all' && after.ok && after.value.type === 'all');
    // The redacted file summarizes exactly like the original, apart from certificates (bodies are gone).
    assert.deepEqual(after.value.all.clusters, before.value.all.clusters);
    assert.deepEqual(after.value.all.listeners, before.value.all.listeners);
    assert.deepEqual(after.value.all.routes, before.value.all.routes);
    assert.deepEqual(after.value.all.endpoints, before.value.all.endpoints);
    assert.deepEqual(after.value.all.bootstrap, before.value.all.bootstrap);

    const dump = JSON.parse(upload.content) as unknown;
    const text = JSON.stringify(dump);
    for (const kept of [
      '"name":"outbound|443||payments.example.com"',
      '"socket_address":{"address":"0.0.0.0","port_value":8443}',
      '"domains":["api.example.com","api.example.com:8443"]',
      '"match":{"prefix":"/partner/","headers":[{"name":"x-api-key","string_match":{"exact":"[redacted]"}}]}',
      '"address":"payments.example.com","port_value":443',
      '"route_config_name":"api.example.com:8443"',
      '"uri":"http://ext-authz.auth.svc.cluster.local:8000/check?[redacted]"',
      '"connect_timeout":"10s"',
      '"type":"STRICT_DNS"',
      '"key":"dd-api-key","value":"[redacted]"',
      '"ISTIO_VERSION":"1.21.0-1226"',
    ]) assert.ok(text.includes(kept), `lost: ${kept}`);
  });

  it('replaces certificate bodies with their serial, identity and validity', () => {
    // secret/istio of the corpus: istioctl prints the chain as serial 6fbee254…, not after 2023-05-16T01:32:52Z.
    assert.match(upload.content, /\[redacted certificate: serial 6fbee254c22900615cb1f74e3d2f1713, SAN URI:spiffe:\/\/cluster\.local\/ns\/ambient\/sa\/namespace-istio-waypoint, not before 2023-05-15T01:30:52\.000Z, not after 2023-05-16T01:32:52\.000Z; serial 0193a543fe2b0d9cd4847675394dfc54, subject O=cluster\.local/);
    assert.doesNotMatch(upload.content, /LS0tLS1CRUdJTi|BEGIN CERTIFICATE|MII[A-Za-z0-9+/]{20}/);
  });

  it('marks every value it removes, so a reader sees that something was there', () => {
    const values = JSON.parse(upload.content).configs.find((c: { '@type': string }) => c['@type'].endsWith('ListenersConfigDump'));
    const lua = JSON.stringify(values).match(/"default_source_code":\{"inline_string":"([^"]*)"\}/)?.[1];
    assert.equal(lua, REDACTED);
  });
});

describe('value shapes kept in any field', () => {
  it('keeps enums, durations and SPIFFE ids, but not key-like runs that merely look upper-case', () => {
    const redacted = JSON.stringify(redactConfigDump({ custom: { a: 'STRICT_DNS', b: '0.250s', c: 'spiffe://cluster.local/ns/shop/sa/cart', d: 'JBSWYDPEHPKPXPQRST', e: 'AKIAIOSFODNN7EXAMPLE' } }));
    assert.equal(redacted, '{"custom":{"a":"STRICT_DNS","b":"0.250s","c":"spiffe://cluster.local/ns/shop/sa/cart","d":"[redacted]","e":"[redacted]"}}');
  });
});
