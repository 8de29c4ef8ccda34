/**
 * The ambient half of an HTTPRoute's propagation proof: which waypoint serves the route, and whether every proxy
 * of that waypoint is SYNCED. A route whose parents accepted it is only live in an ambient mesh once the waypoint
 * that applies it (an Envoy, like a sidecar) has taken istiod's push.
 *
 * Which waypoint, the way istiod decides it (pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go,
 * fetchWaypointForService → fetchWaypointForTarget → getUseWaypoint):
 * - a Service parent (GAMMA): the Service's `istio.io/use-waypoint` label, else its Namespace's. `none` on the
 *   Service opts it out (the Namespace is not consulted); `none` on the Namespace means no waypoint either.
 *   `istio.io/use-waypoint-namespace` on the same object names the waypoint's namespace, else the Service's. A
 *   Service labelled `gateway.istio.io/managed: istio.io-mesh-controller` is a waypoint's own and has none.
 * - a Gateway parent of class `istio-waypoint` is itself the waypoint.
 * - anything else (an ingress Gateway, a Service without a waypoint: a sidecar mesh route) has no waypoint, and
 *   the route's parent status is the whole proof.
 * istiod also skips a waypoint whose `istio.io/waypoint-for` excludes service traffic; the route is then not
 * Accepted by its parent, which the parent half of the proof already reports.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { z } from 'zod';
import type { ProxyStatusReport, ProxyStatusRow } from '../../istioctl/types.ts';
import { describeKubeError, kubeStatusOf } from '../../kube/errors.ts';
import type { GatewayApiObjects } from '../../kube/gateway-api.ts';
import { err, ok, type Result } from '../../result.ts';
import { USE_WAYPOINT_LABEL, USE_WAYPOINT_NAMESPACE_LABEL } from '../waypoint.ts';
import { relevantStates } from '../ztunnel-status.ts';
import type { ParentRef } from './providers/http-route.ts';

export const WAYPOINT_GATEWAY_CLASS = 'istio-waypoint';
const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
/**
 * Istio's waypoint Deployment template labels its pods with the Gateway's name (istio-discovery
 * files/waypoint.yaml); Istio before 1.22 used `istio.io/gateway-name` for the same purpose.
 */
const GATEWAY_NAME_LABELS = ['gateway.networking.k8s.io/gateway-name', 'istio.io/gateway-name'] as const;

export interface WaypointRef {
  readonly namespace: string;
  readonly name: string;
  /** How it was found: `Service travel/hotels label`, `Namespace travel label`, `parentRef Gateway of class istio-waypoint`. */
  readonly via: string;
}

type Labels = Readonly<Record<string, string>>;

/** The reads resolving needs; `null` is an object that does not exist. */
export interface WaypointReads {
  serviceLabels(namespace: string, name: string): Promise<Result<Labels | null, string>>;
  namespaceLabels(name: string): Promise<Result<Labels | null, string>>;
  gatewayClassName(namespace: string, name: string): Promise<Result<string | null, string>>;
  /** Names of the waypoint's running pods. */
  waypointPods(waypoint: WaypointRef): Promise<Result<readonly string[], string>>;
}

const labelledSchema = z.looseObject({ metadata: z.looseObject({ labels: z.record(z.string(), z.string()).optional() }).optional() });
const gatewaySchema = z.looseObject({ spec: z.looseObject({ gatewayClassName: z.string() }) });

function labelsOf(object: unknown): Labels {
  const parsed = labelledSchema.safeParse(object);
  return parsed.success ? (parsed.data.metadata?.labels ?? {}) : {};
}

/** The Kubernetes reads behind `WaypointReads`: permissions mesh-bot-read already grants. */
export function kubeWaypointReads(core: CoreV1Api, gateway: GatewayApiObjects, clusterName: string): WaypointReads {
  async function read(call: () => Promise<unknown>, action: string): Promise<Result<unknown, string>> {
    try {
      return ok(await call());
    } catch (cause) {
      return kubeStatusOf(cause)?.code === 404 ? ok(null) : err(describeKubeError(cause, action, clusterName));
    }
  }
  return {
    async serviceLabels(namespace, name) {
      const result = await read(() => core.readNamespacedService({ name, namespace }), `read Service ${namespace}/${name}`);
      return result.ok ? ok(result.value === null ? null : labelsOf(result.value)) : result;
    },
    async namespaceLabels(name) {
      const result = await read(() => core.readNamespace({ name }), `read Namespace ${name}`);
      return result.ok ? ok(result.value === null ? null : labelsOf(result.value)) : result;
    },
    async gatewayClassName(namespace, name) {
      const result = await gateway.getGateway(namespace, name);
      if (!result.ok) return result.error.kind === 'not-found' ? ok(null) : err(result.error.message);
      const parsed = gatewaySchema.safeParse(result.value);
      return parsed.success ? ok(parsed.data.spec.gatewayClassName) : err(`Gateway ${namespace}/${name} has an unexpected shape (no spec.gatewayClassName).`);
    },
    async waypointPods(waypoint) {
      for (const label of GATEWAY_NAME_LABELS) {
        const listed = await read(
          () => core.listNamespacedPod({ namespace: waypoint.namespace, labelSelector: `${label}=${waypoint.name}`, fieldSelector: 'status.phase=Running' }),
          `list the pods of waypoint ${waypoint.namespace}/${waypoint.name}`,
        );
        if (!listed.ok) return listed;
        const names = ((listed.value as { items?: { metadata?: { name?: string } }[] } | null)?.items ?? []).flatMap((pod) => (pod.metadata?.name ? [pod.metadata.name] : []));
        if (names.length > 0) return ok(names.sort());
      }
      return ok([]);
    },
  };
}

