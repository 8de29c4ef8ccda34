import { X509Certificate } from 'node:crypto';

/**
 * Keeps key material and credentials out of Slack messages, uploaded files and stored state.
 *
 * Config dumps are redacted by an ALLOW-list: a string value survives only when its field is one a reader needs to
 * debug routing (names, addresses, ports, domains, route paths, enums, times, versions) AND the value has that
 * field's shape. Everything else — header values, match values, Lua and Wasm sources, JWKS, htpasswd files, plugin
 * configuration, any field mesh-bot does not know — becomes "[redacted]". A secret in a place nobody thought of is
 * therefore removed too; the price is that some harmless values are removed as well (README lists what is kept).
 *
 * Order matters: summaries that need secret bodies (certificate serials and expiry, see summarizeConfigDump)
 * must be computed from the raw dump FIRST; only the redacted copy may leave the process.
 */

export const REDACTED = '[redacted]';

// ---- free text (`proxy-config log`, JSON that does not parse) ----

// Any PEM block: private keys of every flavour, certificates, CSRs.
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?(?:-----END \1-----|$)/g;
/**
 * A run of base64 of at least 40 characters, with the lines it may be wrapped over (real or JSON-escaped newlines).
 * It starts after a character that is not base64, or right after an escaped `\n`/`\r`/`\t` inside a JSON string.
 */
const BASE64_RUN = /(?:(?<![\\A-Za-z0-9+/])|(?<=\\[nrt]))[A-Za-z0-9+/]{40,}={0,2}(?:(?:\r?\n|\\r\\n|\\n)[A-Za-z0-9+/]{4,}={0,2})*/g;
const PEM_MARKER = '-----BEGIN';

/**
 * Whether a base64 run carries key or certificate material: PEM once decoded (how Envoy's inline_bytes carries it,
 * `-----BEGIN` at any of base64's three alignments, since a file often starts with a newline), or DER, whatever the
 * algorithm (every PKCS#1/PKCS#8/SEC1 key and X.509 certificate is a DER SEQUENCE: 0x30 and a length; Ed25519 and
 * X25519 keys start `MC4C`, not `MII`).
 */
function isKeyMaterial(run: string): boolean {
  const compact = run.replace(/\\[rn]|\s/g, '');
  for (let skip = 0; skip < 4; skip++) {
    if (Buffer.from(compact.slice(skip), 'base64').toString('latin1').includes(PEM_MARKER)) return true;
  }
  const der = Buffer.from(compact.slice(0, 8), 'base64');
  const length = der[1] ?? 0xff;
  return der[0] === 0x30 && (length < 0x80 || (length >= 0x81 && length <= 0x84));
}
// JWTs: header.payload.signature, base64url, header starting with `{"` (eyJ).
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
// `Authorization: …`, `token=…`, `password: …` in free text (logs, tables, error messages); in a query string up to the next `&`.
// A bare `secret` key is left alone: Envoy has a logger named `secret`, and `proxy-config log` prints `secret: warning`.
const TEXT_ASSIGNMENT =
  /\b(authorization|proxy-authorization|[a-z_-]*(?:token|password|passwd|api[_-]?key)|[a-z]+[_-]secret)(["']?\s*[:=]\s*["']?)([^\s"',;&]+)/gi;

/** The user info of a URL (`https://user:password@host`, `https://TOKEN@host`): a credential whatever its form. */
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/** Key material and credentials by their shape alone: credentials in URLs, PEM blocks, base64 PEM and DER (wrapped or not), JWTs. */
export function redactKeyMaterial(text: string): string {
  return text
    .replace(URL_USER_INFO, `$1${REDACTED}@`)
    .replace(PEM_BLOCK, REDACTED)
    .replace(BASE64_RUN, (run) => (isKeyMaterial(run) ? REDACTED : run))
    .replace(JWT, REDACTED);
}

