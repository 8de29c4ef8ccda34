import { ok, type Result } from '../../result.ts';
import type { ParseFailure, ProxyStatusReport } from '../types.ts';
import { scanJson, trimmedBytes, type JsonValue } from './proxy-config/json-text.ts';
import { discoveryResponseReader, isDiscoveryResource, parseProxyStatus } from './proxy-status.ts';

/**
 * `istioctl proxy-status` stdout as the bytes istioctl printed. The 1.30+ `-o json` output is one
 * DiscoveryResponse per istiod whose `resources` hold one ClientConfig per proxy: 57 MB at 50,000 proxies, and
 * several times that once parsed whole. So each document is checked on its bytes (json-text.ts) and its
 * ClientConfigs are decoded, parsed and reduced to a proxy row one at a time.
 *
 * Same answer as parseProxyStatus on the decoded text; tables and YAML are decoded and read by it. Any output the
 * streaming read does not take as a well-formed DiscoveryResponse is handed to parseProxyStatus whole, so every
 * error message is exactly the one it gives.
 */
export function parseProxyStatusBytes(bytes: Uint8Array): Result<ProxyStatusReport, ParseFailure> {
  const streamed = streamProxyStatusJson(bytes);
  if (streamed !== null) return ok(streamed);
  return parseProxyStatus(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}

/** The report of a well-formed `-o json` output read one ClientConfig at a time; null for anything else. */
export function streamProxyStatusJson(output: Uint8Array): ProxyStatusReport | null {
  const bytes = trimmedBytes(output);
  if (bytes[0] !== OPEN_BRACE) return null;
  const bounds = documentBounds(bytes);
  if (bounds === null) return null;
  const reader = discoveryResponseReader();
  for (let d = 0; d < bounds.length; d += 2) {
    const document = scanJson(bytes.subarray(bounds[d] as number, bounds[d + 1] as number));
    if (!('kind' in document) || document.kind !== 'object') return null;
    const split = withoutResources(document);
    if (split === null) return null;
    if (!reader.document(d / 2, split.header).ok) return null;
    let failed = false;
    split.resources?.forEachElement((element) => {
      const resource: unknown = element.parse();
      failed = !isDiscoveryResource(resource) || reader.resource(resource) !== undefined;
      return !failed;
    });
    if (failed) return null;
  }
  return reader.report();
}

/**
 * A document's members parsed, except `resources` (kept in its bytes; `[]` stands for it in the header so the
 * schema still sees the field). Later duplicates win, as in JSON.parse.
 */
function withoutResources(document: JsonValue): { header: Record<string, unknown>; resources: JsonValue | undefined } | null {
  const header: Record<string, unknown> = {};
  let resources: JsonValue | undefined;
  for (const [key, value] of document.members()) {
    if (key === 'resources') {
      if (value.kind !== 'array') return null;
      resources = value;
      Object.defineProperty(header, key, { value: [], enumerable: true, writable: true, configurable: true });
    } else {
      Object.defineProperty(header, key, { value: value.parse(), enumerable: true, writable: true, configurable: true });
    }
  }
  return { header, resources };
}

/**
 * Start and end offsets of the top-level JSON values written back to back (istioctl prints one indented document
 * per istiod, no separator), or null when something other than whitespace lies between them or they do not close.
 * Strings are skipped whole (the control-plane identifier is JSON text inside a string); grammar is checked later.
 */
function documentBounds(bytes: Uint8Array): number[] | null {
  const bounds: number[] = [];
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (c === QUOTE) {
      if (depth === 0) return null;
      i = closingQuote(bytes, i + 1);
      if (i === -1) return null;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === 0) bounds.push(i);
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth < 0) return null;
      if (depth === 0) bounds.push(i + 1);
    } else if (depth === 0 && c !== SPACE && c !== NEWLINE && c !== CARRIAGE_RETURN && c !== TAB) {
      return null;
    }
  }
  return depth === 0 ? bounds : null;
}

/** Index of the unescaped quote closing a string whose content starts at `from`, or -1. */
function closingQuote(bytes: Uint8Array, from: number): number {
  let quote = bytes.indexOf(QUOTE, from);
  while (quote !== -1) {
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = bytes.indexOf(QUOTE, quote + 1);
  }
  return -1;
}

const TAB = 9;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const QUOTE = 34;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