/** getUseWaypoint: `none` opts out; the waypoint's namespace is the label's, else `defaultNamespace`. */
function useWaypoint(labels: Labels, defaultNamespace: string): 'none' | { readonly namespace: string; readonly name: string } | null {
  const name = labels[USE_WAYPOINT_LABEL];
  if (name === undefined) return null;
  if (name === 'none') return 'none';
  return { namespace: labels[USE_WAYPOINT_NAMESPACE_LABEL] ?? defaultNamespace, name };
}

/** The waypoint of one parent, `null` when it has none. */
async function waypointOfParent(parent: ParentRef, routeNamespace: string, reads: WaypointReads): Promise<Result<WaypointRef | null, string>> {
  const namespace = parent.namespace ?? routeNamespace;
  const kind = parent.kind ?? 'Gateway';
  const group = parent.group ?? GATEWAY_API_GROUP;
  if (kind === 'Gateway' && group === GATEWAY_API_GROUP) {
    const className = await reads.gatewayClassName(namespace, parent.name);
    if (!className.ok) return className;
    return ok(className.value === WAYPOINT_GATEWAY_CLASS ? { namespace, name: parent.name, via: `parentRef Gateway of class ${WAYPOINT_GATEWAY_CLASS}` } : null);
  }
  if (kind !== 'Service' || group !== '') return ok(null);
  const service = await reads.serviceLabels(namespace, parent.name);
  if (!service.ok || service.value === null) return service.ok ? ok(null) : service;
  // A waypoint's own Service cannot have a waypoint (fetchWaypointForService).
  if (service.value['gateway.istio.io/managed'] === 'istio.io-mesh-controller') return ok(null);
  const own = useWaypoint(service.value, namespace);
  if (own === 'none') return ok(null);
  if (own) return ok({ ...own, via: `Service ${namespace}/${parent.name} label` });
  const namespaceLabels = await reads.namespaceLabels(namespace);
  if (!namespaceLabels.ok) return namespaceLabels;
  const inherited = namespaceLabels.value ? useWaypoint(namespaceLabels.value, namespace) : null;
  return ok(inherited && inherited !== 'none' ? { ...inherited, via: `Namespace ${namespace} label` } : null);
}

/** Every waypoint serving the route's parents, each once. */
export async function resolveWaypoints(routeNamespace: string, parents: readonly ParentRef[], reads: WaypointReads): Promise<Result<WaypointRef[], string>> {
  const found = new Map<string, WaypointRef>();
  for (const parent of parents) {
    const waypoint = await waypointOfParent(parent, routeNamespace, reads);
    if (!waypoint.ok) return waypoint;
    if (waypoint.value && !found.has(`${waypoint.value.namespace}/${waypoint.value.name}`)) found.set(`${waypoint.value.namespace}/${waypoint.value.name}`, waypoint.value);
  }
  return ok([...found.values()]);
}

export interface WaypointProgress extends WaypointRef {
  /** Running pods of the waypoint. */
  readonly pods: number;
  /** Of those, connected to istiod and SYNCED in every type they subscribe to. */
  readonly synced: number;
  /** Why the rest are not: `travel-waypoint-…travel: RDS STALE`, `no proxy connected to istiod`. */
  readonly pending: readonly string[];
}

/**
 * Why one waypoint row is not SYNCED, or null when it is. A waypoint is an Envoy (proxyKindOf tells it from a
 * sidecar by pod labels only): its IGNORED WDS/WADS are not subscriptions (relevantStates), IGNORED Envoy types are
 * not either, NOT SENT means istiod has nothing of that type for it (not a problem, as in `/mesh status`).
 */
function rowProblem(row: ProxyStatusRow): string | null {
  const subscribed = relevantStates(row, 'waypoint').filter(([, state]) => state !== 'IGNORED');
  if (subscribed.length === 0) return 'sync state not shown';
  const behind = subscribed.filter(([, state]) => state === 'STALE' || state === 'ERROR');
  return behind.length === 0 ? null : behind.map(([type, state]) => `${type} ${state}`).join(', ');
}

/** Where each of the waypoint's pods stands in one proxy-status report (rows are istioctl's `pod.namespace`). */
export function waypointProgress(waypoint: WaypointRef, pods: readonly string[], report: ProxyStatusReport): WaypointProgress {
  if (pods.length === 0) return { ...waypoint, pods: 0, synced: 0, pending: ['no running pod'] };
  const rows = new Map(report.proxies.map((row) => [row.name, row]));
  const ids = pods.map((pod) => `${pod}.${waypoint.namespace}`);
  if (!ids.some((id) => rows.has(id))) return { ...waypoint, pods: pods.length, synced: 0, pending: ['no proxy connected to istiod'] };
  const pending = ids.flatMap((id) => {
    const row = rows.get(id);
    const problem = row ? rowProblem(row) : 'not connected to istiod';
    return problem === null ? [] : [`${id}: ${problem}`];
  });
  return { ...waypoint, pods: pods.length, synced: pods.length - pending.length, pending };
}
