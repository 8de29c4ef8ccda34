import { z } from 'zod';
import { err, ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';

export function failure(message: string): { readonly ok: false; readonly error: ParseFailure } {
  return err({ kind: 'parse', message });
}

/** `snake_case` → `snakeCase`; keys with capitals, dots or `@` (metadata maps, `@type`) are left alone. */
function camel(key: string): string {
  if (!/^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/.test(key)) return key;
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Envoy's own /config_dump uses proto field names (`filter_metadata`), while istioctl's `-o json` re-marshals
 * with protojson (`filterMetadata`); the corpus has both. Everything is read through camelCase keys. Free-form
 * map keys written in lowercase snake_case (labels) are camelized too; nothing here reads those.
 */
export function normalizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[camel(k)] = normalizeKeys(v);
    return out;
  }
  return value;
}

/** JSON.parse + key normalization, as a Result. */
export function parseJsonOutput(stdout: string, what: string): Result<unknown, ParseFailure> {
  const text = stdout.trim();
  if (text === '') return failure(`${what} printed nothing (expected JSON).`);
  try {
    return ok(normalizeKeys(JSON.parse(text)));
  } catch (e) {
    return failure(`${what} output is not JSON: ${(e as Error).message}`);
  }
}

export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `at ${issue.path.join('.') || '(root)'}: ${issue.message}` : '';
}

const configDumpShape = z.looseObject({ configs: z.array(z.looseObject({ '@type': z.string().optional() })) });

export type ConfigDumpSection = Readonly<Record<string, unknown>>;

/** A full Envoy /config_dump (what `proxy-config all -o json` prints), keys normalized. */
export interface ConfigDump {
  readonly configs: readonly ConfigDumpSection[];
}

export function asConfigDump(value: unknown): ConfigDump | undefined {
  const parsed = configDumpShape.safeParse(value);
  return parsed.success ? { configs: parsed.data.configs } : undefined;
}

/** `proxy-config all -o json`, or any saved /config_dump. */
export function parseConfigDump(stdout: string): Result<ConfigDump, ParseFailure> {
  const json = parseJsonOutput(stdout, 'istioctl proxy-config all -o json');
  if (!json.ok) return json;
  const dump = asConfigDump(json.value);
  if (!dump) return failure('config dump has no "configs" array.');
  return ok(dump);
}

/** The section whose `@type` ends with e.g. `ClustersConfigDump` (v2 and v3 admin types both match). */
export function section(dump: ConfigDump, typeSuffix: string): ConfigDumpSection | undefined {
  return dump.configs.find((c) => typeof c['@type'] === 'string' && c['@type'].endsWith(`.${typeSuffix}`));
}

/** A reference to the Istio config that produced an Envoy object (route or cluster metadata). */
export interface ConfigRef {
  /** `VirtualService`, `DestinationRule`, or the path's resource segment as-is for other kinds. */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** `name.namespace`, how istioctl prints it in the VIRTUAL SERVICE / DESTINATION RULE columns. */
  readonly display: string;
}

const KINDS: Readonly<Record<string, string>> = {
  'virtual-service': 'VirtualService',
  'destination-rule': 'DestinationRule',
  'envoy-filter': 'EnvoyFilter',
  'service-entry': 'ServiceEntry',
  sidecar: 'Sidecar',
  gateway: 'Gateway',
};

/** `/apis/networking.istio.io/v1/namespaces/default/virtual-service/httpbin` (any API version). */
export function parseConfigPath(path: string): ConfigRef | null {
  const parts = path.split('/');
  // ['', 'apis', group, version, 'namespaces', ns, resource, name]
  if (parts.length !== 8 || parts[1] !== 'apis' || parts[4] !== 'namespaces') return null;
  const namespace = parts[5] ?? '';
  const resource = parts[6] ?? '';
  const name = parts[7] ?? '';
  if (!namespace || !name) return null;
  return { kind: KINDS[resource] ?? resource, namespace, name, display: `${name}.${namespace}` };
}

/** `metadata.filterMetadata.istio.config` of a route or cluster. */
export function istioConfigRef(metadata: unknown): ConfigRef | null {
  const config = z
    .looseObject({
      filterMetadata: z.looseObject({ istio: z.looseObject({ config: z.string() }) }),
    })
    .safeParse(metadata);
  return config.success ? parseConfigPath(config.data.filterMetadata.istio.config) : null;
}

/**
 * The name.namespace text of istioctl's VIRTUAL SERVICE / DESTINATION RULE columns. Namespaces have no dots,
 * names may, so the namespace is after the last dot.
 */
export function parseDisplayRef(kind: string, text: string): ConfigRef | null {
  const dot = text.lastIndexOf('.');
  if (dot <= 0 || dot === text.length - 1) return null;
  return { kind, namespace: text.slice(dot + 1), name: text.slice(0, dot), display: text };
}

/**
 * Splits one tabwriter block into cells using the header's column positions. istioctl pads every cell of a
 * column to the same width, so a column starts where its header word starts; headers contain spaces
 * (`SERVICE FQDN`, `VALID CERT`), hence the caller names the columns. This is a private splitter for the
 * proxy-config tables (a shared one is being written elsewhere).
 */
export function splitTable(
  lines: readonly string[],
  columns: readonly string[],
): Result<Record<string, string>[], ParseFailure> {
  const header = lines[0] ?? '';
  const starts: number[] = [];
  let from = 0;
  for (const column of columns) {
    const at = findColumn(header, column, from);
    if (at === -1) return failure(`table header ${JSON.stringify(header.trim())} has no ${column} column.`);
    starts.push(at);
    from = at + column.length;
  }
  const rows: Record<string, string>[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const row: Record<string, string> = {};
    columns.forEach((column, i) => {
      const start = starts[i] ?? 0;
      const end = i + 1 < starts.length ? (starts[i + 1] ?? line.length) : line.length;
      row[column] = line.slice(start, end).trim();
    });
    rows.push(row);
  }
  return ok(rows);
}

/** A header word match that is not part of a longer word (`NAME` inside `VHOST NAME` must not count). */
function findColumn(header: string, column: string, from: number): number {
  let at = header.indexOf(column, from);
  while (at !== -1) {
    const before = at === 0 ? ' ' : header[at - 1];
    const after = header[at + column.length] ?? ' ';
    if (before === ' ' && after === ' ') return at;
    at = header.indexOf(column, at + 1);
  }
  return -1;
}

/** Lines of a text output, without the trailing newline and Windows line ends. */
export function textLines(text: string): string[] {
  return text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
}
