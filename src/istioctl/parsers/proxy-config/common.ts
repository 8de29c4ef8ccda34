import { z } from 'zod';
import { err, ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { JsonValue, scanJson, trimmedBytes } from './json-text.ts';

export function failure(message: string): { readonly ok: false; readonly error: ParseFailure } {
  return err({ kind: 'parse', message });
}

/** `snake_case` → `snakeCase`; keys with capitals, dots or `@` (metadata maps, `@type`) are left alone. */
function camel(key: string): string {
  let known = CAMEL.get(key);
  if (known === undefined) {
    known = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/.test(key) ? key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) : key;
    // Keys repeat (the same few dozen field names thousands of times); free-form map keys could be many.
    if (CAMEL.size < 10_000) CAMEL.set(key, known);
  }
  return known;
}
const CAMEL = new Map<string, string>();

/** An object's own keys camelCased (a later duplicate wins, as when the dump was normalized whole). */
function camelKeys(value: unknown): unknown {
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[camel(k)] = v;
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Envoy's own /config_dump uses proto field names (`filter_metadata`), while istioctl's `-o json` re-marshals
 * with protojson (`filterMetadata`); the corpus has both. Schemas name camelCase fields and every value is read
 * through `readAs`: it picks the fields a schema names (either spelling; when both are present the later one,
 * as a whole-tree rename would keep) into a small object and validates that. So only what a schema names is
 * ever looked at or copied; `z.unknown()` fields are passed on as they are and read later through their own
 * schema.
 */
export function readAs<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
  return schema.safeParse(picker(schema)(value));
}

type Picker = (value: unknown) => unknown;
const PICKERS = new WeakMap<z.ZodType, Picker>();
const same: Picker = (value) => value;

/** The picking half of readAs, built once per schema. */
function picker(schema: z.ZodType): Picker {
  let pick = PICKERS.get(schema);
  if (pick) return pick;
  if (schema instanceof z.ZodOptional) {
    const inner = picker(schema.unwrap() as z.ZodType);
    pick = (value) => (value === undefined ? value : inner(value));
  } else if (schema instanceof z.ZodArray) {
    const element = picker(schema.element as z.ZodType);
    pick = (value) => (Array.isArray(value) ? value.map(element) : value);
  } else if (schema instanceof z.ZodObject) {
    const fieldPickers = Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => {
      const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      return { key, snake: snake !== key && camel(snake) === key ? snake : undefined, pick: picker(field) };
    });
    pick = (value) => {
      if (!isObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const field of fieldPickers) {
        const raw = fieldOf(value, field.key, field.snake);
        if (raw !== undefined) out[field.key] = field.pick(raw);
      }
      return out;
    };
  } else if (schema instanceof z.ZodRecord) {
    pick = camelKeys;
  } else {
    pick = same;
  }
  PICKERS.set(schema, pick);
  return pick;
}

function fieldOf(value: Record<string, unknown>, key: string, snake: string | undefined): unknown {
  const hasCamel = Object.hasOwn(value, key);
  if (snake === undefined || !Object.hasOwn(value, snake)) return hasCamel ? value[key] : undefined;
  if (!hasCamel) return value[snake];
  const keys = Object.keys(value);
  return keys.indexOf(key) > keys.indexOf(snake) ? value[key] : value[snake];
}

/**
 * What a `-o json` parser reads: the output as a string, or as the UTF-8 bytes istioctl printed (a large dump is
 * then never one JS string: only the pieces read are decoded, see json-text.ts).
 */
export type JsonOutput = string | Uint8Array;

