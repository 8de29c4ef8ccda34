/**
 * A self-signed root certificate shaped like Istio's self-signed CA (`O=cluster.local`, EC P-256, `CA:TRUE`), made
 * in process so that the sandbox's `istio-ca-root-cert` ConfigMaps hold a real, parseable certificate whose serial
 * and dates match what the simulated proxies report. Node can sign but has no certificate builder, hence the few
 * lines of DER below. The private key is thrown away: nothing is ever issued from this root.
 */
import { generateKeyPairSync, sign } from 'node:crypto';

export interface RootCaFacts {
  /** Hex, without leading zero bytes; the first byte below 0x80 keeps the DER INTEGER positive without padding. */
  readonly serial: string;
  /** RFC 3339 UTC, whole seconds; years before 2050 (UTCTime). */
  readonly notBefore: string;
  readonly notAfter: string;
}

function der(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, content]);
}

const sequence = (...parts: Buffer[]): Buffer => der(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => der(0x31, Buffer.concat(parts));
const explicit = (index: number, content: Buffer): Buffer => der(0xa0 + index, content);
const integer = (bytes: Buffer): Buffer => der(0x02, bytes);
const utf8 = (text: string): Buffer => der(0x0c, Buffer.from(text, 'utf8'));
const bitString = (bytes: Buffer): Buffer => der(0x03, Buffer.concat([Buffer.from([0]), bytes]));
const octetString = (bytes: Buffer): Buffer => der(0x04, bytes);
const boolTrue = (): Buffer => der(0x01, Buffer.from([0xff]));

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

/** `2035-02-28T08:15:00Z` → UTCTime `350228081500Z`. */
function utcTime(iso: string): Buffer {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() >= 2050) throw new Error(`root CA date ${iso} must be a valid date before 2050`);
  const two = (n: number) => String(n).padStart(2, '0');
  const text = `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  return der(0x17, Buffer.from(text, 'ascii'));
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

/** The PEM of a fresh self-signed root with exactly these facts. */
export function selfSignedRootPem(facts: RootCaFacts): string {
  const serial = Buffer.from(facts.serial, 'hex');
  if (serial.length === 0 || (serial[0] ?? 0) >= 0x80) throw new Error('root CA serial must be non-empty hex starting below 0x80');
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = sequence(set(sequence(oid('2.5.4.10'), utf8('cluster.local'))));
  const extensions = sequence(
    // basicConstraints, critical: CA:TRUE
    sequence(oid('2.5.29.19'), boolTrue(), octetString(sequence(boolTrue()))),
    // keyUsage, critical: keyCertSign, cRLSign (bits 5 and 6; one unused bit)
    sequence(oid('2.5.29.15'), boolTrue(), octetString(der(0x03, Buffer.from([0x01, 0x06])))),
  );
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_WITH_SHA256,
    name,
    sequence(utcTime(facts.notBefore), utcTime(facts.notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const certificate = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  const lines = certificate.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
