import type { ProxyStatusRow, SyncState } from '../istioctl/types.ts';
import type { AmbientDaemonSets, DaemonSetReadiness, GatewayPodKind, ZtunnelPod } from '../kube/ambient.ts';

export const PROXY_KINDS = ['sidecar', 'waypoint', 'ztunnel', 'gateway'] as const;
export type ProxyKind = (typeof PROXY_KINDS)[number];

/**
 * The xDS types a ztunnel subscribes to, as istioctl names them (pkg/model/xds.go GetShortType): `WDS` for
 * istio.workload.Address and istio.workload.Workload, `WADS` for istio.security.Authorization.
 */
export const WORKLOAD_XDS_TYPES: ReadonlySet<string> = new Set(['WDS', 'WADS']);

/**
 * What kind of proxy a proxy-status row is.
 *
 * A ztunnel is told by its xDS types: it subscribes to WDS/WADS only (1.27+ SUBSCRIBED TYPES `2 (WADS,WDS)`,
 * `--verbosity 1` and `-o json` name them), and the 1.20-1.26 tables, which have only Envoy columns, print
 * `IGNORED` in every one of them for it (istiod 1.20-1.22 reports ConfigStatus UNKNOWN for a ztunnel's Envoy
 * types; istioctl 1.23-1.26 getSyncStatus prints IGNORED for a type it is not told about). An Envoy always
 * subscribes to CDS and LDS, so "every state IGNORED" is never a sidecar. When a table shows no state at all
 * (1.22's blank cells) the pod name `ztunnel-…` decides. Waypoints and gateways look like sidecars in
 * proxy-status; `gatewayPods` (pod labels, src/kube/ambient.ts) tells them apart, else the name does.
 */
export function proxyKindOf(row: ProxyStatusRow, gatewayPods?: ReadonlyMap<string, GatewayPodKind>): ProxyKind {
  const types = row.subscribedTypes ?? Object.entries(row.states).filter(([, state]) => state !== 'IGNORED').map(([type]) => type);
  if (types.some((type) => WORKLOAD_XDS_TYPES.has(type))) return 'ztunnel';
  const states = Object.values(row.states);
  if (row.subscribedTypes === undefined && states.length > 0 && states.every((state) => state === 'IGNORED')) return 'ztunnel';
  if (states.length === 0 && row.subscribedTypes === undefined && row.name.startsWith('ztunnel-')) return 'ztunnel';
  const labelled = gatewayPods?.get(row.name);
  if (labelled !== undefined) return labelled;
  if (gatewayPods === undefined) {
    // Without labels, the names Istio gives them: `waypoint` is istioctl's default waypoint name, and the
    // gateway charts and `istioctl install` name gateways `istio-ingressgateway`, `istio-egressgateway`, `…-gateway`.
    const pod = row.name.slice(0, row.name.lastIndexOf('.') === -1 ? row.name.length : row.name.lastIndexOf('.'));
    if (pod.startsWith('waypoint-')) return 'waypoint';
    if (pod.includes('gateway')) return 'gateway';
  }
  return 'sidecar';
}

/** The states of a row that matter for its kind: a ztunnel's Envoy columns and an Envoy's WDS/WADS are noise. */
export function relevantStates(row: ProxyStatusRow, kind: ProxyKind): [string, SyncState][] {
  return Object.entries(row.states).filter(([type, state]) => state !== 'IGNORED' || (kind === 'ztunnel' ? WORKLOAD_XDS_TYPES.has(type) : !WORKLOAD_XDS_TYPES.has(type)));
}

export interface ZtunnelSync {
  /** ztunnels in proxy-status (distinct names). */
  readonly connected: number;
  /** Rows whose WDS/WADS states are all SYNCED. */
  readonly synced: number;
  /** Rows with a WDS/WADS state that is STALE or ERROR. */
  readonly problems: number;
  /**
   * Rows whose WDS/WADS states are shown, none STALE or ERROR, yet not all SYNCED (NOT SENT, or IGNORED: istiod has
   * pushed that ztunnel no workloads or policies). DESIGN §11: a ztunnel is healthy when its WDS/WADS are SYNCED.
   */
  readonly notSynced: number;
  /** Rows whose output shows no WDS/WADS state (istioctl 1.20-1.26 tables have Envoy columns only). */
  readonly stateNotShown: number;
}

export function ztunnelSync(rows: readonly ProxyStatusRow[], kinds: readonly ProxyKind[]): ZtunnelSync {
  let connected = 0;
  let synced = 0;
  let problems = 0;
  let notSynced = 0;
  let stateNotShown = 0;
  // Two istiod replicas can both list one ztunnel (the one it left has not yet noticed the stream is gone): counted
  // twice, it would make up for a ready ztunnel no istiod lists. Its first row stands for it.
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    if (kinds[index] !== 'ztunnel' || seen.has(row.name)) return;
    seen.add(row.name);
    connected += 1;
    const workload = Object.entries(row.states).filter(([type]) => WORKLOAD_XDS_TYPES.has(type)).map(([, state]) => state);
    if (workload.length === 0) {
      // 1.27-1.29 default table: subscribed, no state; the bot asks for --verbosity 1, so this is only a fallback.
      stateNotShown += 1;
      return;
    }
    if (workload.some((state) => state === 'STALE' || state === 'ERROR')) problems += 1;
    else if (workload.every((state) => state === 'SYNCED')) synced += 1;
    else notSynced += 1;
  });
  return { connected, synced, problems, notSynced, stateNotShown };
}

