import type { EndedIstiodPod, IstiodPod } from '../kube/control-plane.ts';
import type { ProxyStatusReport, ProxyStatusRow, SyncState } from '../istioctl/types.ts';
import type { AmbientDaemonSets, GatewayPodKind, ZtunnelPod } from '../kube/ambient.ts';
import type { SidecarPod } from '../kube/sidecar-pods.ts';
import { ambientDegraded, PROXY_KINDS, proxyKindOf, relevantStates, summarizeAmbient, ztunnelSync, type AmbientSummary, type ProxyKind } from './ztunnel-status.ts';

/** `no-proxies`: istioctl answered and no proxy is in scope; never green, there is nothing to call healthy. */
export type StatusVerdict = 'healthy' | 'degraded' | 'control-plane-down' | 'no-proxies' | 'unknown';

export interface ProblemProxy {
  readonly name: string;
  readonly cluster: string;
  readonly istiod: string;
  readonly version: string;
  readonly states: Readonly<Record<string, SyncState>>;
  readonly stale: readonly string[];
  readonly errored: readonly string[];
}

export interface VersionSkew {
  /** Distinct istiod versions (from the Kubernetes API, else from istioctl). */
  readonly controlPlane: readonly string[];
  /** Proxy versions whose major.minor matches no istiod, with how many proxies run each. */
  readonly mismatched: readonly { readonly version: string; readonly count: number }[];
}

export interface ProxySummary {
  readonly total: number;
  readonly healthy: number;
  readonly stale: number;
  readonly error: number;
  /** False for outputs without per-type states (1.27+ default table): then healthy means "connected". */
  readonly statesKnown: boolean;
  readonly byVersion: Readonly<Record<string, number>>;
  /** sidecar / waypoint / ztunnel / gateway → count (every kind present, 0 when none). */
  readonly byKind: Readonly<Record<ProxyKind, number>>;
  /** xDS type → state → count. */
  readonly byType: Readonly<Record<string, Readonly<Partial<Record<SyncState, number>>>>>;
  /** Every proxy with at least one STALE or ERROR type, worst first. */
  readonly problems: readonly ProblemProxy[];
  readonly istiodsSeen: readonly string[];
}

export interface ControlPlaneSummary {
  /** null when the Kubernetes API could not be read. */
  readonly istiods: readonly IstiodPod[] | null;
  readonly ready: number;
  /** istiod pods that have ended (Evicted…): mentioned, never counted. */
  readonly ended: readonly EndedIstiodPod[];
}

export interface StatusSummary {
  readonly verdict: StatusVerdict;
  readonly namespace: string | undefined;
  /** null when istioctl failed. */
  readonly proxies: ProxySummary | null;
  readonly controlPlane: ControlPlaneSummary;
  readonly skew: VersionSkew;
  /** True when istioctl said no istiod is running. */
  readonly controlPlaneMissing: boolean;
  /** Version of `skew.mismatched` → the proxies running it (istioctl's `pod.namespace` names, sorted). */
  readonly skewedProxies: Readonly<Record<string, readonly string[]>>;
  /** ztunnels and the istio-cni node agent; null when the mesh has no ztunnel. */
  readonly ambient: AmbientSummary | null;
  /**
   * Pods of the namespaces in scope (`-n`, a digest's `namespaces`) with a sidecar that was Ready before proxy-status
   * ran, yet that no istiod lists (`pod.namespace`, sorted); null when not compared (whole mesh, pods or proxies not read).
   */
  readonly notConnected: readonly string[] | null;
  /**
   * Namespaces in scope labelled `istio.io/dataplane-mode=ambient` while this cluster runs no ztunnel at all (sorted):
   * their pods have no ztunnel to carry their traffic. Empty when ztunnels run; null when not known (namespaces or
   * DaemonSets and ztunnel pods unread).
   */
  readonly ambientWithoutZtunnel: readonly string[] | null;
}

export interface StatusInputs {
  readonly report: ProxyStatusReport | null;
  readonly istiods: readonly IstiodPod[] | null;
  readonly endedIstiods?: readonly EndedIstiodPod[];
  readonly namespace?: string | undefined;
  /** The Kubernetes API could not say whether `namespace` exists: no proxy there is then no answer (maybe a typo). */
  readonly namespaceUnchecked?: boolean;
  readonly controlPlaneMissing?: boolean;
  /** Gateway and waypoint pods by `pod.namespace` (pod labels); undefined when unknown: the names decide. */
  readonly gatewayPods?: ReadonlyMap<string, GatewayPodKind>;
  /** The ztunnel and istio-cni DaemonSets (any namespace); null or absent when they could not be read. */
  readonly ambientDaemonSets?: AmbientDaemonSets | null;
  /** The ztunnel pods, read when the DaemonSets could not be; null or absent when not read. */
  readonly ztunnelPods?: readonly ZtunnelPod[] | null;
  readonly istioNamespace?: string;
  /** The injected pods of the namespaces in scope; null or absent when not read (the whole mesh is never listed). */
  readonly sidecarPods?: readonly SidecarPod[] | null;
  /** When proxy-status was read: a sidecar Ready only since then may not be in its list yet. */
  readonly readAt?: Date;
  /** The cluster's namespaces in ambient mode (src/kube/ambient.ts listAmbientNamespaces); null or absent when not read. */
  readonly ambientNamespaces?: ReadonlySet<string> | null;
}

