import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { splitTable } from '../table.ts';
import { eachElement, failure, fromDump, readAs, readArrays, readJsonOutput, textLines, trimmedEquals } from './common.ts';
import type { ConfigDump, JsonOutput } from './common.ts';
import type { JsonValue } from './json-text.ts';

/** One row of `proxy-config secret`: a workload chain (`default`), a root (`ROOTCA`), or a warming secret. */
export interface SecretCertificate {
  readonly name: string;
  /** `Cert Chain`, `CA`, or '' when the secret holds no parsable certificate (warming). */
  readonly type: string;
  /** ACTIVE, WARMING, or UNINITIALIZED (active but never received). */
  readonly status: string;
  /** Within its validity window at the time of reading (istioctl's VALID CERT). */
  readonly valid: boolean;
  /** Lowercase hex; '' when unknown. Tables keep the printed form (unpadded before 1.29, 32 digits after). */
  readonly serial: string;
  /** RFC 3339 (`2033-05-02T03:41:33Z`), '' when unknown. */
  readonly notAfter: string;
  readonly notBefore: string;
  /** SPIRE/federated setups: the trust domain this root or chain belongs to. */
  readonly trustDomain?: string;
  /**
   * The workload chain only: the serial of the root it was issued under when the proxy's ROOTCA does not hold that
   * root (a root rotation half done: peers that trust only the old root cannot verify this certificate).
   */
  readonly untrustedRoot?: string;
}

const NO_SECRETS = 'No active or warming secrets found.';

const COLUMNS = ['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'];

/**
 * The secret table of every version: 1.20-1.25, 1.26+ (WARMING rows with empty cells), 1.29+ (serial padded to
 * 32 hex digits), SPIRE's extra TRUST DOMAIN column, and the `secret/` prefix inside `all`.
 * `No active or warming secrets found.` is an empty list.
 */
