import type { V1DaemonSet, V1Pod } from '@kubernetes/client-node';
import { err, ok, type Result } from '../result.ts';
import type { ClusterKube } from './clients.ts';
import { describeKubeError, kubeStatusOf } from './errors.ts';

/** Readiness of one DaemonSet as its controller reports it (`status`), one pod per eligible node. */
export interface DaemonSetReadiness {
  readonly name: string;
  /** `status.desiredNumberScheduled`: nodes that should run a pod. */
  readonly desired: number;
  /** `status.numberReady`. */
  readonly ready: number;
}

/** The ambient data plane's node agents in the Istio namespace; null when that DaemonSet does not exist. */
export interface AmbientDaemonSets {
  readonly ztunnel: DaemonSetReadiness | null;
  /** The istio-cni node agent (ambient needs it; sidecar meshes may run it too). */
  readonly cni: DaemonSetReadiness | null;
}

/**
 * Istio's Helm charts and `istioctl install` name them `ztunnel` (label `app: ztunnel`) and `istio-cni-node`
 * (label `k8s-app: istio-cni-node`); either the label or the name identifies them, so renamed releases still match.
 */
function isZtunnel(set: V1DaemonSet): boolean {
  return set.metadata?.labels?.['app'] === 'ztunnel' || set.metadata?.name === 'ztunnel';
}

function isCni(set: V1DaemonSet): boolean {
  return set.metadata?.labels?.['k8s-app'] === 'istio-cni-node' || set.metadata?.name === 'istio-cni-node';
}

function readiness(set: V1DaemonSet | undefined): DaemonSetReadiness | null {
  if (set === undefined) return null;
  return { name: set.metadata?.name ?? '', desired: set.status?.desiredNumberScheduled ?? 0, ready: set.status?.numberReady ?? 0 };
}

/** One list of the Istio namespace's DaemonSets (RBAC: `list apps/daemonsets` there only). */
export async function readAmbientDaemonSets(kube: ClusterKube, istioNamespace: string): Promise<Result<AmbientDaemonSets, { readonly message: string }>> {
  try {
    const list = await kube.apps.listNamespacedDaemonSet({ namespace: istioNamespace });
    return ok({ ztunnel: readiness(list.items.find(isZtunnel)), cni: readiness(list.items.find(isCni)) });
  } catch (cause) {
    return err({ message: describeKubeError(cause, `list DaemonSets in ${istioNamespace}`, kube.cluster.name) });
  }
}

/** Which Envoy-based proxy a pod runs when it is not a sidecar; proxy-status rows cannot tell these apart. */
export type GatewayPodKind = 'waypoint' | 'gateway';

/**
 * Pods Istio deploys for Gateway API Gateways carry `gateway.istio.io/managed`: `istio.io-mesh-controller` for
 * waypoints (class istio-waypoint), `istio.io-gateway-controller` for ingress/egress Gateways. Classic gateways
 * (istio/gateway Helm chart, `istioctl install`) carry `istio: <name>` (istiod's own pods carry `istio: pilot`).
 */
const MANAGED_LABEL = 'gateway.istio.io/managed';
const WAYPOINT_CONTROLLER = 'istio.io-mesh-controller';

/**
 * Gateway and waypoint pods by istioctl's proxy name `pod.namespace`: two label-selected lists across namespaces
 * (the pods list permission proxy-config already needs), so a mesh of many sidecars is never listed whole.
 */
export async function readGatewayPods(kube: ClusterKube): Promise<Result<ReadonlyMap<string, GatewayPodKind>, { readonly message: string }>> {
  try {
    const [managed, classic] = await Promise.all([
      kube.core.listPodForAllNamespaces({ labelSelector: MANAGED_LABEL }),
      kube.core.listPodForAllNamespaces({ labelSelector: 'istio,istio!=pilot' }),
    ]);
    const kinds = new Map<string, GatewayPodKind>();
    const add = (pod: V1Pod, kind: GatewayPodKind) => {
      const name = pod.metadata?.name;
      const namespace = pod.metadata?.namespace;
      if (name && namespace) kinds.set(`${name}.${namespace}`, kind);
    };
    for (const pod of classic.items) add(pod, 'gateway');
    for (const pod of managed.items) add(pod, pod.metadata?.labels?.[MANAGED_LABEL] === WAYPOINT_CONTROLLER ? 'waypoint' : 'gateway');
    return ok(kinds);
  } catch (cause) {
    return err({ message: describeKubeError(cause, 'list gateway and waypoint pods', kube.cluster.name) });
  }
}

