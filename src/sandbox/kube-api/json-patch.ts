/**
 * JSON Patch (RFC 6902) with JSON Pointers (RFC 6901) and JSON Merge Patch (RFC 7386), as the apiserver applies
 * them: never mutating the input, all-or-nothing.
 */
import { isJsonObject } from './types.ts';

/** The body is not a JSON Patch document at all; the apiserver answers 400 for these. */
export class JsonPatchDecodeError extends Error {}

/** The patch is well-formed but cannot be applied (failed `test`, missing path); the apiserver answers 422. */
export class JsonPatchApplyError extends Error {}

export interface JsonPatchOperation {
  readonly op: string;
  readonly path?: unknown;
  readonly from?: unknown;
  readonly value?: unknown;
  readonly [field: string]: unknown;
}

export function decodeJsonPatch(body: unknown): JsonPatchOperation[] {
  if (!Array.isArray(body)) throw new JsonPatchDecodeError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  return body.map((operation: unknown) => {
    if (!isJsonObject(operation)) throw new JsonPatchDecodeError('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    return { ...operation, op: typeof operation.op === 'string' ? operation.op : '' };
  });
}

export function applyJsonPatch(document: unknown, operations: readonly JsonPatchOperation[]): unknown {
  let result = structuredClone(document);
  for (const operation of operations) result = applyOperation(result, operation);
  return result;
}

function applyOperation(document: unknown, operation: JsonPatchOperation): unknown {
  const path = pointer(operation.path, 'path');
  switch (operation.op) {
    case 'add':
      return add(document, path, requireValue(operation));
    case 'remove':
      return remove(document, path);
    case 'replace':
      return replace(document, path, requireValue(operation));
    case 'test':
      test(document, path, operation);
      return document;
    case 'move': {
      const from = pointer(operation.from, 'from');
      if (path.length > from.length && from.every((token, index) => token === path[index])) {
        throw new JsonPatchApplyError('move operation cannot move a location into one of its children');
      }
      const value = read(document, from);
      return add(remove(document, from), path, value);
    }
    case 'copy': {
      const from = pointer(operation.from, 'from');
      return add(document, path, structuredClone(read(document, from)));
    }
    default:
      throw new JsonPatchApplyError(`Unexpected kind: ${operation.op}`);
  }
}

/**
 * `test` as Kubernetes applies it (gopkg.in/evanphx/json-patch.v4 `func (p Patch) test`, used by k8s.io/apiserver's
 * patch handler): an absent member reads as null, so a test of an absent key with `null` (or with no value at all)
 * passes and with anything else fails; a present key fails a `null` test. Only a missing parent is "missing path".
 */
function test(document: unknown, path: readonly string[], operation: JsonPatchOperation): void {
  const expected = Object.hasOwn(operation, 'value') ? operation.value : null;
  let actual: unknown = document;
  if (path.length > 0) {
    let parent: unknown;
    try {
      parent = parentOf(document, path);
    } catch {
      throw new JsonPatchApplyError(`test operation does not apply: is missing path: ${String(operation.path)}`);
    }
    const last = path[path.length - 1] ?? '';
    if (Array.isArray(parent)) actual = parent[arrayIndex(last, parent.length, false)];
    else if (isJsonObject(parent)) actual = Object.hasOwn(parent, last) ? parent[last] : null;
    else throw new JsonPatchApplyError(`test operation does not apply: is missing path: ${String(operation.path)}`);
  }
  const passes = actual === null || actual === undefined ? expected === null || expected === undefined : expected !== null && deepEqual(actual, expected);
  if (!passes) throw new JsonPatchApplyError(`testing value ${String(operation.path)} failed: test failed`);
}

function requireValue(operation: JsonPatchOperation): unknown {
  if (!Object.hasOwn(operation, 'value')) throw new JsonPatchApplyError(`${operation.op} operation missing value`);
  return structuredClone(operation.value);
}

/** Parses an RFC 6901 pointer into reference tokens (`~1` → `/`, then `~0` → `~`). */
function pointer(value: unknown, field: string): string[] {
  if (typeof value !== 'string') throw new JsonPatchApplyError(`operation missing ${field} string`);
  if (value === '') return [];
  if (!value.startsWith('/')) throw new JsonPatchApplyError(`${field} "${value}" is not a JSON pointer`);
  return value
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) throw new JsonPatchApplyError(`${field} "${value}" has an invalid escape`);
      return token.replaceAll('~1', '/').replaceAll('~0', '~');
    });
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchApplyError(`invalid array index "${token}"`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) throw new JsonPatchApplyError(`array index ${index} out of bounds`);
  return index;
}

/** The container holding the pointer's last token; every step must exist. */
function parentOf(document: unknown, path: readonly string[]): unknown {
  let current = document;
  for (const token of path.slice(0, -1)) {
    if (Array.isArray(current)) current = current[arrayIndex(token, current.length, false)];
    else if (isJsonObject(current) && Object.hasOwn(current, token)) current = current[token];
    else throw new JsonPatchApplyError(`missing path: /${path.join('/')}`);
  }
  return current;
}

function read(document: unknown, path: readonly string[]): unknown {
  if (path.length === 0) return document;
  const parent = parentOf(document, path);
  const last = path[path.length - 1] ?? '';
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false)];
  if (isJsonObject(parent) && Object.hasOwn(parent, last)) return parent[last];
  throw new JsonPatchApplyError(`missing path: /${path.join('/')}`);
}

function add(document: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = parentOf(document, path);
  const last = path[path.length - 1] ?? '';
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else if (isJsonObject(parent)) parent[last] = value;
  else throw new JsonPatchApplyError(`missing path: /${path.join('/')}`);
  return document;
}

function remove(document: unknown, path: readonly string[]): unknown {
  if (path.length === 0) throw new JsonPatchApplyError('cannot remove the whole document');
  const parent = parentOf(document, path);
  const last = path[path.length - 1] ?? '';
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else if (isJsonObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw new JsonPatchApplyError(`remove operation does not apply: doc is missing path: /${path.join('/')}`);
  return document;
}

function replace(document: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = parentOf(document, path);
  const last = path[path.length - 1] ?? '';
  if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, false)] = value;
  else if (isJsonObject(parent) && Object.hasOwn(parent, last)) parent[last] = value;
  else throw new JsonPatchApplyError(`replace operation does not apply: doc is missing key: /${path.join('/')}`);
  return document;
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else (arrays included) replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isJsonObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** JSON equality: object key order does not matter, array order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}
