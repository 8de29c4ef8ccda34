// Two small modules of the client, not its index (~0.5 s to load): the canary command is loaded by `mesh-bot help`.
import { setHeaderOptions } from '@kubernetes/client-node/dist/middleware.js';
import { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
import { err, ok, type Result } from '../result.ts';
import type { ClusterKube } from './clients.ts';
import { describeKubeError, kubeStatusOf } from './errors.ts';

export const ISTIO_GROUP = 'networking.istio.io';
/** Istio ≥ 1.22 serves v1; older meshes only v1beta1 / v1alpha3. */
const ISTIO_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'] as const;

export interface JsonPatchOp {
  readonly op: 'test' | 'add' | 'replace' | 'remove';
  readonly path: string;
  readonly value?: unknown;
}

export type KubeCallErrorKind = 'not-found' | 'forbidden' | 'conflict' | 'test-failed' | 'denied' | 'throttled' | 'unavailable';

export interface KubeCallError {
  readonly kind: KubeCallErrorKind;
  readonly status: number | null;
  /** One sentence for people. */
  readonly message: string;
  /** The API server's own message (webhook denial text etc.). */
  readonly serverMessage: string;
  /** A 429's Retry-After, in seconds, when the server sent one. */
  readonly retryAfterSeconds?: number | null;
}

export function kubeCallError(cause: unknown, action: string, clusterName: string): KubeCallError {
  const status = kubeStatusOf(cause);
  const code = status?.code ?? null;
  const serverMessage = status?.message ?? '';
  const kind: KubeCallErrorKind =
    code === 404 ? 'not-found' : code === 403 ? 'forbidden' : code === 409 ? 'conflict' : code === 422 ? 'test-failed' : code === 400 ? 'denied' : code === 429 ? 'throttled' : 'unavailable';
  return { kind, status: code, message: describeKubeError(cause, action, clusterName), serverMessage, retryAfterSeconds: status?.retryAfterSeconds ?? null };
}

export type KubeObject = { readonly apiVersion?: string; readonly kind?: string; readonly metadata?: Record<string, unknown>; readonly spec?: unknown } & Record<string, unknown>;

/** Reads and patches Istio networking objects, finding the API version the mesh serves. */
export interface IstioObjects {
  getVirtualService(namespace: string, name: string): Promise<Result<{ object: KubeObject; version: string }, KubeCallError>>;
  listDestinationRules(namespace: string): Promise<Result<KubeObject[], KubeCallError>>;
  /** JSON Patch (RFC 6902): `test` ops make it a compare-and-swap on exactly the fields read. */
  patchVirtualService(namespace: string, name: string, version: string, ops: readonly JsonPatchOp[], options: { dryRun: boolean }): Promise<Result<KubeObject, KubeCallError>>;
  /** `namespace` undefined: every namespace (a cluster-wide list). */
  listCustom(group: string, version: string, plural: string, namespace: string | undefined): Promise<Result<KubeObject[], KubeCallError>>;
}

function isUnservedVersion(cause: unknown): boolean {
  const status = kubeStatusOf(cause);
  // An unserved group/version answers 404 with the generic "could not find the requested resource";
  // a missing object names itself ("virtualservices.networking.istio.io \"x\" not found").
  return status?.code === 404 && !/ not found$/.test(status.message);
}

/**
 * Calls with the first API version the cluster serves out of `versions` (newest first), remembering it: an
 * unserved version answers 404 without naming an object.
 */
export function versionProber(versions: readonly string[], cluster: string) {
  let servedVersion: string | undefined;
  return async function withVersion<T>(call: (version: string) => Promise<T>, action: string): Promise<Result<{ value: T; version: string }, KubeCallError>> {
    const candidates = servedVersion ? [servedVersion] : versions;
    let last: unknown;
    for (const version of candidates) {
      try {
        const value = await call(version);
        servedVersion = version;
        return ok({ value, version });
      } catch (cause) {
        last = cause;
        if (!isUnservedVersion(cause)) break;
      }
    }
    return err(kubeCallError(last, action, cluster));
  };
}

/** JSON Patch (RFC 6902) of one namespaced custom object, as mesh-bot's field manager. */
export async function jsonPatchCustom(
  kube: ClusterKube,
  target: { group: string; version: string; plural: string; namespace: string; name: string },
  ops: readonly JsonPatchOp[],
  options: { dryRun: boolean },
  action: string,
): Promise<Result<KubeObject, KubeCallError>> {
  try {
    const patched = (await kube.custom.patchNamespacedCustomObject(
      { ...target, body: ops, fieldManager: 'mesh-bot', ...(options.dryRun ? { dryRun: 'All' } : {}) },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    )) as KubeObject;
    return ok(patched);
  } catch (cause) {
    return err(kubeCallError(cause, action, kube.cluster.name));
  }
}

export function createIstioObjects(kube: ClusterKube): IstioObjects {
  const cluster = kube.cluster.name;
  const withVersion = versionProber(ISTIO_VERSIONS, cluster);

  return {
    async getVirtualService(namespace, name) {
      const result = await withVersion(
        (version) => kube.custom.getNamespacedCustomObject({ group: ISTIO_GROUP, version, namespace, plural: 'virtualservices', name }) as Promise<KubeObject>,
        `read VirtualService ${namespace}/${name}`,
      );
      return result.ok ? ok({ object: result.value.value, version: result.value.version }) : result;
    },
    async listDestinationRules(namespace) {
      const result = await withVersion(
        (version) => kube.custom.listNamespacedCustomObject({ group: ISTIO_GROUP, version, namespace, plural: 'destinationrules' }) as Promise<{ items?: KubeObject[] }>,
        `list DestinationRules in ${namespace}`,
      );
      return result.ok ? ok(result.value.value.items ?? []) : result;
    },
    patchVirtualService(namespace, name, version, ops, options) {
      return jsonPatchCustom(kube, { group: ISTIO_GROUP, version, namespace, plural: 'virtualservices', name }, ops, options, `patch VirtualService ${namespace}/${name}`);
    },
    async listCustom(group, version, plural, namespace) {
      try {
        const list = (namespace === undefined ? await kube.custom.listClusterCustomObject({ group, version, plural }) : await kube.custom.listNamespacedCustomObject({ group, version, namespace, plural })) as { items?: KubeObject[] };
        return ok(list.items ?? []);
      } catch (cause) {
        return err(kubeCallError(cause, `list ${plural}.${group} in ${namespace ?? 'all namespaces'}`, cluster));
      }
    },
  };
}
