import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import type { z } from 'zod';
import { err, ok, type Result } from '../result.ts';
import { describeKubeError, kubeStatusOf } from './errors.ts';

export type StoreErrorKind = 'conflict' | 'exists' | 'not-found' | 'too-large' | 'invalid' | 'unavailable';

export interface StoreError {
  readonly kind: StoreErrorKind;
  readonly message: string;
}

/** One record as stored: the value plus the resourceVersion a compare-and-swap must name. */
export interface Stored<T> {
  readonly name: string;
  readonly resourceVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: T;
}

/**
 * mesh-bot's own state in the Kubernetes API: one ConfigMap per record in the bot's namespace, so it
 * survives restarts and every replica sees the same thing. Writes are compare-and-swap on resourceVersion.
 */
export interface StateStore {
  readonly namespace: string;
  get<T>(name: string, schema: z.ZodType<T>): Promise<Result<Stored<T> | null, StoreError>>;
  /** Fails with `exists` when the record is already there (used as a lock). */
  create<T>(name: string, value: T, labels?: Readonly<Record<string, string>>): Promise<Result<Stored<T>, StoreError>>;
  /** Fails with `conflict` when someone else wrote since `current` was read. */
  replace<T>(current: Stored<T>, value: T): Promise<Result<Stored<T>, StoreError>>;
  /** Last write wins, for data where that is right (snapshots). */
  upsert<T>(name: string, value: T, labels?: Readonly<Record<string, string>>): Promise<Result<Stored<T>, StoreError>>;
  list<T>(labelSelector: string, schema: z.ZodType<T>): Promise<Result<Stored<T>[], StoreError>>;
  remove(name: string, resourceVersion?: string): Promise<Result<void, StoreError>>;
}

const DATA_KEY = 'value.json';
/** Large records: gzip of the same JSON in binaryData (the API server counts binaryData by its decoded bytes). */
const GZIP_KEY = 'value.json.gz';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'mesh-bot' } as const;
/** ConfigMaps are limited to 1 MiB (data plus decoded binaryData); stay below with room for metadata and keys. */
export const RECORD_BUDGET_BYTES = 900 * 1024;
/** Below this a record stays readable JSON in `data` (`kubectl get cm -o yaml` shows it as is). */
const COMPRESS_ABOVE_BYTES = 64 * 1024;

/** What one record takes of the ConfigMap budget once stored: its JSON, or the gzip of it when that is large. */
export function storedBytes(value: unknown): number {
  return encodeValue(value).bytes;
}

function encodeValue(value: unknown): { readonly data?: Record<string, string>; readonly binaryData?: Record<string, string>; readonly bytes: number } {
  const text = JSON.stringify(value);
  const plain = Buffer.byteLength(text);
  if (plain <= COMPRESS_ABOVE_BYTES) return { data: { [DATA_KEY]: text }, bytes: plain };
  const gzipped = gzipSync(text);
  return { binaryData: { [GZIP_KEY]: gzipped.toString('base64') }, bytes: gzipped.length };
}

/** Both forms: compressed records, and records written before compression existed (plain JSON in `data`). */
function decodeText(configMap: V1ConfigMap): string {
  const gzipped = configMap.binaryData?.[GZIP_KEY];
  return gzipped !== undefined ? gunzipSync(Buffer.from(gzipped, 'base64')).toString('utf8') : (configMap.data?.[DATA_KEY] ?? 'null');
}

/** A ConfigMap name from arbitrary parts: readable prefix, hash suffix for uniqueness, always a valid name. */
export function recordName(prefix: string, ...parts: readonly string[]): string {
  const readable = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  const hash = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 10);
  return `${prefix}-${readable}`.slice(0, 240 - hash.length).replace(/-$/, '') + `-${hash}`;
}

