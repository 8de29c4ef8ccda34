import type { V1DaemonSet, V1Pod } from '@kubernetes/client-node';
import { err, ok, type Result } from '../result.ts';
import type { ClusterKube } from './clients.ts';
import { describeKubeError, kubeStatusOf } from './errors.ts';

/** Readiness of one DaemonSet as its controller reports it (`status`), one pod per eligible node. */
export interface DaemonSetReadiness {
  readonly name: string;
  readonly namespace: string;
  /** `status.desiredNumberScheduled`: nodes that should run a pod. */
  readonly desired: number;
  /** `status.numberReady`. */
  readonly ready: number;
}

/** The ambient data plane's node agents, wherever they run; null when that DaemonSet exists in no namespace. */
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

/** The Istio namespace's DaemonSet when there is one there, else the first by namespace (a leftover elsewhere loses). */
function readiness(sets: readonly V1DaemonSet[], istioNamespace: string): DaemonSetReadiness | null {
  const ordered = [...sets].sort(
    (a, b) => Number(b.metadata?.namespace === istioNamespace) - Number(a.metadata?.namespace === istioNamespace) || (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? ''),
  );
  const set = ordered[0];
  if (set === undefined) return null;
  return { name: set.metadata?.name ?? '', namespace: set.metadata?.namespace ?? '', desired: set.status?.desiredNumberScheduled ?? 0, ready: set.status?.numberReady ?? 0 };
}

/**
 * One list of DaemonSets across namespaces (RBAC: `list apps/daemonsets` cluster-wide): ztunnel and istio-cni do
 * not always run in the Istio namespace (Istio's GKE instructions install both in kube-system, the namespace whose
 * ResourceQuota admits their node-critical priority class). A cluster runs few DaemonSets, so the list is small, and
 * reading them all keeps the name-or-label match above.
 */
export async function readAmbientDaemonSets(kube: ClusterKube, istioNamespace: string): Promise<Result<AmbientDaemonSets, { readonly message: string }>> {
  try {
    const list = await kube.apps.listDaemonSetForAllNamespaces({});
    return ok({ ztunnel: readiness(list.items.filter(isZtunnel), istioNamespace), cni: readiness(list.items.filter(isCni), istioNamespace) });
  } catch (cause) {
    return err({ message: describeKubeError(cause, 'list DaemonSets across namespaces (to find ztunnel and istio-cni)', kube.cluster.name) });
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
/** The label selectors that find every gateway and waypoint pod, in readGatewayPods' order (managed, classic). */
export const GATEWAY_POD_SELECTORS = [MANAGED_LABEL, 'istio,istio!=pilot'] as const;

/**
 * Gateway and waypoint pods by istioctl's proxy name `pod.namespace`: two label-selected lists across namespaces
 * (the pods list permission proxy-config already needs), so a mesh of many sidecars is never listed whole.
 */
export async function readGatewayPods(kube: ClusterKube): Promise<Result<ReadonlyMap<string, GatewayPodKind>, { readonly message: string }>> {
  try {
    const [managed, classic] = await Promise.all([
      kube.core.listPodForAllNamespaces({ labelSelector: GATEWAY_POD_SELECTORS[0] }),
      kube.core.listPodForAllNamespaces({ labelSelector: GATEWAY_POD_SELECTORS[1] }),
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

/**
 * The ztunnel pods of every namespace (they run in kube-system on GKE), sorted by node, the Istio namespace's first
 * on a node (two on one node only while ztunnel moves between namespaces), then by name. One label-selected list
 * across namespaces: the pods list permission proxy-config already needs.
 */
export async function listZtunnelPods(kube: ClusterKube, istioNamespace: string): Promise<Result<readonly ZtunnelPod[], { readonly message: string }>> {
  try {
    const list = await kube.core.listPodForAllNamespaces({ labelSelector: ZTUNNEL_SELECTOR });
    const pods = list.items.flatMap((pod): ZtunnelPod[] => {
      const name = pod.metadata?.name;
      const namespace = pod.metadata?.namespace;
      if (!name || !namespace || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return [];
      const statuses = pod.status?.containerStatuses ?? [];
      const ready = pod.status?.phase === 'Running' && statuses.length > 0 && statuses.every((status) => status.ready);
      return [{ name, namespace, node: pod.spec?.nodeName ?? '', ready }];
    });
    const inIstioNamespace = (pod: ZtunnelPod) => Number(pod.namespace === istioNamespace);
    return ok(pods.sort((a, b) => a.node.localeCompare(b.node) || inIstioNamespace(b) - inIstioNamespace(a) || a.name.localeCompare(b.name)));
  } catch (cause) {
    return err({ message: describeKubeError(cause, `list the ztunnel pods (label ${ZTUNNEL_SELECTOR}) across namespaces`, kube.cluster.name) });
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

/**
 * Sidecar injection labels win over the ambient label: Istio's CNI agent never enrols a namespace (or pod) labelled
 * `istio-injection=enabled` or carrying `istio.io/rev` at all (istio pkg/kube/util ambientpod HasLegacyLabel, used
 * by IsNamespaceActive/ShouldPodBeInIpset); its pods get sidecars.
 */
export function hasSidecarInjectionLabel(labels: Readonly<Record<string, string>> | undefined): boolean {
  return labels?.['istio-injection'] === 'enabled' || labels?.['istio.io/rev'] !== undefined;
}

/**
 * Names of the namespaces Istio runs in ambient mode: labelled ambient (one label-selected list of namespaces) and
 * without a sidecar injection label.
 */
export async function listAmbientNamespaces(kube: ClusterKube): Promise<Result<ReadonlySet<string>, { readonly message: string }>> {
  try {
    const list = await kube.core.listNamespace({ labelSelector: AMBIENT_NAMESPACE_SELECTOR });
    const ambient = list.items.filter((namespace) => !hasSidecarInjectionLabel(namespace.metadata?.labels));
    return ok(new Set(ambient.map((namespace) => namespace.metadata?.name ?? '').filter((name) => name !== '')));
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

