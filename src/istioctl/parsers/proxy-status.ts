import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { err, ok } from '../../result.ts';
import type { Result } from '../../result.ts';
import type {
  IstiodIdentity,
  ParseFailure,
  ProxyStatusFormat,
  ProxyStatusReport,
  ProxyStatusRow,
  SyncState,
} from '../types.ts';
import { splitTableCells } from './table.ts';

/**
 * Parses `istioctl proxy-status` stdout of every istioctl version 1.20+:
 * the 1.20-1.21 syncz table, the xDS table (1.20-1.21 `x ps`, 1.22-1.26 `ps`, 1.27+ `ps --verbosity 1`),
 * the 1.27+ SUBSCRIBED TYPES table, and 1.30+ `-o json` / `-o yaml` (raw DiscoveryResponse documents,
 * one per istiod; both are reported as format `json` because they carry the same data).
 */
export function parseProxyStatus(stdout: string): Result<ProxyStatusReport, ParseFailure> {
  const trimmed = stdout.trim();
  if (trimmed === '') {
    // 1.20-1.21 `x ps` prints nothing at all, not even a header, when no proxy is connected.
    return ok({ format: 'empty', proxies: [], istiods: [] });
  }
  if (trimmed.startsWith('{')) {
    const documents = parseJsonDocuments(trimmed);
    return documents.ok ? fromDiscoveryResponses(documents.value) : documents;
  }
  if (YAML_TOP_LEVEL_KEY.test(trimmed)) {
    return parseYaml(trimmed);
  }
  return parseTable(stdout);
}

// -------------------------------------------------------------------------------------------------
// Tables

const NAME = 'NAME';
const CLUSTER = 'CLUSTER';
const ISTIOD = 'ISTIOD';
const VERSION = 'VERSION';
const SUBSCRIBED_TYPES = 'SUBSCRIBED TYPES';
const NON_STATE_COLUMNS = new Set([NAME, CLUSTER, ISTIOD, VERSION, SUBSCRIBED_TYPES]);

/** `5 (CDS,LDS,EDS,RDS,ECDS)` or `0`; linear (no nested quantifiers). */
const SUBSCRIBED_CELL = /^\d+(?: \(([^()]*)\))?$/;

function parseTable(stdout: string): Result<ProxyStatusReport, ParseFailure> {
  const table = splitTableCells(stdout);
  if (!table.ok) return table;
  const { headers, rowCount, cells } = table.value;
  const width = headers.length;
  const nameIndex = headers.indexOf(NAME);
  if (nameIndex === -1) {
    return fail(`The proxy-status table has no NAME column (header: ${headers.join(', ')}).`);
  }
  const clusterIndex = headers.indexOf(CLUSTER);
  const istiodIndex = headers.indexOf(ISTIOD);
  const versionIndex = headers.indexOf(VERSION);
  const subscribedIndex = headers.indexOf(SUBSCRIBED_TYPES);
  const stateColumns = headers.flatMap((header, index) => (NON_STATE_COLUMNS.has(header) ? [] : [{ header, index }]));
  const statesOf = tableStates(stateColumns);

  const proxies: ProxyStatusRow[] = new Array<ProxyStatusRow>(rowCount);
  const istiodIds = new Set<string>();
  let synczMarker = false;
  for (let r = 0; r < rowCount; r++) {
    const base = r * width;
    const name = cellAt(cells, base, nameIndex);
    if (name === '') return fail(`Row ${r + 1} of the proxy-status table has an empty NAME.`);
    const version = cellAt(cells, base, versionIndex);
    // Only the syncz writer falls back to `<proxy version>*` when ISTIO_VERSION is unknown.
    if (version.endsWith('*')) synczMarker = true;

    const rowStates = statesOf(cells, base);
    if (!rowStates.ok) return fail(`${rowStates.error} for proxy ${name}.`);
    if (rowStates.value.synczMarker) synczMarker = true;

    const istiod = cellAt(cells, base, istiodIndex);
    if (istiod !== '') istiodIds.add(istiod);
    let subscribedTypes: string[] | undefined;
    if (subscribedIndex !== -1) {
      const subscribed = parseSubscribedTypes(cellAt(cells, base, subscribedIndex));
      if (subscribed === null) {
        return fail(`Unexpected SUBSCRIBED TYPES "${cellAt(cells, base, subscribedIndex)}" for proxy ${name}.`);
      }
      subscribedTypes = subscribed;
    }
    const row: ProxyStatusRow = {
      name,
      namespace: namespaceOfName(name),
      cluster: cellAt(cells, base, clusterIndex),
      istiod,
      version,
      states: rowStates.value.states,
      rawStates: rowStates.value.rawStates,
    };
    proxies[r] = subscribedTypes === undefined ? row : { ...row, subscribedTypes };
  }

  // The 1.20-1.21 syncz and xDS writers print identical headers; only these markers tell them apart,
  // so a syncz table without them is reported as xds-table (the data is the same either way).
  const format: ProxyStatusFormat =
    subscribedIndex !== -1 ? 'subscribed-types-table' : synczMarker ? 'syncz-table' : 'xds-table';
  return ok({
    format,
    proxies,
    istiods: [...istiodIds].map((id) => ({ id, version: '' })),
  });
}