/** Redacts secrets inside free text: redactKeyMaterial, then bearer/basic credentials and `key: value` credentials. */
export function redactText(text: string): string {
  return redactKeyMaterial(text)
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(TEXT_ASSIGNMENT, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`);
}

// ---- value shapes ----

/** Cluster, listener, route, filter and secret names: no spaces or quotes (`outbound|9080|v1|reviews.default.svc.cluster.local`). */
const NAME = /^[A-Za-z0-9_.:|/*~@+,;=#%[\]-]{1,512}$/;
/** IPs, host names, `host:port`, `[v6]:port`, pipe-less internal addresses. */
const ADDRESS = /^[A-Za-z0-9_.:%[\]*-]{1,255}$/;
/** Absolute paths: route prefixes and paths, file names, UDS paths (no `?`: a query string can carry a token). */
const PATH = /^\.?\/[A-Za-z0-9_.~!$&'()*+,;=:@%/{}-]{0,1023}$/;
/** RE2 route regexes: anything without whitespace or quotes. */
const REGEX = /^[^\s"']{1,1024}$/;
/**
 * proto enum values (`STRICT_DNS`, `V3`, `HTTP2`, `TLSv1_2`): short upper-case words, each at most 14 letters and a
 * 2-digit suffix. Generated keys are longer runs (a 16+ character base32 seed without digits is not an enum).
 */
const ENUM = /^(?:[A-Z]{1,14}[0-9]{0,2}(?:_[A-Z]{1,14}[0-9]{0,2})*|TLSv1_[0-3])$/;
const DURATION = /^-?\d+(?:\.\d+)?s$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\d[T ][\d:.]+(?:Z| [+-]\d{4} UTC(?: m=[+-][\d.]+)?)?$/;
/** `2023-12-26T05:56:10Z/3`, `uninitialized`, resource versions. */
const VERSION_INFO = /^(?:uninitialized|\d{1,20}|\d{4}-\d\d-\d\d[T ][\d:.]+(?:Z| [+-]\d{4} UTC(?: m=[+-][\d.]+)?)?(?:\/\d{1,20})?)$/;
const SPIFFE = /^spiffe:\/\/[A-Za-z0-9.-]+(?:\/[A-Za-z0-9._~%+-]+)*$/;
const TYPE_URL = /^type\.googleapis\.com\/[A-Za-z0-9_.]+$/;
/** Kubernetes label values. */
const LABEL = /^[A-Za-z0-9_.-]{0,63}$/;
/** Envoy access-log formats made only of `%COMMAND(…)%` operators and separators: no literal text that could be a secret. */
const FORMAT_ONLY = /^(?:%[A-Z_]+(?:\([^)%\s]*\))?(?::\d+)?%|[\s"[\]{}:,=|;/-])+$/;

/** Shapes kept whatever the field: none of them can hold a credential. */
const ANYWHERE: readonly RegExp[] = [ENUM, DURATION, TIMESTAMP, SPIFFE, TYPE_URL];

/** field (snake_case) → the shape its string values must have to be kept. */
const KEPT_FIELDS: ReadonlyMap<string, RegExp> = new Map([
  ...fieldsOf(NAME, [
    'name', 'cluster', 'cluster_name', 'service_name', 'route_config_name', 'stat_prefix', 'server_listener_name',
    'key', 'header_name', 'runtime', 'tag', 'protocol', 'transport_protocol', 'application_protocols', 'alpn_protocols',
    'upgrade_type', 'retry_on', 'tls_mode', 'workload', 'namespace', 'region', 'zone', 'sub_zone', 'user_agent_name',
    'cipher_suites', 'ecdh_curves', 'id', 'subset', 'object_key', 'host_env_keys', 'operation',
  ]),
  ...fieldsOf(ADDRESS, [
    'address', 'address_prefix', 'local', 'endpoint_id', 'domains', 'server_names', 'sni', 'server_name', 'host',
    'hostname', 'host_redirect', 'host_rewrite_literal', 'target_uri',
  ]),
  ...fieldsOf(PATH, ['prefix', 'path', 'path_separated_prefix', 'prefix_rewrite', 'path_redirect', 'filename', 'config']),
  ...fieldsOf(TIMESTAMP, ['last_updated']),
  ...fieldsOf(VERSION_INFO, ['version_info']),
]);

function fieldsOf(shape: RegExp, names: readonly string[]): [string, RegExp][] {
  return names.map((name) => [name, shape]);
}

/**
 * Node metadata (bootstrap) is a map of free strings; only these keys are facts an SRE needs. The rest (user
 * `ISTIO_META_*` variables, annotations, platform metadata) is removed.
 */
const NODE_METADATA: ReadonlySet<string> = new Set([
  'istio_version', 'istio_proxy_sha', 'cluster_id', 'mesh_id', 'namespace', 'name', 'service_account', 'workload_name',
  'owner', 'interception_mode', 'instance_ips', 'node_name', 'build.label', 'build.type', 'revision.sha',
  'revision.status', 'ssl.version', 'istio_meta_wasm_plugin_resource_version',
]);
const NODE_METADATA_VALUE = /^[A-Za-z0-9_.:/,@+=-]{0,512}$/;

/** DataSources holding certificates: replaced by each certificate's public facts (serial, subject, validity). */
const CERTIFICATE_HOLDERS: ReadonlySet<string> = new Set(['certificate_chain', 'trusted_ca', 'trust_bundle', 'ca_certificate']);
const INLINE = new Set(['inline_bytes', 'inline_string']);

/** `dynamicActiveClusters` and `dynamic_active_clusters` are the same field (protojson vs Envoy's admin JSON). */
function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Typed values whose content is free-form user configuration (a Wasm plugin's JSON, a TypedStruct): field names in
 * there are the plugin author's, not Envoy's, so a `name` or `key` in there is no more trustworthy than a `value`.
 */
const OPAQUE_TYPE = /^type\.googleapis\.com\/(?:google\.protobuf\.(?:Struct|StringValue|BytesValue|Value|ListValue)|udpa\.type\.v1\.TypedStruct|xds\.type\.v3\.TypedStruct)$/;
/**
 * Maps keyed by their owner rather than by Envoy: a ProxyConfig's `proxyMetadata` (environment variables set by the
 * mesh's users) and pod annotations in node metadata. A variable named `KEY` or `ID` is not the field of that name.
 */
const OPAQUE_FIELDS: ReadonlySet<string> = new Set(['configuration', 'plugin_config', 'context_extensions', 'proxy_metadata', 'annotations']);

interface Where {
  readonly key: string;
  readonly parent: string;
  readonly grandparent: string;
  /** Below user-defined configuration: no string is kept except type URLs. */
  readonly opaque: boolean;
}

function keepString(value: string, where: Where): string {
  if (where.opaque) return value === '' || TYPE_URL.test(value) ? value : REDACTED;
  if (value === '' || ANYWHERE.some((shape) => shape.test(value))) return value;
  const { key, parent, grandparent } = where;
  // Node metadata holds every ISTIO_META_* variable under its own name (ISTIO_META_KEY → KEY): only the listed keys
  // are Istio's facts, whatever field name another key happens to share.
  if (parent === 'metadata') return NODE_METADATA.has(key) && NODE_METADATA_VALUE.test(value) ? value : REDACTED;
  if (parent === 'labels') return LABEL.test(value) ? value : REDACTED;
  // Only a route's own match is shown: header and query matchers carry values (API keys used as match values).
  if (key === 'regex' && parent === 'safe_regex' && grandparent === 'match') return REGEX.test(value) ? value : REDACTED;
  if (key === 'uri') return withoutQuery(value);
  if (key === 'inline_string' && parent === 'text_format_source') return FORMAT_ONLY.test(value) ? value : REDACTED;
  const shape = KEPT_FIELDS.get(key);
  return shape?.test(value) ? value : REDACTED;
}

/** `http://authz.svc:8000/check?token=…` → `http://authz.svc:8000/check?[redacted]`; user info is dropped too. */
function withoutQuery(value: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/?#]*@)?([A-Za-z0-9_.:%[\]-]+)(\/[^?#\s]*)?([?#].*)?$/.exec(value);
  if (!match) return REDACTED;
  const [, scheme = '', host = '', path = '', rest] = match;
  return `${scheme}${host}${PATH.test(path) ? path : path === '' ? '' : `/${REDACTED}`}${rest ? `?${REDACTED}` : ''}`;
}

/** A DataSource's inline PEM (or base64 PEM) → `[redacted certificate: serial …, subject …, not before …, not after …]` per certificate. */
function describeCertificates(inline: string, base64: boolean): string {
  const text = base64 ? Buffer.from(inline, 'base64').toString('utf8') : inline;
  const facts: string[] = [];
  for (const block of text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) {
    try {
      const cert = new X509Certificate(block);
      // Workload certificates have an empty subject (node gives undefined): their identity is the SPIFFE SAN.
      const identity = [cert.subject ? `subject ${cert.subject.replace(/\n/g, ', ')}` : '', cert.subjectAltName ? `SAN ${cert.subjectAltName}` : ''].filter((part) => part !== '');
      facts.push([`serial ${cert.serialNumber.toLowerCase()}`, ...identity, `not before ${cert.validFromDate.toISOString()}`, `not after ${cert.validToDate.toISOString()}`].join(', '));
    } catch {
      facts.push('unreadable certificate');
    }
  }
  return facts.length === 0 ? REDACTED : `[redacted certificate: ${facts.join('; ')}]`;
}

function redactNode(value: unknown, where: Where): unknown {
  if (typeof value === 'string') return keepString(value, where);
  if (value === null || typeof value !== 'object') return value;
  // Array elements are judged by the array's field (`domains: [...]`).
  if (Array.isArray(value)) return value.map((item) => redactNode(item, where));
  const holdsCertificates = CERTIFICATE_HOLDERS.has(where.key);
  const typeUrl = (value as Record<string, unknown>)['@type'];
  const opaque = where.opaque || OPAQUE_FIELDS.has(where.key) || (typeof typeUrl === 'string' && OPAQUE_TYPE.test(typeUrl));
  const out: Record<string, unknown> = {};
  for (const [rawKey, child] of Object.entries(value)) {
    const key = rawKey.startsWith('@') ? rawKey : snake(rawKey);
    if (holdsCertificates && INLINE.has(key) && typeof child === 'string') out[rawKey] = describeCertificates(child, key === 'inline_bytes');
    else out[rawKey] = redactNode(child, { key, parent: where.key, grandparent: where.parent, opaque });
  }
  return out;
}

/**
 * A string literal of JSON text: its body, then whether a `:` follows (a member name). A string cut off by the end of
 * the text or of its line (output that stopped mid-value) counts as a value to its end.
 */
const JSON_STRING = /"((?:[^"\\\n]|\\.)*)(?:"(\s*:)?|(?=\n)|$)/g;

/**
 * JSON output that does not parse (cut short, or with text around it): each string value is kept by the allow-list
 * as if it were the value of the member name before it, without the parent a parsed dump would give (labels, node
 * metadata, a route's own regex read as unknown fields). So a header value, an HMAC or a Lua source is removed here
 * as in a dump that parses, instead of only what looks like a key or a token. The rest is then redacted as text.
 */
export function redactJsonText(text: string): string {
  let key = '';
  // Member names repeat (a few dozen field names, thousands of times each).
  const keys = new Map<string, string>();
  const kept = text.replace(JSON_STRING, (literal, body: string, colon: string | undefined) => {
    if (colon !== undefined) {
      key = keys.get(body) ?? snake(decoded(body));
      if (keys.size < 10_000) keys.set(body, key);
      return literal;
    }
    const value = decoded(body);
    const redacted = keepString(value, { key, parent: '', grandparent: '', opaque: false });
    return redacted === value ? literal : JSON.stringify(redacted);
  });
  return redactText(kept);
}

function decoded(body: string): string {
  if (!body.includes('\\')) return body;
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    // A cut escape (`\u12`): the raw body, which the allow-list judges as it would the decoded value.
    return body;
  }
}

/**
 * Deep, pure allow-list redaction of a config dump (or any JSON value): field names, numbers and booleans are kept;
 * strings only where the field and the value's shape say it is routing information (see the file comment).
 * Returns a new value; the input is not modified.
 */
export function redactConfigDump(value: unknown): unknown {
  return redactNode(value, { key: '', parent: '', grandparent: '', opaque: false });
}