export function summarizeStatus(inputs: StatusInputs): StatusSummary {
  const rows = inputs.report ? inputs.report.proxies.filter((row) => inputs.namespace === undefined || row.namespace === inputs.namespace) : null;
  const kinds = rows ? rows.map((row) => proxyKindOf(row, inputs.gatewayPods)) : [];
  const proxies = rows ? summarizeProxies(rows, kinds) : null;
  const ambient = summarizeAmbient({
    daemonSets: inputs.ambientDaemonSets ?? null,
    ztunnelPods: inputs.ztunnelPods ?? null,
    sync: ztunnelSync(rows ?? [], kinds),
    comparable: rows !== null && inputs.namespace === undefined,
    istioNamespace: inputs.istioNamespace,
  });
  const istiods = inputs.istiods;
  const readyIstiods = istiods ? istiods.filter((pod) => pod.ready).length : 0;
  const controlPlaneVersions = distinct(
    istiods && istiods.length > 0 ? istiods.map((pod) => pod.version) : (inputs.report?.istiods.map((istiod) => istiod.version) ?? []),
  ).filter((version) => version !== '');
  const skew = computeSkew(proxies?.byVersion ?? {}, controlPlaneVersions);
  const controlPlaneMissing = inputs.controlPlaneMissing === true;
  const notConnected = disconnectedSidecars(rows, inputs);
  const ambientWithoutZtunnel = namespacesWithoutZtunnel(ambient, inputs);
  const noZtunnel = (ambientWithoutZtunnel?.length ?? 0) > 0;

  let verdict: StatusVerdict;
  if (controlPlaneMissing || (istiods !== null && readyIstiods === 0)) verdict = 'control-plane-down';
  else if (proxies === null || istiods === null) verdict = noZtunnel || (proxies !== null && proxies.stale + proxies.error + (notConnected?.length ?? 0) > 0) ? 'degraded' : 'unknown';
  // ztunnels or sidecars running without a connection to istiod are a problem, not an empty mesh.
  else if (proxies.total === 0 && (ambient?.notConnected ?? 0) === 0 && (notConnected?.length ?? 0) === 0 && !noZtunnel) verdict = inputs.namespaceUnchecked === true ? 'unknown' : 'no-proxies';
  else if (proxies.stale + proxies.error > 0 || (notConnected?.length ?? 0) > 0 || readyIstiods < istiods.length || ambientDegraded(ambient) || noZtunnel) verdict = 'degraded';
  // An answer that shows no sync state for any Envoy proxy (1.27-1.29's default SUBSCRIBED TYPES table) cannot call
  // them in sync. (A ztunnel-only mesh on 1.20-1.26 tables keeps its documented answer: its states never show there.)
  else if (!proxies.statesKnown && proxies.total > proxies.byKind.ztunnel) verdict = 'unknown';
  // Without the DaemonSets no node is known to run a ready ztunnel and istio-cni agent: nothing to call healthy.
  else if (ambient !== null && !ambient.daemonSetsRead) verdict = 'unknown';
  else verdict = 'healthy';

  return {
    verdict,
    namespace: inputs.namespace,
    proxies,
    controlPlane: { istiods, ready: readyIstiods, ended: inputs.endedIstiods ?? [] },
    skew,
    controlPlaneMissing,
    skewedProxies: proxiesByVersion(rows ?? [], skew.mismatched.map((entry) => entry.version)),
    ambient,
    notConnected,
    ambientWithoutZtunnel,
  };
}

/**
 * A namespace labelled ambient is in the mesh only through the ztunnel on each node: without any, its pods run outside
 * the mesh (no mTLS, no policy) or, captured before the ztunnels went, with their traffic redirected to nothing. With
 * no ztunnel anywhere there is no ambient part to judge, so the label is the only sign. Known only when this cluster
 * was seen to run no ztunnel: its DaemonSets read, or its ztunnel pods listed.
 */
function namespacesWithoutZtunnel(ambient: AmbientSummary | null, inputs: StatusInputs): string[] | null {
  // A ztunnel DaemonSet scheduled on no node (0/0) runs none either; one short of ready pods is degraded already.
  if (ambient !== null && (ambient.ztunnels === null || ambient.ztunnels.desired > 0 || ambient.sync.connected > 0)) return [];
  const labelled = inputs.ambientNamespaces;
  if (labelled === undefined || labelled === null) return null;
  if ((inputs.ambientDaemonSets ?? null) === null && (inputs.ztunnelPods ?? null) === null) return null;
  return [...labelled].filter((namespace) => inputs.namespace === undefined || namespace === inputs.namespace).sort();
}