/** Cell `index` of the row starting at `base` in a flat row-major cell array; '' for a missing column (-1). */
function cellAt(cells: readonly string[], base: number, index: number): string {
  return index === -1 ? '' : (cells[base + index] ?? '');
}

interface RowStates {
  readonly states: Readonly<Record<string, SyncState>>;
  readonly rawStates: Readonly<Record<string, string>>;
  readonly synczMarker: boolean;
}

interface StatesNode {
  readonly next: Map<string, StatesNode>;
  result?: Result<RowStates, string>;
}

/**
 * Returns a function reading a row's state cells. Rows with identical state cells share one frozen
 * pair of records: in a healthy mesh nearly every row reads `SYNCED` everywhere, so a 50,000-row
 * table then allocates a handful of records instead of 100,000. Lookup walks a trie keyed by the
 * cells, so hits allocate nothing.
 */
function tableStates(
  columns: readonly { header: string; index: number }[],
): (cells: readonly string[], base: number) => Result<RowStates, string> {
  const root: StatesNode = { next: new Map() };
  const states = new StateCache();
  return (cells, base) => {
    let node = root;
    for (const { index } of columns) {
      const raw = cellAt(cells, base, index);
      let child = node.next.get(raw);
      if (child === undefined) {
        child = { next: new Map() };
        node.next.set(raw, child);
      }
      node = child;
    }
    node.result ??= readStates(columns, cells, base, states);
    return node.result;
  };
}

function readStates(
  columns: readonly { header: string; index: number }[],
  cells: readonly string[],
  base: number,
  cache: StateCache,
): Result<RowStates, string> {
  const states: Record<string, SyncState> = {};
  const rawStates: Record<string, string> = {};
  let synczMarker = false;
  for (const { header, index } of columns) {
    const raw = cellAt(cells, base, index);
    // A blank cell means istiod reported nothing for that type (e.g. ECDS from an older istiod).
    if (raw === '') continue;
    const state = cache.normalize(raw);
    if (state === null) return err(`Unknown xDS state "${raw}" in column ${header}`);
    if (raw === NEVER_ACKNOWLEDGED) synczMarker = true;
    states[header] = state;
    rawStates[header] = raw;
  }
  return ok({ states: Object.freeze(states), rawStates: Object.freeze(rawStates), synczMarker });
}

const NEVER_ACKNOWLEDGED = 'STALE (Never Acknowledged)';

const STATE_NAMES: ReadonlyMap<string, SyncState> = new Map<string, SyncState>([
  ['SYNCED', 'SYNCED'],
  ['STALE', 'STALE'],
  ['NOT SENT', 'NOT SENT'],
  ['NOT_SENT', 'NOT SENT'],
  ['IGNORED', 'IGNORED'],
  // protojson enum name; istioctl's table prints it as IGNORED.
  ['UNKNOWN', 'IGNORED'],
  ['ERROR', 'ERROR'],
]);

