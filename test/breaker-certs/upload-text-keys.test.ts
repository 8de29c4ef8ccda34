// "Upload full output (redacted)" when istioctl's output is not JSON that parses (README "Redaction": "Text output
// (`log`, or JSON that does not parse) is redacted line by line (PEM, base64 PEM/DER …)"). The line redaction knew
// base64 DER only by the prefixes of RSA and P-256 keys (`MII…`, `MHc…`, `MIG…`) and base64 PEM only when
// `-----BEGIN` starts the encoded bytes, so an Ed25519 or X25519 key (`MC4C…`), a PEM encoded with a newline in front
// (how a file read from disk often starts) and a DER key wrapped over several lines reached the uploaded file.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { redactProxyConfig } from '../../src/mesh/proxy-config-report.ts';

const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
const x25519 = generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
const rsaDer = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
/** The RSA key's base64 wrapped at 64 characters, as `openssl base64` and PEM bodies wrap it. */
const rsaWrapped = rsaDer.replace(/(.{64})/g, '$1\n');
/** A PEM file's bytes with a newline in front, base64 encoded as Envoy's inline_bytes would carry it. */
const pemAfterNewline = Buffer.from(`\n${ecPem}`).toString('base64');
/** The same with two leading bytes: `-----BEGIN` then sits at the third alignment of base64. */
const pemAfterTwo = Buffer.from(`\r\n${ecPem}`).toString('base64');

/** A secret dump istioctl's stdout would carry, cut short (not JSON any more): the key material sits in plain view. */
function brokenDump(): string {
  const lines = [
    '{',
    '    "dynamicActiveSecrets": [',
    '        {',
    '            "name": "kubernetes://httpbin-credential",',
    '            "secret": {',
    `                "tlsCertificate": {"privateKey": {"inlineBytes": "${pemAfterNewline}"}},`,
    `                "sessionTicketKeys": {"keys": [{"inlineBytes": "${pemAfterTwo}"}]},`,
    `                "genericSecret": {"secret": {"inlineString": "${ed25519}"}},`,
    `                "x25519": "${x25519}",`,
    `                "wrapped": "${rsaWrapped.replace(/\n/g, '\\n')}",`,
  ];
  return `${lines.join('\n')}\n`;
}

const pieces = (label: string, body: string) =>
  // Every 24-character piece of the key's body: none may survive in the file.
  Array.from({ length: Math.max(1, Math.floor(body.length / 24)) }, (_, i) => [`${label}#${i}`, body.slice(i * 24, i * 24 + 24)] as const).filter(([, piece]) => piece.length >= 16);

describe('uploading proxy-config output that is not valid JSON', () => {
  it('the text redaction removes Ed25519, X25519, wrapped DER and misaligned base64 PEM keys', () => {
    const { content, extension } = redactProxyConfig({ type: 'secret', format: 'json', stdout: brokenDump() });
    assert.equal(extension, 'txt');
    assert.match(content, /kubernetes:\/\/httpbin-credential/, 'names stay');
    const keys = [
      ...pieces('ed25519', ed25519),
      ...pieces('x25519', x25519),
      ...pieces('rsa wrapped', rsaDer.replace(/\n/g, '').slice(64)),
      ...pieces('pem after newline', pemAfterNewline),
      ...pieces('pem after CRLF', pemAfterTwo),
    ];
    const leaked = keys.filter(([, piece]) => content.includes(piece)).map(([label]) => label);
    assert.deepEqual(leaked, []);
  });

  it('and a log line with the same key material as plain text', () => {
    const log = `2026-12-07T12:00:00.000Z\twarning\tsecret\tbad key ${ed25519} loaded\n${rsaWrapped}\n`;
    const { content } = redactProxyConfig({ type: 'log', format: 'text', stdout: log });
    const leaked = [...pieces('ed25519', ed25519), ...pieces('rsa', rsaDer)].filter(([, piece]) => content.includes(piece)).map(([label]) => label);
    assert.deepEqual(leaked, []);
    assert.match(content, /warning\tsecret\tbad key \[redacted\] loaded/);
  });
});