/**
 * proxy-status lists only the proxies connected to an istiod at that moment: a sidecar that lost its connection (istiod
 * refusing its certificate, a network policy, an istiod of another revision gone) is simply absent, and the rest can
 * all be SYNCED. A pod Ready before the list was read had its configuration from istiod, so its absence is a problem.
 */
function disconnectedSidecars(rows: readonly ProxyStatusRow[] | null, inputs: StatusInputs): string[] | null {
  const pods = inputs.sidecarPods;
  if (rows === null || pods === undefined || pods === null || inputs.readAt === undefined) return null;
  const listed = new Set(rows.map((row) => row.name));
  const readAt = inputs.readAt.getTime();
  return pods
    .filter((pod) => pod.running && pod.readySince !== null && pod.readySince.getTime() <= readAt)
    .map((pod) => `${pod.name}.${pod.namespace}`)
    .filter((name) => !listed.has(name))
    .sort();
}

function proxiesByVersion(rows: readonly ProxyStatusRow[], versions: readonly string[]): Record<string, string[]> {
  const wanted = new Set(versions);
  const byVersion: Record<string, string[]> = {};
  for (const row of rows) if (wanted.has(row.version)) (byVersion[row.version] ??= []).push(row.name);
  for (const names of Object.values(byVersion)) names.sort();
  return byVersion;
}

const STATE_SEVERITY: Readonly<Record<SyncState, number>> = { ERROR: 2, STALE: 1, SYNCED: 0, 'NOT SENT': 0, IGNORED: 0 };

function summarizeProxies(rows: readonly ProxyStatusRow[], kinds: readonly ProxyKind[]): ProxySummary {
  let total = 0;
  let stale = 0;
  let error = 0;
  let statesKnown = false;
  const byVersion: Record<string, number> = {};
  const byKind = Object.fromEntries(PROXY_KINDS.map((kind) => [kind, 0])) as Record<ProxyKind, number>;
  const byType: Record<string, Partial<Record<SyncState, number>>> = {};
  const problems: ProblemProxy[] = [];
  const istiods = new Set<string>();

  for (const [index, row] of rows.entries()) {
    total += 1;
    const kind = kinds[index] ?? 'sidecar';
    byKind[kind] += 1;
    const version = row.version === '' ? 'unknown' : row.version;
    byVersion[version] = (byVersion[version] ?? 0) + 1;
    if (row.istiod !== '') istiods.add(row.istiod);
    const staleTypes: string[] = [];
    const errorTypes: string[] = [];
    // A ztunnel's IGNORED Envoy columns (and an Envoy's IGNORED WDS/WADS) are normal, never counted.
    for (const [type, state] of relevantStates(row, kind)) {
      statesKnown = true;
      const counts = (byType[type] ??= {});
      counts[state] = (counts[state] ?? 0) + 1;
      if (state === 'STALE') staleTypes.push(type);
      else if (state === 'ERROR') errorTypes.push(type);
    }
    if (staleTypes.length > 0) stale += 1;
    if (errorTypes.length > 0) error += 1;
    if (staleTypes.length + errorTypes.length > 0) {
      problems.push({ name: row.name, cluster: row.cluster, istiod: row.istiod, version: row.version, states: row.states, stale: staleTypes, errored: errorTypes });
    }
  }

  // Scored once per proxy rather than in every comparison (up to ~130,000 of them for 10,000 proxies with problems).
  const scored = problems.map((problem) => ({ problem, score: severity(problem) }));
  scored.sort((a, b) => b.score - a.score || a.problem.name.localeCompare(b.problem.name));
  const sorted = scored.map((entry) => entry.problem);
  const unhealthy = problems.length;
  return { total, healthy: total - unhealthy, stale, error, statesKnown, byVersion, byKind, byType, problems: sorted, istiodsSeen: [...istiods].sort() };
}

function severity(problem: ProblemProxy): number {
  let score = 0;
  for (const state of Object.values(problem.states)) score += STATE_SEVERITY[state] * 10;
  return score + (problem.errored.length > 0 ? 1000 : 0);
}

/** `1.20.3` → `1.20`; `1.1*` (syncz fallback to the Envoy version) → null: not comparable. */
export function minorOf(version: string): string | null {
  if (version.endsWith('*')) return null;
  return /^v?(\d+\.\d+)/.exec(version)?.[1] ?? null;
}

function computeSkew(byVersion: Readonly<Record<string, number>>, controlPlane: readonly string[]): VersionSkew {
  const controlMinors = new Set(controlPlane.map(minorOf).filter((minor): minor is string => minor !== null));
  if (controlMinors.size === 0) return { controlPlane, mismatched: [] };
  const mismatched = Object.entries(byVersion)
    .filter(([version]) => {
      const minor = minorOf(version);
      return minor !== null && !controlMinors.has(minor);
    })
    .map(([version, count]) => ({ version, count }))
    .sort((a, b) => b.count - a.count);
  return { controlPlane, mismatched };
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