/** Memoizes cell text → state: a mesh has few distinct cells but may have 50,000 rows. */
class StateCache {
  readonly #cache = new Map<string, SyncState | null>();

  normalize(raw: string): SyncState | null {
    let state = this.#cache.get(raw);
    if (state === undefined) {
      state = normalizeState(raw);
      this.#cache.set(raw, state);
    }
    return state;
  }
}

/** Drops the parenthesised suffix (`(Never Acknowledged)`, 1.23+ ages like `(2m3s)`) before matching. */
function normalizeState(raw: string): SyncState | null {
  const paren = raw.indexOf(' (');
  if (paren !== -1 && !raw.endsWith(')')) return null;
  const base = paren === -1 ? raw : raw.slice(0, paren);
  return STATE_NAMES.get(base) ?? null;
}

function parseSubscribedTypes(cell: string): string[] | null {
  const match = SUBSCRIBED_CELL.exec(cell);
  if (match === null) return null;
  const list = match[1];
  return list === undefined || list === '' ? [] : list.split(',').map((type) => type.trim());
}

/** istioctl names proxies `pod.namespace`; a pod name may contain dots but a namespace (an RFC 1123 label) cannot. */
function namespaceOfName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? '' : name.slice(dot + 1);
}

// -------------------------------------------------------------------------------------------------
// 1.30+ -o json / -o yaml: DiscoveryResponse documents

/**
 * Parses stdout holding several top-level JSON documents back to back (istioctl writes one indented
 * DiscoveryResponse per istiod without a separator).
 *
 * Fast path: in indented output only a document's own closing brace sits at the start of a line, and
 * raw newlines cannot occur inside JSON strings, so cutting after each `\n}` and parsing the pieces
 * is exact whenever every piece parses. Anything else (compact JSON, a cut inside a document) falls
 * back to the exact scanner, which also produces the precise error.
 */
export function parseJsonDocuments(text: string): Result<unknown[], ParseFailure> {
  const fast = parseAtLineStartBraces(text);
  if (fast !== null) return ok(fast);
  const documents = splitJsonDocuments(text);
  if (!documents.ok) return documents;
  const parsed: unknown[] = [];
  for (const [index, document] of documents.value.entries()) {
    try {
      parsed.push(JSON.parse(document));
    } catch (e) {
      return fail(`JSON document ${index + 1} of the proxy-status output is invalid: ${(e as Error).message}.`);
    }
  }
  return ok(parsed);
}

function parseAtLineStartBraces(text: string): unknown[] | null {
  const parsed: unknown[] = [];
  let start = 0;
  for (let brace = text.indexOf('\n}', start); brace !== -1; brace = text.indexOf('\n}', start)) {
    const end = brace + 2;
    try {
      parsed.push(JSON.parse(text.slice(start, end)));
    } catch {
      return null;
    }
    start = end;
  }
  return onlyWhitespace(text, start, text.length) ? parsed : null;
}

/**
 * Splits stdout holding several top-level JSON documents back to back. Tracks strings and escapes
 * so braces inside string values (the control-plane identifier is itself JSON text) do not count.
 */
export function splitJsonDocuments(text: string): Result<string[], ParseFailure> {
  const documents: string[] = [];
  const structural = /["{}[\]]/g;
  let depth = 0;
  let start = -1;
  let scanned = 0;
  for (let match = structural.exec(text); match !== null; match = structural.exec(text)) {
    const i = match.index;
    if (depth === 0 && !onlyWhitespace(text, scanned, i)) return fail(`Unexpected text between JSON documents at offset ${scanned}.`);
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      if (depth === 0) return fail(`Unexpected text between JSON documents at offset ${i}.`);
      const close = closingQuote(text, i + 1);
      if (close === -1) break;
      structural.lastIndex = close + 1;
    } else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) {
      if (depth === 0) start = i;
      depth++;
    } else {
      depth--;
      if (depth < 0) return fail(`Unbalanced "${text[i]}" in JSON output at offset ${i}.`);
      if (depth === 0) documents.push(text.slice(start, i + 1));
    }
    scanned = structural.lastIndex;
  }
  if (depth !== 0 || structural.lastIndex !== 0) return fail('The JSON output is truncated (unbalanced braces or an open string).');
  if (!onlyWhitespace(text, scanned, text.length)) return fail(`Unexpected text after the last JSON document at offset ${scanned}.`);
  return ok(documents);
}