/** The text checked as JSON, as a Result; nothing is parsed yet (see json-text.ts). */
export function parseJsonOutput(stdout: JsonOutput, what: string): Result<JsonValue, ParseFailure> {
  const text = typeof stdout === 'string' ? stdout.trim() : trimmedBytes(stdout);
  if (text.length === 0) return failure(`${what} printed nothing (expected JSON).`);
  const scanned = scanJson(text);
  if (scanned instanceof JsonValue) return ok(scanned);
  // JSON.parse words the problem; it fails as the scan did (the same grammar), so this runs only on bad output. Its
  // "Unexpected token" words quote the output around the error (`"…MC4CAQAwBQ"…`), and this message reaches chat:
  // output text (a key, a token) is never quoted, only where it stops being JSON.
  try {
    JSON.parse(typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8'));
  } catch (e) {
    const message = (e as Error).message;
    if (!message.includes('"')) return failure(`${what} output is not JSON: ${message}`);
  }
  return failure(`${what} output is not JSON: unexpected text at offset ${scanned.errorAt}.`);
}

/** Whether the output, trimmed, is exactly `text` (e.g. a message printed instead of JSON). */
export function trimmedEquals(stdout: JsonOutput, text: string): boolean {
  if (typeof stdout === 'string') return stdout.trim() === text;
  const trimmed = trimmedBytes(stdout);
  return Buffer.from(trimmed.buffer, trimmed.byteOffset, trimmed.byteLength).equals(Buffer.from(text, 'utf8'));
}

/** An object's members by camelCase key; a later duplicate wins, as with JSON.parse. */
export function fields(value: JsonValue): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  for (const [key, member] of value.members()) out.set(camel(key), member);
  return out;
}

export function describeIssue(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  const issue = error.issues[0];
  return issue ? `at ${[...prefix, ...issue.path].map(String).join('.') || '(root)'}: ${issue.message}` : '';
}

/** How each element of a JSON array is read: validated alone, then reduced at once to what the bot keeps. */
export interface ElementReader<T> {
  readonly schema: z.ZodType;
  readonly read: (element: unknown) => readonly T[];
}

export function eachElement<S extends z.ZodType, T>(schema: S, read: (element: z.output<S>) => readonly T[]): ElementReader<T> {
  return { schema, read: (element) => read(element as z.output<S>) };
}

/**
 * Reads a JSON array one element at a time, so its parsed objects never all exist at once. A problem is
 * reported as `z.array(schema)` reports it on the whole array (first bad element, first issue).
 */
export function readArray<T>(value: JsonValue, what: string, reader: ElementReader<T>, path: readonly PropertyKey[] = []): Result<T[], ParseFailure> {
  if (value.kind !== 'array') return shapeFailure(what, z.array(reader.schema), value.parse(), path);
  const out: T[] = [];
  let index = 0;
  let problem: string | undefined;
  value.forEachElement((element) => {
    const parsed = readAs(reader.schema, element.parse());
    if (!parsed.success) {
      problem = `${what} has an unexpected shape ${describeIssue(parsed.error, [...path, index])}`;
      return false;
    }
    for (const item of reader.read(parsed.data)) out.push(item);
    index += 1;
    return true;
  });
  return problem === undefined ? ok(out) : failure(problem);
}

/**
 * Reads the array members of a JSON object (a config dump section) element by element; `readers` names them in
 * camelCase, in the order a schema of the whole object would check them. An absent member reads as [].
 */
export function readArrays<K extends string, T>(
  value: JsonValue,
  what: string,
  readers: Readonly<Record<K, ElementReader<T>>>,
): Result<Record<K, T[]>, ParseFailure> {
  const names = Object.keys(readers) as K[];
  if (value.kind !== 'object') {
    const shape = Object.fromEntries(names.map((name) => [name, z.array(readers[name].schema).optional()]));
    return shapeFailure(what, z.object(shape), value.parse());
  }
  const members = fields(value);
  const out = {} as Record<K, T[]>;
  for (const name of names) {
    const member = members.get(name);
    if (member === undefined) {
      out[name] = [];
      continue;
    }
    const read = readArray(member, what, readers[name], [name]);
    if (!read.ok) return read;
    out[name] = read.value;
  }
  return ok(out);
}

function shapeFailure(what: string, schema: z.ZodType, value: unknown, path: readonly PropertyKey[] = []): { readonly ok: false; readonly error: ParseFailure } {
  const parsed = readAs(schema, value);
  return failure(`${what} has an unexpected shape ${parsed.success ? `at ${path.join('.')}` : describeIssue(parsed.error, path)}`);
}

/**
 * The proxy-config types whose JSON is a list of Envoy objects (clusters, listeners, routes, endpoints): either
 * one section of a config dump, whose `arrays` are read in the order given (the order a schema of the whole
 * section checks them) and returned in `order`, or the type's own `-o json`, an array read by `element`.
 */
