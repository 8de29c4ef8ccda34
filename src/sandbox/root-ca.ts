/**
 * The sandbox's demo CA, shaped like Istio's self-signed CA: a root (`O=cluster.local`, EC P-256, `CA:TRUE`) and
 * workload certificates as istiod issues them (no subject, a critical SPIFFE URI SAN, server and client auth). They
 * are built in process so that the `istio-ca-root-cert` ConfigMaps and the simulated proxies' secrets hold real,
 * parseable certificates whose serials and dates agree. Node can sign but has no certificate builder, hence the
 * few lines of DER below. The root key is derived from a fixed label, so every process (the sandbox and each
 * simulated istioctl run) signs with the same key and a workload chain verifies against the published root;
 * nothing outside the sandbox trusts this CA.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';

export interface CertificateFacts {
  /** Hex, without leading zero bytes; the first byte below 0x80 keeps the DER INTEGER positive without padding. */
  readonly serial: string;
  /** RFC 3339 UTC, whole seconds; years before 2050 (UTCTime). */
  readonly notBefore: string;
  readonly notAfter: string;
}

export type RootCaFacts = CertificateFacts;

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
const MESH_ORGANIZATION = sequence(set(sequence(oid('2.5.4.10'), utf8('cluster.local'))));

/** A P-256 private key from a label: SEC1 `ECPrivateKey` with the label's SHA-256 as the scalar. */
function derivedKey(label: string): KeyObject {
  const scalar = createHash('sha256').update(label).digest();
  const prime256v1 = oid('1.2.840.10045.3.1.7');
  return createPrivateKey({ key: sequence(integer(Buffer.from([1])), octetString(scalar), explicit(0, prime256v1)), format: 'der', type: 'sec1' });
}

const ROOT_KEY = derivedKey('mesh-bot sandbox demo root CA');

function serialOf(facts: CertificateFacts): Buffer {
  const serial = Buffer.from(facts.serial, 'hex');
  if (serial.length === 0 || (serial[0] ?? 0) >= 0x80) throw new Error('certificate serial must be non-empty hex starting below 0x80');
  return serial;
}

function signedPem(facts: CertificateFacts, subject: Buffer, subjectKey: KeyObject, extensions: Buffer): string {
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serialOf(facts)),
    ECDSA_WITH_SHA256,
    MESH_ORGANIZATION,
    sequence(utcTime(facts.notBefore), utcTime(facts.notAfter)),
    subject,
    createPublicKey(subjectKey).export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, { key: ROOT_KEY, dsaEncoding: 'der' });
  const certificate = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  const lines = certificate.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The PEM of the demo root with exactly these facts. */
export function selfSignedRootPem(facts: RootCaFacts): string {
  const extensions = sequence(
    // basicConstraints, critical: CA:TRUE
    sequence(oid('2.5.29.19'), boolTrue(), octetString(sequence(boolTrue()))),
    // keyUsage, critical: keyCertSign, cRLSign (bits 5 and 6; one unused bit)
    sequence(oid('2.5.29.15'), boolTrue(), octetString(der(0x03, Buffer.from([0x01, 0x06])))),
  );
  return signedPem(facts, MESH_ORGANIZATION, ROOT_KEY, extensions);
}

/**
 * A workload certificate issued by the demo root, as istiod issues one: empty subject, so the SAN
 * (`spiffe://cluster.local/ns/<ns>/sa/<account>`) is critical; digitalSignature + keyEncipherment; server and
 * client auth; CA:FALSE. The workload's key is derived from its SPIFFE id and serial and never leaves this call.
 */
export function workloadCertificatePem(facts: CertificateFacts, spiffeId: string): string {
  const key = derivedKey(`${spiffeId} ${facts.serial}`);
  const extensions = sequence(
    // keyUsage, critical: digitalSignature, keyEncipherment (bits 0 and 2; five unused bits)
    sequence(oid('2.5.29.15'), boolTrue(), octetString(der(0x03, Buffer.from([0x05, 0xa0])))),
    // extKeyUsage: serverAuth, clientAuth
    sequence(oid('2.5.29.37'), octetString(sequence(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2')))),
    // basicConstraints, critical: CA:FALSE (the empty sequence)
    sequence(oid('2.5.29.19'), boolTrue(), octetString(sequence())),
    // subjectAltName, critical: one URI
    sequence(oid('2.5.29.17'), boolTrue(), octetString(sequence(der(0x86, Buffer.from(spiffeId, 'ascii'))))),
  );
  return signedPem(facts, sequence(), key, extensions);
}