/** ztunnels counted from their pods, when the DaemonSets cannot be read: a node without any ztunnel pod is not seen. */
export interface ZtunnelPodCount {
  readonly desired: number;
  readonly ready: number;
}

export interface AmbientSummary {
  /** From the ztunnel DaemonSet; null when it could not be read or exists in no namespace (see `ztunnelDaemonSetMissing`). */
  readonly ztunnels: DaemonSetReadiness | null;
  /** From the ztunnel pods, when the DaemonSets could not be read (`desired` is then the pods found); else null. */
  readonly ztunnelPods: ZtunnelPodCount | null;
  readonly cni: DaemonSetReadiness | null;
  /** False when the DaemonSets could not be read: then no readiness is known for sure. */
  readonly daemonSetsRead: boolean;
  /** True when the DaemonSets were read and none runs ztunnel, though ztunnels are connected. */
  readonly ztunnelDaemonSetMissing: boolean;
  /** True when this cluster runs a ztunnel DaemonSet and no istio-cni node agent: no new pod can be captured. */
  readonly cniMissing: boolean;
  readonly sync: ZtunnelSync;
  /**
   * ztunnels ready but not connected to istiod (ready minus connected, at least 0): they hold no WDS/WADS from it.
   * null when not compared: a namespace-scoped answer (ztunnel rows are in their own namespace) or proxy-status unread.
   */
  readonly notConnected: number | null;
  /**
   * Nodes the istio-cni agent is scheduled on but the ztunnel DaemonSet is not (CNI desired minus ztunnel desired, at
   * least 0; both DaemonSets read): pods there cannot be captured (e.g. a ztunnel nodeSelector or toleration gap).
   */
  readonly nodesWithoutZtunnel: number;
  /** The configured Istio namespace, to name a DaemonSet that runs elsewhere (kube-system on GKE). */
  readonly istioNamespace: string | null;
}

export interface AmbientInputs {
  /** null: the DaemonSets could not be read. */
  readonly daemonSets: AmbientDaemonSets | null;
  /** Read only when the DaemonSets could not be; null when not read. */
  readonly ztunnelPods: readonly ZtunnelPod[] | null;
  readonly sync: ZtunnelSync;
  /** proxy-status was read and covers the whole mesh (no `-n`): connected ztunnels can be compared with ready ones. */
  readonly comparable: boolean;
  readonly istioNamespace?: string | undefined;
}

/**
 * The ambient part of a status answer, or null when the mesh has no ztunnel at all (no ztunnel DaemonSet, no ztunnel
 * pod found, no ztunnel connected to istiod).
 */
export function summarizeAmbient(inputs: AmbientInputs): AmbientSummary | null {
  const { daemonSets, sync } = inputs;
  const ztunnels = daemonSets?.ztunnel ?? null;
  const pods = inputs.ztunnelPods ?? [];
  const ztunnelPods = daemonSets === null && pods.length > 0 ? { desired: pods.length, ready: pods.filter((pod) => pod.ready).length } : null;
  if (ztunnels === null && ztunnelPods === null && sync.connected === 0) return null;
  const ready = ztunnels?.ready ?? ztunnelPods?.ready ?? 0;
  return {
    ztunnels,
    ztunnelPods,
    cni: daemonSets?.cni ?? null,
    daemonSetsRead: daemonSets !== null,
    ztunnelDaemonSetMissing: daemonSets !== null && ztunnels === null,
    // Only with a ztunnel DaemonSet here: ztunnels of another cluster connected to this istiod need no agent here.
    cniMissing: ztunnels !== null && daemonSets?.cni === null,
    sync,
    notConnected: inputs.comparable ? Math.max(0, ready - sync.connected) : null,
    nodesWithoutZtunnel: ztunnels !== null && daemonSets?.cni ? Math.max(0, daemonSets.cni.desired - ztunnels.desired) : 0,
    istioNamespace: inputs.istioNamespace ?? null,
  };
}

/** Whether the ambient data plane is short of ready node agents or of ztunnels in sync (a reason for a degraded verdict). */
export function ambientDegraded(ambient: AmbientSummary | null): boolean {
  if (ambient === null) return false;
  const short = (count: ZtunnelPodCount | null) => count !== null && count.ready < count.desired;
  return short(ambient.ztunnels) || short(ambient.ztunnelPods) || short(ambient.cni) || ambient.cniMissing || ambient.sync.problems > 0 || ambient.sync.notSynced > 0 || (ambient.notConnected ?? 0) > 0 || ambient.nodesWithoutZtunnel > 0;
}
