// "Upload full output (redacted)" when istioctl's JSON does not parse (cut short, or text around it). README: "A
// secret in a field nobody anticipated is removed because the field is not on the list … so nothing is ever uploaded
// unredacted". The fallback redacted such output as free text only (PEM, base64 keys, JWTs, bearer credentials,
// `token=`): a header value, an HMAC or session-ticket secret, a Lua source or a Wasm plugin's configuration — all
// removed from a dump that parses — reached the uploaded file as they were.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactProxyConfig } from '../../src/mesh/proxy-config-report.ts';

const HEADER_VALUE = 'k-live-7f3a9c2e5b8d1f4a';
const HMAC = 'hmac-Jq8Lw2Rt6Yx0Pv4N';
const LUA_SECRET = 'partner-key-Zr5Tq9Wm3';
const WASM_KEY = 'wasm-api-Bn7Ck1Dl5';
const SESSION_TICKET = 'c2Vzc2lvbi10aWNrZXQta2V5LTQ4LWJ5dGVz';

/** A listener and secret dump as istioctl prints it (protojson, camelCase), cut off in the middle of a value. */
function cutDump(): string {
  return [
    '{',
    ' "configs": [',
    '  {',
    '   "@type": "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",',
    '   "dynamicRouteConfigs": [{"routeConfig": {"name": "9080", "virtualHosts": [{"name": "reviews.default.svc.cluster.local:9080",',
    '     "domains": ["reviews.default.svc.cluster.local", "reviews"],',
    `     "requestHeadersToAdd": [{"header": {"key": "x-api-key", "value": "${HEADER_VALUE}"}}],`,
    '     "routes": [{"match": {"prefix": "/reviews"}, "route": {"cluster": "outbound|9080||reviews.default.svc.cluster.local"}}]}]}}]',
    '  },',
    '  {',
    '   "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",',
    `   "httpFilters": [{"name": "envoy.filters.http.lua", "typedConfig": {"inlineCode": "function envoy_on_request(h) h:headers():add(\\"x-partner\\", \\"${LUA_SECRET}\\") end"}},`,
    `     {"name": "envoy.filters.http.wasm", "typedConfig": {"config": {"configuration": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "{\\"api_key\\": \\"${WASM_KEY}\\"}"}}}}]`,
    '  },',
    '  {',
    '   "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",',
    '   "dynamicActiveSecrets": [',
    `    {"name": "hmac", "secret": {"genericSecret": {"secret": {"inlineString": "${HMAC}"}}}},`,
    `    {"name": "ticket-keys", "secret": {"sessionTicketKeys": {"keys": [{"inlineBytes": "${SESSION_TICKET.slice(0, 20)}`,
  ].join('\n');
}

describe('uploading proxy-config JSON that does not parse', () => {
  it('keeps no value the allow-list would have removed, whatever its shape', () => {
    const { content, extension } = redactProxyConfig({ type: 'all', format: 'json', stdout: cutDump() });
    assert.equal(extension, 'txt');
    const leaked = Object.entries({ HEADER_VALUE, HMAC, LUA_SECRET, WASM_KEY, SESSION_TICKET: SESSION_TICKET.slice(0, 20) }).filter(([, secret]) => content.includes(secret));
    assert.deepEqual(leaked.map(([name]) => name), []);
  });

  it('still shows the names, domains, routes and clusters a reader debugs with', () => {
    const { content } = redactProxyConfig({ type: 'all', format: 'json', stdout: cutDump() });
    assert.match(content, /"domains": \["reviews\.default\.svc\.cluster\.local", "reviews"\]/);
    assert.match(content, /"key": "x-api-key", "value": "\[redacted\]"/);
    assert.match(content, /"prefix": "\/reviews"/);
    assert.match(content, /"cluster": "outbound\|9080\|\|reviews\.default\.svc\.cluster\.local"/);
    assert.match(content, /"name": "hmac"/);
  });
});