/** Index of the quote ending a string whose content starts at `from`, or -1; skips escaped quotes. */
function closingQuote(text: string, from: number): number {
  let quote = text.indexOf('"', from);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return -1;
}

function onlyWhitespace(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (!isJsonWhitespace(text.charCodeAt(i))) return false;
  }
  return true;
}

const BACKSLASH = 92;
const QUOTE = 34;
const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;

function isJsonWhitespace(ch: number): boolean {
  return ch === 32 || ch === 10 || ch === 13 || ch === 9;
}

/**
 * `-o yaml` sorts keys, so a DiscoveryResponse starts with one of its own field names. Matching only
 * those keeps stray text such as `Error: ...` on stdout out of the YAML path (it fails as a table).
 */
const YAML_TOP_LEVEL_KEY = /^(?:controlPlane|resources|typeUrl|versionInfo|nonce|canary):(?:\s|$)/;

function parseYaml(text: string): Result<ProxyStatusReport, ParseFailure> {
  const parsed: unknown[] = [];
  for (const [index, document] of parseAllDocuments(text).entries()) {
    const problem = document.errors[0];
    if (problem !== undefined) return fail(`YAML document ${index + 1} of the proxy-status output is invalid: ${problem.message}`);
    // A stray `---` yields an empty document; it describes nothing.
    if (document.contents !== null) parsed.push(document.toJS());
  }
  return fromDiscoveryResponses(parsed);
}

const CLIENT_CONFIG_TYPE = 'type.googleapis.com/envoy.service.status.v3.ClientConfig';

const genericXdsConfigSchema = z.object({
  typeUrl: z.string().optional(),
  // protojson omits enum zero values, so a missing configStatus is UNKNOWN.
  configStatus: z.string().optional(),
});

