import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterConfig } from '../config.ts';
import { err, ok, type Result } from '../result.ts';
import type { ClusterKube } from './clients.ts';
import { GATEWAY_POD_SELECTORS } from './ambient.ts';
import { describeKubeError } from './errors.ts';

/** A pod of one namespace that runs an Istio sidecar, as istioctl names proxies (`pod.namespace`). */
export interface SidecarPod {
  readonly name: string;
  readonly namespace: string;
  /** Running and not being deleted. */
  readonly running: boolean;
  /** When the pod last became Ready (its `Ready` condition); null while it is not Ready. */
  readonly readySince: Date | null;
}

/**
 * The sidecar injector labels every pod it injects `security.istio.io/tlsMode` (its template defaults it to `istio`)
 * and annotates it `sidecar.istio.io/status`, the mark Istio's CNI agent checks to leave a pod to its sidecar
 * ("Ztunnel and sidecar for a single pod is currently not supported; opt out", istio cni ambientpod podHasSidecar);
 * the proxy container is `istio-proxy` (among the init containers for native sidecars).
 */
const INJECTED_SELECTOR = 'security.istio.io/tlsMode';
const SIDECAR_STATUS_ANNOTATION = 'sidecar.istio.io/status';
const PROXY_CONTAINER = 'istio-proxy';

/** The injected pods of one namespace (one label-selected list). */
export async function listSidecarPods(kube: ClusterKube, namespace: string): Promise<Result<readonly SidecarPod[], { readonly message: string }>> {
  try {
    const list = await kube.core.listNamespacedPod({ namespace, labelSelector: INJECTED_SELECTOR });
    return ok(list.items.flatMap((pod) => sidecarPod(pod, namespace)));
  } catch (cause) {
    return err({ message: describeKubeError(cause, `list the pods with a sidecar in namespace ${namespace}`, kube.cluster.name) });
  }
}

/** Pods per page of the cluster-wide list: a mesh of thousands of sidecars is read a page at a time, and little of each pod is kept. */
const PAGE = 500;

/**
 * Every injected pod of the cluster, for answers about the whole mesh. `/mesh status` is what people run during an
 * incident, and a sidecar that lost istiod is absent from istioctl's list rather than shown stale: without this list
 * the whole mesh read "all in sync" while pods ran unconnected. Read a page at a time, concurrently with istioctl.
 */
export async function listAllSidecarPods(kube: ClusterKube): Promise<Result<readonly SidecarPod[], { readonly message: string }>> {
  const pods = new Map<string, SidecarPod>();
  const keep = (pod: V1Pod) => {
    for (const found of sidecarPod(pod, pod.metadata?.namespace ?? '')) pods.set(`${found.name}.${found.namespace}`, found);
  };
  try {
    // Gateways and waypoints run the same istio-proxy but carry no tlsMode label (the gateway injection template,
    // the classic ingress chart and istiod's Gateway deployments set none): an ingress that lost istiod is found by
    // the labels readGatewayPods knows them by.
    const injected = async () => {
      let next: string | undefined;
      do {
        const page = await kube.core.listPodForAllNamespaces({ labelSelector: INJECTED_SELECTOR, limit: PAGE, ...(next === undefined ? {} : { _continue: next }) });
        for (const pod of page.items) keep(pod);
        next = page.metadata?._continue || undefined;
      } while (next !== undefined);
    };
    const [, gateways] = await Promise.all([injected(), Promise.all(GATEWAY_POD_SELECTORS.map((labelSelector) => kube.core.listPodForAllNamespaces({ labelSelector })))]);
    for (const list of gateways) for (const pod of list.items) keep(pod);
    return ok([...pods.values()]);
  } catch (cause) {
    return err({ message: describeKubeError(cause, 'list the pods with a sidecar in every namespace', kube.cluster.name) });
  }
}

/**
 * Whether istioctl's proxy list holds every connected proxy, so that a pod missing from it lost its connection.
 * Through an external control plane's address (clusters[].xdsAddress) istioctl asks the one istiod replica its
 * connection reaches (istioctl/pkg/multixds, the central control plane path), which lists only its own proxies.
 */
export function proxyListIsWhole(cluster: ClusterConfig): boolean {
  return cluster.xdsAddress === undefined;
}

function sidecarPod(pod: V1Pod, namespace: string): SidecarPod[] {
  const name = pod.metadata?.name;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const injected = pod.metadata?.annotations?.[SIDECAR_STATUS_ANNOTATION] !== undefined || containers.some((container) => container.name === PROXY_CONTAINER);
  if (!name || !injected) return [];
  const running = pod.status?.phase === 'Running' && pod.metadata?.deletionTimestamp === undefined;
  const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
  const since = ready?.status === 'True' && ready.lastTransitionTime !== undefined ? new Date(ready.lastTransitionTime) : null;
  return [{ name, namespace: pod.metadata?.namespace ?? namespace, running, readySince: since !== null && !Number.isNaN(since.getTime()) ? since : null }];
}
