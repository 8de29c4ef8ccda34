/**
 * Keeps key material and credentials out of Slack messages, uploaded files and stored state.
 *
 * Order matters: summaries that need secret bodies (certificate serials and expiry, see summarizeConfigDump)
 * must be computed from the raw dump FIRST; only the redacted copy may leave the process.
 */

export const REDACTED = '[redacted]';

// Any PEM block: private keys of every flavour, certificates, CSRs.
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?(?:-----END \1-----|$)/g;
// base64 of "-----BEGIN" (how Envoy's inline_bytes carries PEM); consumes the whole base64 run.
const BASE64_PEM = /LS0tLS1CRUdJTi[A-Za-z0-9+/=]*/g;
// JWTs: header.payload.signature, base64url, header starting with `{"` (eyJ).
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
// `Authorization: …`, `token=…`, `password: …` in free text (logs, tables, error messages).
// A bare `secret` key is left alone: Envoy has a logger named `secret`, and `proxy-config log` prints `secret: warning`.
const TEXT_ASSIGNMENT =
  /\b(authorization|proxy-authorization|x-api-key|[a-z_-]*(?:token|password|passwd|api[_-]?key)|[a-z]+[_-]secret)(["']?\s*[:=]\s*["']?)([^\s"',;]+)/gi;

/** Keys whose whole value is a secret whatever it contains. */
const SECRET_KEY = /(?:^|[_-]|[a-z])(?:token|password|passwd|secret|api[_-]?key|credentials?|authorization)$/i;
const PRIVATE_KEY = /^private_?key$/i;
/** DataSource holders whose inline data is key or certificate material. */
const MATERIAL_KEY =
  /^(?:certificate_?chain|trusted_?ca|trust_?bundle|ocsp_?staple|crl|session_?ticket_?keys|keys|private_?key_?provider)$/i;
const INLINE_KEY = /^inline_?(?:bytes|string)$/i;
/** HeaderValue / metadata entries: `{ key: 'authorization', value: '…' }`. */
const SENSITIVE_HEADER = /^(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|.*token.*)$/i;

/** Redacts secrets inside free text: PEM blocks, base64 PEM, JWTs, bearer/basic credentials, `key: value` credentials. */
export function redactText(text: string): string {
  return text
    .replace(PEM_BLOCK, REDACTED)
    .replace(BASE64_PEM, REDACTED)
    .replace(JWT, REDACTED)
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(TEXT_ASSIGNMENT, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`);
}

function redactString(value: string): string {
  return value
    .replace(PEM_BLOCK, REDACTED)
    .replace(BASE64_PEM, REDACTED)
    .replace(JWT, REDACTED)
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Every inline value below a key/cert holder is material; file names and SDS names are kept. */
function redactMaterial(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactMaterial);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = INLINE_KEY.test(k) && isScalar(v) ? REDACTED : redactMaterial(v);
    return out;
  }
  return typeof value === 'string' ? redactString(value) : value;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const headerName = entries.find(([k]) => k === 'key' || k === 'name' || k === 'header')?.[1];
  const isSensitiveHeader = typeof headerName === 'string' && SENSITIVE_HEADER.test(headerName);
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries) {
    if (PRIVATE_KEY.test(key)) out[key] = REDACTED;
    else if (MATERIAL_KEY.test(key)) out[key] = isScalar(v) ? REDACTED : redactMaterial(v);
    else if (INLINE_KEY.test(key) && isScalar(v)) out[key] = redactInline(v);
    else if (SECRET_KEY.test(key)) out[key] = isScalar(v) ? REDACTED : redactMaterial(redactValue(v));
    else if (isSensitiveHeader && (key === 'value' || key === 'raw_value' || key === 'rawValue') && isScalar(v)) out[key] = REDACTED;
    else out[key] = redactValue(v);
  }
  return out;
}

/** inline_bytes/inline_string elsewhere (Lua code, format strings) stay unless they carry PEM, DER or tokens. */
function redactInline(value: string | number | boolean): string | number | boolean {
  if (typeof value !== 'string') return value;
  const redacted = redactString(value);
  if (redacted !== value) return redacted;
  // Base64 DER certificates and keys start with a SEQUENCE header (0x30 0x82) → "MII".
  return /^MII[A-Za-z0-9+/]{60,}={0,2}$/.test(value.replace(/\s/g, '')) ? REDACTED : value;
}

/**
 * Deep, pure redaction of a config dump (or any JSON value): private keys, certificate and trust bundle bodies,
 * PEM blocks in any string, JWTs and bearer tokens, Authorization-like header values and values of
 * token/password/secret-named fields become "[redacted]". Returns a new value; the input is not modified.
 */
export function redactConfigDump(value: unknown): unknown {
  return redactValue(value);
}