const clientConfigSchema = z.object({
  '@type': z.literal(CLIENT_CONFIG_TYPE),
  node: z
    .object({
      id: z.string().optional(),
      metadata: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  genericXdsConfigs: z.array(genericXdsConfigSchema).optional(),
});

type ClientConfig = z.infer<typeof clientConfigSchema>;

/**
 * clientConfigSchema's check without its copy, called once per proxy (50,000 at a time); the schema still reads
 * whatever this refuses, so its message is the one given. JSON gives no `undefined`, so "optional" is "absent".
 */
function isClientConfig(value: DiscoveryResource): value is ClientConfig {
  const node: unknown = value['node'];
  if (node !== undefined) {
    if (!isRecord(node)) return false;
    if (node['id'] !== undefined && typeof node['id'] !== 'string') return false;
    if (node['metadata'] !== undefined && !isRecord(node['metadata'])) return false;
  }
  const configs: unknown = value['genericXdsConfigs'];
  if (configs === undefined) return true;
  if (!Array.isArray(configs)) return false;
  for (const xds of configs as unknown[]) {
    if (!isRecord(xds)) return false;
    if (xds['typeUrl'] !== undefined && typeof xds['typeUrl'] !== 'string') return false;
    if (xds['configStatus'] !== undefined && typeof xds['configStatus'] !== 'string') return false;
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A resource of a DiscoveryResponse as its schema checks it: any object, `@type` a string when present. */
const discoveryResourceSchema = z.looseObject({ '@type': z.string().optional() });
export type DiscoveryResource = z.infer<typeof discoveryResourceSchema>;

/** discoveryResourceSchema's check without its copy: called once per proxy on the streaming path. */
export function isDiscoveryResource(value: unknown): value is DiscoveryResource {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const type: unknown = (value as Record<string, unknown>)['@type'];
  return type === undefined || typeof type === 'string';
}

const discoveryResponseSchema = z
  .looseObject({
    versionInfo: z.string().optional(),
    resources: z.array(discoveryResourceSchema).optional(),
    typeUrl: z.string().optional(),
    nonce: z.string().optional(),
    controlPlane: z.object({ identifier: z.string().optional() }).optional(),
  })
  // Every field is optional (protojson drops defaults, `{}` is a real empty answer), so demand that a
  // non-empty document has at least one DiscoveryResponse field; otherwise any object would read as "no proxies".
  .refine(
    (response) =>
      Object.keys(response).length === 0 ||
      ['versionInfo', 'resources', 'typeUrl', 'nonce', 'controlPlane'].some((key) => key in response),
    { message: 'none of versionInfo, resources, typeUrl, nonce, controlPlane is present' },
  );

/** istiod's self-description, serialized as JSON text inside controlPlane.identifier. */
const controlPlaneIdentifierSchema = z.object({
  Component: z.string().optional(),
  ID: z.string(),
  Info: z.object({ version: z.string().optional() }).optional(),
});

const TYPE_SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  ['type.googleapis.com/envoy.config.cluster.v3.Cluster', 'CDS'],
  ['type.googleapis.com/envoy.config.listener.v3.Listener', 'LDS'],
  ['type.googleapis.com/envoy.config.route.v3.RouteConfiguration', 'RDS'],
  ['type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment', 'EDS'],
  ['type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig', 'ECDS'],
  ['type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', 'SDS'],
  // Istio's own types (pkg/model/xds.go GetShortType), e.g. NDS for sidecars with DNS capture: the tables' names.
  ['type.googleapis.com/istio.networking.nds.v1.NameTable', 'NDS'],
  ['type.googleapis.com/istio.mesh.v1alpha1.ProxyConfig', 'PCDS'],
  // ztunnel's types, named as istioctl's tables name them (pkg/model/xds.go GetShortType, 1.22+).
  ['type.googleapis.com/istio.workload.Address', 'WDS'],
  ['type.googleapis.com/istio.workload.Workload', 'WDS'],
  ['type.googleapis.com/istio.security.Authorization', 'WADS'],
]);

function shortTypeName(typeUrl: string): string {
  const known = TYPE_SHORT_NAMES.get(typeUrl);
  if (known !== undefined) return known;
  const slash = typeUrl.lastIndexOf('/');
  return slash === -1 ? typeUrl : typeUrl.slice(slash + 1);
}

function fromDiscoveryResponses(documents: readonly unknown[]): Result<ProxyStatusReport, ParseFailure> {
  const reader = discoveryResponseReader();
  for (const [index, document] of documents.entries()) {
    const checked = reader.document(index, document);
    if (!checked.ok) return checked;
    for (const resource of checked.value.resources) {
      const problem = reader.resource(resource);
      if (problem) return err(problem);
    }
    reader.accept(checked.value.istiod);
  }
  return ok(reader.report());
}

export interface DiscoveryResponseReader {
  /**
   * Checks one document and returns its resources and the istiod that sent it. The streaming reader passes the
   * document once it has ended, its resources already read one by one (and stood in for, see proxy-status-bytes.ts).
   */
  document(index: number, document: unknown): Result<{ readonly resources: readonly DiscoveryResource[]; readonly istiod: IstiodIdentity | null }, ParseFailure>;
  /** Reads one resource: a ClientConfig becomes a proxy row held until `accept` or `drop`, other types are skipped. */
  resource(resource: DiscoveryResource): ParseFailure | undefined;
  /** The rows read since the last accept or drop join the report, connected to `istiod`. */
  accept(istiod: IstiodIdentity | null): void;
  /** Forgets the rows read since the last accept or drop (a later `resources` member of the same document wins). */
  drop(): void;
  report(): ProxyStatusReport;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The DiscoveryResponse documents read one at a time, and their resources one at a time, so a caller reading the
 * output as it arrives never holds it whole (src/istioctl/parsers/proxy-status-bytes.ts). A document's rows wait for
 * its end: protojson writes `controlPlane` (which istiod answered) after `resources`.
 */
export function discoveryResponseReader(): DiscoveryResponseReader {
  const proxies: ProxyStatusRow[] = [];
  let pending: Mutable<ProxyStatusRow>[] = [];
  const istiods = new Map<string, IstiodIdentity>();
  const states = new StateCache();
  const sharedStates = new Map<string, Pick<ProxyStatusRow, 'states' | 'rawStates'>>();
  return {
    document(index, document) {
      const response = discoveryResponseSchema.safeParse(document);
      if (!response.success) {
        return fail(`Document ${index + 1} of the proxy-status output is not a DiscoveryResponse: ${z.prettifyError(response.error)}`);
      }
      const identity = controlPlaneOf(response.data.controlPlane?.identifier);
      if (!identity.ok) return identity;
      return ok({ resources: response.data.resources ?? [], istiod: identity.value });
    },
    resource(resource) {
      // istiod may send other resource types in the same response; only ClientConfigs describe proxies.
      if (resource['@type'] !== CLIENT_CONFIG_TYPE) return undefined;
      let config: ClientConfig;
      if (isClientConfig(resource)) config = resource;
      else {
        const checked = clientConfigSchema.safeParse(resource);
        if (!checked.success) return fail(`A ClientConfig in the proxy-status output is malformed: ${z.prettifyError(checked.error)}`).error;
        config = checked.data;
      }
      const name = config.node?.id ?? '';
      if (name === '') return fail('A ClientConfig in the proxy-status output has no node id.').error;
      const metadata = config.node?.metadata ?? {};

      const rowStates: Record<string, SyncState> = {};
      const rawStates: Record<string, string> = {};
      let key = '';
      for (const xds of config.genericXdsConfigs ?? []) {
        if (xds.typeUrl === undefined) continue;
        const type = shortTypeName(xds.typeUrl);
        const raw = xds.configStatus ?? 'UNKNOWN';
        const state = states.normalize(raw);
        if (state === null) return fail(`Unknown configStatus "${raw}" for ${type} of proxy ${name}.`).error;
        rowStates[type] = state;
        rawStates[type] = raw;
        key += `${type}\u0000${raw}\u0000`;
      }
      // Rows with the same states share one frozen pair of records, as in the tables (tableStates): at 50,000
      // proxies that is 100,000 records fewer to keep.
      let shared = sharedStates.get(key);
      if (shared === undefined) {
        shared = { states: Object.freeze(rowStates), rawStates: Object.freeze(rawStates) };
        sharedStates.set(key, shared);
      }
      pending.push({
        name,
        namespace: stringField(metadata, 'NAMESPACE') ?? namespaceOfName(name),
        cluster: stringField(metadata, 'CLUSTER_ID') ?? '',
        istiod: '',
        version: stringField(metadata, 'ISTIO_VERSION') ?? '',
        states: shared.states,
        rawStates: shared.rawStates,
      });
      return undefined;
    },
    accept(istiod) {
      if (istiod !== null && !istiods.has(istiod.id)) istiods.set(istiod.id, istiod);
      for (const row of pending) {
        row.istiod = istiod?.id ?? '';
        proxies.push(row);
      }
      pending = [];
    },
    drop() {
      pending = [];
    },
    report: () => ({ format: 'json', proxies, istiods: [...istiods.values()] }),
  };
}

function controlPlaneOf(identifier: string | undefined): Result<IstiodIdentity | null, ParseFailure> {
  if (identifier === undefined || identifier === '') return ok(null);
  let value: unknown;
  try {
    value = JSON.parse(identifier);
  } catch {
    return fail(`The control-plane identifier is not JSON: "${identifier.slice(0, 120)}".`);
  }
  const parsed = controlPlaneIdentifierSchema.safeParse(value);
  if (!parsed.success) return fail(`The control-plane identifier has no istiod ID: "${identifier.slice(0, 120)}".`);
  return ok({ id: parsed.data.ID, version: parsed.data.Info?.version ?? '' });
}

function stringField(record: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function fail(message: string): { readonly ok: false; readonly error: ParseFailure } {
  return err({ kind: 'parse', message });
}