export function createStateStore(core: CoreV1Api, namespace: string, clusterName: string): StateStore {
  const fail = (cause: unknown, action: string): StoreError => {
    const status = kubeStatusOf(cause);
    const message = describeKubeError(cause, action, clusterName);
    if (status?.code === 409) return { kind: status.reason === 'AlreadyExists' ? 'exists' : 'conflict', message };
    if (status?.code === 404) return { kind: 'not-found', message };
    return { kind: 'unavailable', message };
  };

  const decode = <T>(configMap: V1ConfigMap, schema: z.ZodType<T>): Result<Stored<T>, StoreError> => {
    const name = configMap.metadata?.name ?? '';
    let raw: unknown;
    try {
      raw = JSON.parse(decodeText(configMap)) as unknown;
    } catch {
      return err({ kind: 'invalid', message: `ConfigMap ${namespace}/${name} does not hold valid JSON (or gzip of it); delete it or fix it by hand.` });
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return err({ kind: 'invalid', message: `ConfigMap ${namespace}/${name} has an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'}).` });
    return ok({ name, resourceVersion: configMap.metadata?.resourceVersion ?? '', labels: configMap.metadata?.labels ?? {}, value: parsed.data });
  };

  const encode = (name: string, value: unknown, labels: Readonly<Record<string, string>>, resourceVersion?: string): Result<V1ConfigMap, StoreError> => {
    const encoded = encodeValue(value);
    if (encoded.bytes > RECORD_BUDGET_BYTES) return err({ kind: 'too-large', message: `record ${name} is ${encoded.bytes} bytes compressed, over the ${RECORD_BUDGET_BYTES}-byte ConfigMap budget` });
    return ok({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, labels: { ...labels, ...MANAGED_BY }, ...(resourceVersion ? { resourceVersion } : {}) },
      ...(encoded.data ? { data: encoded.data } : {}),
      ...(encoded.binaryData ? { binaryData: encoded.binaryData } : {}),
    });
  };

  const stored = <T>(configMap: V1ConfigMap, value: T): Stored<T> => ({
    name: configMap.metadata?.name ?? '',
    resourceVersion: configMap.metadata?.resourceVersion ?? '',
    labels: configMap.metadata?.labels ?? {},
    value,
  });

  const store: StateStore = {
    namespace,
    async get(name, schema) {
      try {
        const configMap = await core.readNamespacedConfigMap({ name, namespace });
        const decoded = decode(configMap, schema);
        return decoded.ok ? ok(decoded.value) : decoded;
      } catch (cause) {
        const failure = fail(cause, `read ConfigMap ${namespace}/${name}`);
        return failure.kind === 'not-found' ? ok(null) : err(failure);
      }
    },
    async create(name, value, labels = {}) {
      const body = encode(name, value, labels);
      if (!body.ok) return body;
      try {
        return ok(stored(await core.createNamespacedConfigMap({ namespace, body: body.value }), value));
      } catch (cause) {
        return err(fail(cause, `create ConfigMap ${namespace}/${name}`));
      }
    },
    async replace(current, value) {
      const body = encode(current.name, value, current.labels, current.resourceVersion);
      if (!body.ok) return body;
      try {
        return ok(stored(await core.replaceNamespacedConfigMap({ name: current.name, namespace, body: body.value }), value));
      } catch (cause) {
        return err(fail(cause, `update ConfigMap ${namespace}/${current.name}`));
      }
    },
    async upsert(name, value, labels = {}) {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        let existing: V1ConfigMap | null = null;
        try {
          existing = await core.readNamespacedConfigMap({ name, namespace });
        } catch (cause) {
          const failure = fail(cause, `read ConfigMap ${namespace}/${name}`);
          if (failure.kind !== 'not-found') return err(failure);
        }
        const result = existing
          ? await store.replace({ name, resourceVersion: existing.metadata?.resourceVersion ?? '', labels: { ...(existing.metadata?.labels ?? {}), ...labels }, value }, value)
          : await store.create(name, value, labels);
        if (result.ok || (result.error.kind !== 'conflict' && result.error.kind !== 'exists')) return result;
      }
      return err({ kind: 'conflict', message: `ConfigMap ${namespace}/${name} kept changing while mesh-bot wrote it; try again.` });
    },
    async list(labelSelector, schema) {
      try {
        const list = await core.listNamespacedConfigMap({ namespace, labelSelector });
        const records: Stored<(typeof schema)['_output']>[] = [];
        for (const item of list.items) {
          const decoded = decode(item, schema);
          if (decoded.ok) records.push(decoded.value);
        }
        return ok(records);
      } catch (cause) {
        return err(fail(cause, `list ConfigMaps in ${namespace}`));
      }
    },
    async remove(name, resourceVersion) {
      try {
        await core.deleteNamespacedConfigMap({ name, namespace, ...(resourceVersion ? { body: { preconditions: { resourceVersion } } } : {}) });
        return ok(undefined);
      } catch (cause) {
        const failure = fail(cause, `delete ConfigMap ${namespace}/${name}`);
        return failure.kind === 'not-found' ? ok(undefined) : err(failure);
      }
    },
  };
  return store;
}