export function parseSecretTable(text: string): Result<SecretCertificate[], ParseFailure> {
  const lines = textLines(text).filter((l) => l.trim() !== '');
  if (lines.length === 0 || (lines.length === 1 && lines[0]?.trim() === NO_SECRETS)) return ok([]);
  const header = lines[0] ?? '';
  const columns = /\bTRUST DOMAIN\s*$/.test(header) ? [...COLUMNS, 'TRUST DOMAIN'] : COLUMNS;
  const table = splitTable(lines.join('\n'), columns);
  if (!table.ok) return table;
  const out: SecretCertificate[] = [];
  for (const row of table.value.rows) {
    const valid = row['VALID CERT'];
    if (valid !== 'true' && valid !== 'false') {
      return failure(`secret table row has VALID CERT ${JSON.stringify(valid)} (expected true or false).`);
    }
    out.push({
      name: (row['RESOURCE NAME'] ?? '').replace(/^secret\//, ''),
      type: row.TYPE ?? '',
      status: row.STATUS ?? '',
      valid: valid === 'true',
      serial: (row['SERIAL NUMBER'] ?? '').toLowerCase(),
      notAfter: row['NOT AFTER'] ?? '',
      notBefore: row['NOT BEFORE'] ?? '',
      ...(row['TRUST DOMAIN'] ? { trustDomain: row['TRUST DOMAIN'] } : {}),
    });
  }
  return ok(out);
}

const dataSource = z.object({ inlineBytes: z.string().optional(), inlineString: z.string().optional() });
const secretJson = z.object({
  tlsCertificate: z.object({ certificateChain: dataSource.optional() }).optional(),
  // Secrets that are no certificate by design: an OAuth2 filter's token and HMAC secrets, TLS session ticket keys.
  genericSecret: z.unknown().optional(),
  sessionTicketKeys: z.unknown().optional(),
  validationContext: z.object({
    trustedCa: dataSource.optional(),
    customValidatorConfig: z.object({ typedConfig: z.unknown().optional() }).optional(),
  }).optional(),
});
const dynamicSecret = z.object({
  name: z.string().optional(),
  versionInfo: z.string().optional(),
  secret: secretJson.optional(),
});
const spiffeValidator = z.object({
  trustDomains: z.array(z.object({ name: z.string(), trustBundle: dataSource.optional() })),
});

function pem(source: z.infer<typeof dataSource> | undefined): string {
  if (source?.inlineString) return source.inlineString;
  if (source?.inlineBytes) return Buffer.from(source.inlineBytes, 'base64').toString('utf8');
  return '';
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * istioctl 1.29+ prints the serial's big.Int with `%032x`: no leading zeros of its own, zero-padded to 32 characters,
 * and for a negative serial (an INTEGER whose first byte is 0x80 or more) the minus sign first, inside those 32. Node
 * gives the DER bytes in upper case, possibly with a leading 00, and a negative one as `-05`.
 */
function goSerial(nodeSerial: string): string {
  const negative = nodeSerial.startsWith('-');
  const digits = nodeSerial.replace(/^-/, '').toLowerCase().replace(/^0+(?=.)/, '');
  return negative ? `-${digits.padStart(31, '0')}` : digits.padStart(32, '0');
}

function parsed(block: string): X509Certificate | undefined {
  try {
    return new X509Certificate(block);
  } catch {
    return undefined;
  }
}

/**
 * The certificate a row describes. A chain: the FIRST (its leaf), as istioctl's secretMetaFromCert. A trust bundle
 * (ROOTCA, a trust domain's bundle): the root that expires LAST, which the proxy keeps verifying its peers with. During
 * a root rotation the bundle holds the old root and the new one in either order, and the old one expiring is the
 * rotation going to plan, not "rotate the CA now" (the digest judges the istio-ca-root-cert bundle the same way).
 */
function pick(text: string, bundle: boolean): X509Certificate | undefined {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (!bundle) return blocks[0] === undefined ? undefined : parsed(blocks[0]);
  let latest: X509Certificate | undefined;
  for (const block of blocks) {
    const cert = parsed(block);
    if (cert && (latest === undefined || cert.validToDate > latest.validToDate)) latest = cert;
  }
  return latest;
}

/**
 * Mirrors istioctl's secretMetaFromCert: the certificate `pick` chooses decides type, serial and dates; validity is
 * judged at `now`. Unparsable data gives an invalid row rather than a failure, as istioctl does.
 */
function describePem(
  name: string,
  status: string,
  text: string,
  now: Date,
  trustDomain: string | undefined,
  bundle = false,
): SecretCertificate {
  const empty = { name, type: '', status, valid: false, serial: '', notAfter: '', notBefore: '' };
  const cert = pick(text, bundle);
  if (!cert) return { ...empty, ...(trustDomain ? { trustDomain } : {}) };
  const notAfter = cert.validToDate;
  const notBefore = cert.validFromDate;
  const serial = goSerial(cert.serialNumber);
  const spiffe = /URI:spiffe:\/\/([^/,\s]+)/.exec(cert.subjectAltName ?? '')?.[1];
  const domain = trustDomain ?? spiffe;
  return {
    name,
    type: cert.ca ? 'CA' : 'Cert Chain',
    status,
    valid: now > notBefore && now < notAfter,
    serial,
    notAfter: rfc3339(notAfter),
    notBefore: rfc3339(notBefore),
    ...(domain ? { trustDomain: domain } : {}),
  };
}

function fromDynamic(s: z.infer<typeof dynamicSecret>, status: string, now: Date): SecretCertificate[] {
  const name = s.name ?? '';
  const state = status === 'ACTIVE' && s.versionInfo === 'uninitialized' ? 'UNINITIALIZED' : status;
  // istioctl's table gives such a secret an empty row, which would read as a certificate Envoy is waiting for. Active,
  // it has arrived and has no certificate to judge or rotate; a WARMING one keeps its row (Envoy is waiting for it).
  const notCertificate = s.secret?.genericSecret !== undefined || s.secret?.sessionTicketKeys !== undefined;
  if (state === 'ACTIVE' && notCertificate && !s.secret?.tlsCertificate && !s.secret?.validationContext) return [];
  const chain = pem(s.secret?.tlsCertificate?.certificateChain);
  if (chain) return [describePem(name, state, chain, now, undefined)];
  const ca = pem(s.secret?.validationContext?.trustedCa);
  if (ca) return [describePem(name, state, ca, now, undefined, true)];
  // SPIRE federation: one root per trust domain, shown by istioctl as one ROOTCA row each.
  const spire = readAs(spiffeValidator, s.secret?.validationContext?.customValidatorConfig?.typedConfig);
  if (spire.success && spire.data.trustDomains.length > 0) {
    return spire.data.trustDomains.map((td) => describePem(name, state, pem(td.trustBundle), now, td.name, true));
  }
  return [describePem(name, state, '', now, undefined)];
}

/** The certificates of a trust bundle secret: its trusted CA, or every trust domain's bundle (SPIRE). */
function bundleCertificates(s: z.infer<typeof dynamicSecret>): X509Certificate[] {
  const spire = readAs(spiffeValidator, s.secret?.validationContext?.customValidatorConfig?.typedConfig);
  const texts = [pem(s.secret?.validationContext?.trustedCa), ...(spire.success ? spire.data.trustDomains.map((td) => pem(td.trustBundle)) : [])];
  return texts.flatMap((text) => text.match(PEM_CERTIFICATE) ?? []).flatMap((block) => parsed(block) ?? []);
}

const spki = (cert: X509Certificate) => cert.publicKey.export({ type: 'spki', format: 'der' });

/** Whether a proxy holding `bundle` verifies a chain that ends in `root`: the same name and key (a root re-signed with its key to extend it is the same root). */
function holds(bundle: readonly X509Certificate[], root: X509Certificate): boolean {
  return bundle.some((cert) => cert.subject === root.subject && spki(cert).equals(spki(root)));
}

/**
 * Marks the workload chain (`default`, security.WorkloadKeyCertResourceName) whose root the proxy's ROOTCA does not
 * hold. Istio's CA sends the root behind the leaf, so only a chain that ends in a self-signed certificate is judged:
 * a chain ending in an intermediate (SPIRE, a leaf alone) says nothing certain about its root. The leaf is never an
 * anchor, so it is not looked for in the bundle.
 */
function withTrust(rows: readonly SecretCertificate[], active: readonly z.infer<typeof dynamicSecret>[]): SecretCertificate[] {
  const bundle = active.filter((s) => s.name === 'ROOTCA').flatMap(bundleCertificates);
  const blocks = pem(active.find((s) => s.name === 'default')?.secret?.tlsCertificate?.certificateChain).match(PEM_CERTIFICATE) ?? [];
  const issuers = blocks.slice(1).flatMap((block) => parsed(block) ?? []);
  const last = issuers[issuers.length - 1];
  const selfSigned = last !== undefined && isSelfSigned(last);
  // Any CA of the chain held as a trust anchor will do (a bundle anchored at an intermediate).
  if (bundle.length === 0 || !selfSigned || issuers.some((cert) => holds(bundle, cert))) return [...rows];
  const untrustedRoot = goSerial(last.serialNumber);
  return rows.map((row) => (row.name === 'default' && row.status === 'ACTIVE' && row.type !== 'CA' ? { ...row, untrustedRoot } : row));
}

/** The ACTIVE secrets of a SecretsConfigDump as they are (for what spans secrets, such as withTrust). */
function activeSecrets(raw: JsonValue): Result<z.infer<typeof dynamicSecret>[], ParseFailure> {
  const arrays = readArrays(raw, SECTION, { dynamicActiveSecrets: eachElement(dynamicSecret, (s) => [s]) });
  return arrays.ok ? ok(arrays.value.dynamicActiveSecrets) : arrays;
}

/** The rows of istioctl's table, the workload chain marked when ROOTCA does not hold its root (withTrust). */
function rowsOf(raw: JsonValue, now: Date): Result<SecretCertificate[], ParseFailure> {
  const rows = fromSection(raw, now);
  if (!rows.ok) return rows;
  const active = activeSecrets(raw);
  return active.ok ? ok(withTrust(rows.value, active.value)) : active;
}

/**
 * The CA certificates sent behind a leaf in its chain: a plugged-in CA (`cacerts`) or SPIRE puts the intermediates
 * that signed the leaf there (and sometimes the root). istioctl's table shows only the leaf.
 */
function issuersOf(s: z.infer<typeof dynamicSecret>, status: string, now: Date): SecretCertificate[] {
  const behindLeaf = (pem(s.secret?.tlsCertificate?.certificateChain).match(PEM_CERTIFICATE) ?? []).slice(1);
  return behindLeaf.map((block) => describePem(s.name ?? '', status, block, now, undefined)).filter((cert) => cert.type === 'CA');
}

const isSelfSigned = (cert: X509Certificate) => cert.checkIssued(cert) && cert.verify(cert.publicKey);

/**
 * The root in ROOTCA that signed the last certificate of the workload chain, when the chain does not carry its root (a
 * CA that sends the leaf alone, or with its intermediates). ROOTCA is shown by its newest root, so during a root
 * rotation the old root that still signs, and may expire first, would otherwise never be judged.
 */
function signingRoot(active: readonly z.infer<typeof dynamicSecret>[], now: Date): SecretCertificate[] {
  const blocks = pem(active.find((s) => s.name === 'default')?.secret?.tlsCertificate?.certificateChain).match(PEM_CERTIFICATE) ?? [];
  const last = parsed(blocks[blocks.length - 1] ?? '');
  if (last === undefined || isSelfSigned(last)) return [];
  const signer = active.filter((s) => s.name === 'ROOTCA').flatMap(bundleCertificates).find((root) => last.checkIssued(root) && last.verify(root.publicKey));
  return signer === undefined ? [] : [describePem('default', 'ACTIVE', signer.toString(), now, undefined)].filter((cert) => cert.type === 'CA');
}

/** The CAs behind the leaves (issuersOf) and the root that signed the workload chain when it is not sent (signingRoot). */
function issuersIn(raw: JsonValue, now: Date): Result<SecretCertificate[], ParseFailure> {
  const behind = fromSection(raw, now, issuersOf);
  if (!behind.ok) return behind;
  const active = activeSecrets(raw);
  return active.ok ? ok([...behind.value, ...signingRoot(active.value, now)]) : active;
}

const SECTION = 'SecretsConfigDump';

function fromSection(raw: JsonValue, now: Date, read: typeof fromDynamic = fromDynamic): Result<SecretCertificate[], ParseFailure> {
  const arrays = readArrays(raw, SECTION, {
    dynamicActiveSecrets: eachElement(dynamicSecret, (s) => read(s, 'ACTIVE', now)),
    dynamicWarmingSecrets: eachElement(dynamicSecret, (s) => read(s, 'WARMING', now)),
  });
  return arrays.ok ? ok([...arrays.value.dynamicWarmingSecrets, ...arrays.value.dynamicActiveSecrets]) : arrays;
}

/** The CA certificates behind the leaves of a config dump's secrets (see issuersOf); undefined without secrets. */
export function secretIssuersFromDump(dump: ConfigDump, now: Date): Result<SecretCertificate[], ParseFailure> | undefined {
  return fromDump(dump, SECTION, (raw) => issuersIn(raw, now));
}

export function secretsFromDump(dump: ConfigDump, now: Date): Result<SecretCertificate[], ParseFailure> | undefined {
  return fromDump(dump, SECTION, (raw) => rowsOf(raw, now));
}

/** A proxy's secrets as istioctl's table lists them, and the CAs sent behind their leaves (see issuersOf). */
export interface SecretChains {
  readonly secrets: readonly SecretCertificate[];
  readonly issuers: readonly SecretCertificate[];
}

/**
 * istioctl's table shows a TRUST DOMAIN only when every secret has one (SPIRE); otherwise the leaf's SPIFFE trust
 * domain read from its certificate is dropped, so the rows are the table's.
 */
function asTableRows(secrets: readonly SecretCertificate[]): SecretCertificate[] {
  if (secrets.every((cert) => cert.trustDomain !== undefined)) return [...secrets];
  return secrets.map(({ trustDomain: _dropped, ...cert }) => cert);
}

function chainsOf(raw: JsonValue, now: Date): Result<SecretChains, ParseFailure> {
  // istioctl 1.20-1.21 answer for a ztunnel pod with ztunnel's own certificate list, a JSON array of
  // {identity, state, cert_chain} (istioctl/pkg/writer/ztunnel/configdump, PrintSecretDump), not Envoy secrets.
  if (raw.kind === 'array') {
    return failure('istioctl printed a ztunnel\'s certificate list, not Envoy secrets: this pod is a ztunnel, whose certificates `ztunnel-config certificates` reads (istioctl 1.22 or newer)');
  }
  const secrets = rowsOf(raw, now);
  if (!secrets.ok) return secrets;
  const issuers = issuersIn(raw, now);
  return issuers.ok ? ok({ secrets: asTableRows(secrets.value), issuers: issuers.value }) : issuers;
}

/**
 * `istioctl proxy-config secret POD -o json` (a SecretsConfigDump object) or a full config dump, read for
 * `pc secret` and the digest: the rows istioctl's table shows (same names, states, WARMING and UNINITIALIZED rows,
 * SPIRE trust domains) plus the intermediates behind each leaf, which the table never shows. Certificate bodies are
 * decoded here and only their facts leave this function, so run it BEFORE redacting the dump.
 */
export function parseSecretChainsJson(stdout: JsonOutput, now: Date): Result<SecretChains, ParseFailure> {
  if (trimmedEquals(stdout, NO_SECRETS)) return ok({ secrets: [], issuers: [] });
  const read = (raw: JsonValue) => chainsOf(raw, now);
  return readJsonOutput(stdout, 'istioctl proxy-config secret -o json', SECTION, read, read);
}

/** The rows of parseSecretChainsJson without the intermediates: what istioctl's table of the same secrets lists. */
export function parseSecretJson(stdout: JsonOutput, now: Date): Result<SecretCertificate[], ParseFailure> {
  const chains = parseSecretChainsJson(stdout, now);
  return chains.ok ? ok([...chains.value.secrets]) : chains;
}
