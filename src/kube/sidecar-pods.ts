import type { V1Pod } from '@kubernetes/client-node';
import { err, ok, type Result } from '../result.ts';
import type { ClusterKube } from './clients.ts';
import { describeKubeError } from './errors.ts';

/** A pod of one namespace that runs an Istio sidecar, as istioctl names proxies (`pod.namespace`). */
export interface SidecarPod {
  readonly name: string;
  readonly namespace: string;
  /** When the pod last became Ready (its `Ready` condition); null while it is not Ready. */
  readonly readySince: Date | null;
}

/**
 * The sidecar injector labels every pod it injects `security.istio.io/tlsMode=istio` (its sidecar and gateway
 * templates), and the proxy container is `istio-proxy` (among the init containers for native sidecars).
 */
const INJECTED_SELECTOR = 'security.istio.io/tlsMode=istio';
const PROXY_CONTAINER = 'istio-proxy';

/**
 * The injected pods of one namespace that are running. Only answers scoped to namespaces ask (`status -n`, a digest
 * with `namespaces`): one namespace's pods are few, while listing every sidecar of a large mesh would cost more than
 * the proxy list itself (see readGatewayPods).
 */
export async function listSidecarPods(kube: ClusterKube, namespace: string): Promise<Result<readonly SidecarPod[], { readonly message: string }>> {
  try {
    const list = await kube.core.listNamespacedPod({ namespace, labelSelector: INJECTED_SELECTOR });
    return ok(list.items.flatMap((pod) => sidecarPod(pod)));
  } catch (cause) {
    return err({ message: describeKubeError(cause, `list the pods with a sidecar in namespace ${namespace}`, kube.cluster.name) });
  }
}

function sidecarPod(pod: V1Pod): SidecarPod[] {
  const name = pod.metadata?.name;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  if (!name || !containers.some((container) => container.name === PROXY_CONTAINER)) return [];
  if (pod.status?.phase !== 'Running' || pod.metadata?.deletionTimestamp !== undefined) return [];
  const ready = pod.status.conditions?.find((condition) => condition.type === 'Ready');
  const since = ready?.status === 'True' && ready.lastTransitionTime !== undefined ? new Date(ready.lastTransitionTime) : null;
  return [{ name, namespace: pod.metadata?.namespace ?? '', readySince: since !== null && !Number.isNaN(since.getTime()) ? since : null }];
}