/** A ztunnel pod of the DaemonSet, with the node it serves. */
export interface ZtunnelPod {
  readonly name: string;
  readonly namespace: string;
  readonly node: string;
  readonly ready: boolean;
}

/** Istio's ztunnel chart labels its pods `app: ztunnel` (as istioctl's own `daemonset/ztunnel` lookup finds them). */
const ZTUNNEL_SELECTOR = 'app=ztunnel';

/** The ztunnel pods in the Istio namespace, sorted by node then name (the pods list proxy-status already needs). */
export async function listZtunnelPods(kube: ClusterKube, istioNamespace: string): Promise<Result<readonly ZtunnelPod[], { readonly message: string }>> {
  try {
    const list = await kube.core.listNamespacedPod({ namespace: istioNamespace, labelSelector: ZTUNNEL_SELECTOR });
    const pods = list.items.flatMap((pod): ZtunnelPod[] => {
      const name = pod.metadata?.name;
      if (!name || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return [];
      const statuses = pod.status?.containerStatuses ?? [];
      const ready = pod.status?.phase === 'Running' && statuses.length > 0 && statuses.every((status) => status.ready);
      return [{ name, namespace: istioNamespace, node: pod.spec?.nodeName ?? '', ready }];
    });
    return ok(pods.sort((a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name)));
  } catch (cause) {
    return err({ message: describeKubeError(cause, `list ztunnel pods in ${istioNamespace}`, kube.cluster.name) });
  }
}

/** The node a pod is scheduled on ('' when not yet scheduled); a NotFound is its own answer, not an error. */
export async function readPodNode(kube: ClusterKube, name: string, namespace: string): Promise<Result<{ readonly node: string } | null, { readonly message: string }>> {
  try {
    const pod = await kube.core.readNamespacedPod({ name, namespace });
    return ok({ node: pod.spec?.nodeName ?? '' });
  } catch (cause) {
    if (kubeStatusOf(cause)?.code === 404) return ok(null);
    return err({ message: describeKubeError(cause, `read pod ${name} in ${namespace}`, kube.cluster.name) });
  }
}

/** Istio captures a namespace's pods into ambient mode when it carries this label (istio.io ambient docs). */
export const AMBIENT_NAMESPACE_SELECTOR = 'istio.io/dataplane-mode=ambient';

/** Names of the namespaces enrolled in ambient mode (one label-selected list of namespaces). */
export async function listAmbientNamespaces(kube: ClusterKube): Promise<Result<ReadonlySet<string>, { readonly message: string }>> {
  try {
    const list = await kube.core.listNamespace({ labelSelector: AMBIENT_NAMESPACE_SELECTOR });
    return ok(new Set(list.items.map((namespace) => namespace.metadata?.name ?? '').filter((name) => name !== '')));
  } catch (cause) {
    return err({ message: describeKubeError(cause, 'list the namespaces labelled istio.io/dataplane-mode=ambient', kube.cluster.name) });
  }
}

/**
 * A pod labelled so is kept out of ambient mode on purpose, even in a namespace labelled ambient (Istio 1.22+:
 * istio.io "Add workloads to the mesh": a pod uses ambient when it or its namespace is labelled ambient and the pod
 * is not labelled `istio.io/dataplane-mode=none`).
 */
export const OPTED_OUT_POD_SELECTOR = 'istio.io/dataplane-mode=none';

/**
 * Pods opted out of ambient mode, by istioctl's workload name `pod.namespace`: one label-selected list across
 * namespaces (the pods list permission status already uses for gateway pods).
 */
export async function listOptedOutPods(kube: ClusterKube): Promise<Result<ReadonlySet<string>, { readonly message: string }>> {
  try {
    const list = await kube.core.listPodForAllNamespaces({ labelSelector: OPTED_OUT_POD_SELECTOR });
    return ok(new Set(list.items.flatMap((pod) => (pod.metadata?.name && pod.metadata.namespace ? [`${pod.metadata.name}.${pod.metadata.namespace}`] : []))));
  } catch (cause) {
    return err({ message: describeKubeError(cause, `list the pods labelled ${OPTED_OUT_POD_SELECTOR}`, kube.cluster.name) });
  }
}