export interface ListFamily<K extends string, T> {
  /** `istioctl proxy-config clusters -o json`, for messages. */
  readonly command: string;
  /** `clusters`, as in "clusters JSON has an unexpected shape". */
  readonly noun: string;
  /** `ClustersConfigDump`. */
  readonly section: string;
  readonly arrays: Readonly<Record<K, ElementReader<T>>>;
  readonly order: readonly K[];
  readonly element: ElementReader<T>;
}

export function listFamily<K extends string, T>(family: ListFamily<K, T>): {
  readonly fromDump: (dump: ConfigDump) => Result<T[], ParseFailure> | undefined;
  readonly parseJson: (stdout: JsonOutput) => Result<T[], ParseFailure>;
} {
  const fromSection = (raw: JsonValue): Result<T[], ParseFailure> => {
    const read = readArrays(raw, family.section, family.arrays);
    return read.ok ? ok(family.order.flatMap((name) => read.value[name])) : read;
  };
  return {
    fromDump: (dump) => fromDump(dump, family.section, fromSection),
    parseJson: (stdout) => readJsonOutput(stdout, family.command, family.section, fromSection, (value) => readArray(value, `${family.noun} JSON`, family.element)),
  };
}

/** One section of a config dump, still text. */
export interface ConfigDumpSection {
  /** `type.googleapis.com/envoy.admin.v3.ClustersConfigDump`; undefined when the section has none. */
  readonly type: string | undefined;
  readonly value: JsonValue;
}

/** A full Envoy /config_dump (what `proxy-config all -o json` prints), checked but not parsed. */
export interface ConfigDump {
  readonly configs: readonly ConfigDumpSection[];
}

/** A config dump is an object with a `configs` array of objects, each with an optional string `@type`. */
export function asConfigDump(value: JsonValue): ConfigDump | undefined {
  if (value.kind !== 'object') return undefined;
  const configs = fields(value).get('configs');
  if (configs?.kind !== 'array') return undefined;
  const sections: ConfigDumpSection[] = [];
  for (const config of configs.elements()) {
    if (config.kind !== 'object') return undefined;
    const typeText = fields(config).get('@type');
    const type = typeText?.parse();
    if (type !== undefined && typeof type !== 'string') return undefined;
    sections.push({ type, value: config });
  }
  return { configs: sections };
}

/** `proxy-config all -o json`, or any saved /config_dump. */
export function parseConfigDump(stdout: JsonOutput): Result<ConfigDump, ParseFailure> {
  const json = parseJsonOutput(stdout, 'istioctl proxy-config all -o json');
  if (!json.ok) return json;
  const dump = asConfigDump(json.value);
  if (!dump) return failure('config dump has no "configs" array.');
  return ok(dump);
}

/** The section whose `@type` ends with e.g. `ClustersConfigDump` (v2 and v3 admin types both match). */
function section(dump: ConfigDump, typeSuffix: string): JsonValue | undefined {
  return dump.configs.find((c) => c.type?.endsWith(`.${typeSuffix}`))?.value;
}

/** What one `x`FromDump reads: undefined when the dump has no such section. */
export function fromDump<T>(dump: ConfigDump, typeSuffix: string, read: (section: JsonValue) => T): T | undefined {
  const raw = section(dump, typeSuffix);
  return raw === undefined ? undefined : read(raw);
}

/**
 * `istioctl proxy-config TYPE -o json`: either a full config dump, read through its `typeSuffix` section, or the
 * type's own JSON (an array of Envoy objects, or one admin section), read by `own`.
 */
export function readJsonOutput<T>(
  stdout: JsonOutput,
  command: string,
  typeSuffix: string,
  fromSection: (section: JsonValue) => Result<T, ParseFailure>,
  own: (value: JsonValue) => Result<T, ParseFailure>,
): Result<T, ParseFailure> {
  const json = parseJsonOutput(stdout, command);
  if (!json.ok) return json;
  const dump = asConfigDump(json.value);
  if (!dump) return own(json.value);
  return fromDump(dump, typeSuffix, fromSection) ?? failure(`config dump has no ${typeSuffix} section.`);
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

const istioMetadata = z.object({ filterMetadata: z.object({ istio: z.object({ config: z.string() }) }) });

/** `metadata.filterMetadata.istio.config` of a route or cluster. */
export function istioConfigRef(metadata: unknown): ConfigRef | null {
  const config = readAs(istioMetadata, metadata);
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

/** Lines of a text output, without the trailing newline and Windows line ends. */
export function textLines(text: string): string[] {
  return text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
}
