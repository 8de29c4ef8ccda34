import type { CommandDeps } from '../../command.ts';
import type { ClusterConfig } from '../../config.ts';
import { parseZtunnelCertificates, parseZtunnelWorkloads } from '../../istioctl/parsers/ztunnel-config/index.ts';
import { listAmbientNamespaces, listOptedOutPods, listZtunnelPods, readAmbientDaemonSets, readGatewayPods, type ZtunnelPod } from '../../kube/ambient.ts';
import type { ClusterKube } from '../../kube/clients.ts';
import { err, ok } from '../../result.ts';
import { bySeverity } from '../certificate-health.ts';
import { waypointsOf } from '../waypoint.ts';
import { judgeWorkloads, judgeZtunnelCertificates, withSidecarPods } from '../ztunnel-config.ts';
import type { AmbientFacts, AmbientGone, Section, ZtunnelCertificateSample } from './types.ts';

/**
 * How many ztunnels' certificates a digest reads (one istioctl port-forward each). Every ztunnel gets its
 * certificates from the same CA with the same lifetime, so a stuck rotation shows in any of them.
 */
export const ZTUNNEL_CERT_SAMPLE = 3;

/** What the previous digest stored of the ambient section (src/mesh/digest/baseline.ts). */
export interface AmbientBaselineFacts {
  readonly at: string;
  readonly ready: number;
  readonly desired: number;
  /** `namespace/name` of the waypoints that were not programmed, sorted, cut to BASELINE_NAMES_BYTES. */
  readonly notProgrammed: readonly string[];
  /** How many were not programmed; absent in baselines written before the cut (then `notProgrammed` is all). */
  readonly notProgrammedCount?: number;
  readonly notCaptured: number;
  /**
   * `namespace/pod` of those pods, sorted, cut to BASELINE_NAMES_BYTES (then fewer than `notCaptured`: a prefix).
   * Absent in baselines written before names were kept: the next digest then compares counts only.
   */
  readonly notCapturedPods?: readonly string[];
  /** The earliest ztunnel certificate expiry seen (ISO 8601); null when none was read. */
  readonly earliestNotAfter: string | null;
  /**
   * Set while no ztunnel runs: the last digest that saw ztunnels (its time, ready and desired), so the digest
   * after the one that said "gone" still knows what was lost. Absent in baselines written with ztunnels running.
   */
  readonly lastSeen?: { readonly at: string; readonly ready: number; readonly desired: number } | null;
  /**
   * Parts no digest has read yet (unreadable since ztunnels were first seen): their empty lists are no facts, so the
   * next digest that reads them compares them with nothing instead of calling every name new. Absent = all read.
   */
  readonly notRead?: readonly AmbientPart[];
}

/** The parts of the ambient section a baseline keeps names of. */
export type AmbientPart = 'waypoints' | 'capture';

/** Whether the baseline holds facts of that part (a list it read once, kept since), not an empty stand-in. */
export function baselineKnows(previous: AmbientBaselineFacts | null, part: AmbientPart): previous is AmbientBaselineFacts {
  return previous !== null && !(previous.notRead ?? []).includes(part);
}

/**
 * The share of the baseline for each list of names (waypoints not programmed, pods not captured): the analyze
 * snapshot keeps the ConfigMap's budget but 32 KiB for everything else (baseline.ts), and 8 KiB holds ~100 names of
 * the longest legal length, hundreds of ordinary ones. Past it a sorted prefix is kept, which still tells new from
 * old for every name up to its last.
 */
export const BASELINE_NAMES_BYTES = 8 * 1024;

/** The sorted names that fit `budget` bytes of JSON, first ones first. */
export function boundedNames(names: readonly string[], budget = BASELINE_NAMES_BYTES): string[] {
  const kept: string[] = [];
  let bytes = 2;
  for (const name of [...names].sort()) {
    bytes += Buffer.byteLength(JSON.stringify(name)) + 1;
    if (bytes > budget) break;
    kept.push(name);
  }
  return kept;
}

/** What changed in a list of names since the last digest, as far as its stored names tell. */
export interface NamesSinceLast {
  /** Names now that the last digest did not have. */
  readonly added: readonly string[];
  /** Names of the last digest that are gone now. */
  readonly removed: readonly string[];
  /** Names now that cannot be compared: past the last stored name of a cut list. */
  readonly unknown: number;
}

/**
 * Compares `current` with the names a baseline stored: `stored` is all `storedCount` names or their sorted prefix
 * (boundedNames). Null when the baseline stored no names (an older baseline).
 */
export function namesSinceLast(current: readonly string[], stored: readonly string[] | undefined, storedCount: number): NamesSinceLast | null {
  if (stored === undefined) return null;
  const before = new Set(stored);
  const last = stored.length < storedCount ? stored[stored.length - 1] : undefined;
  const comparable = (name: string) => last === undefined ? stored.length === storedCount : name <= last;
  const fresh = current.filter((name) => !before.has(name));
  const now = new Set(current);
  return {
    added: fresh.filter(comparable),
    removed: stored.filter((name) => !now.has(name)),
    unknown: fresh.filter((name) => !comparable(name)).length,
  };
}

const inScope = (namespace: string, namespaces: readonly string[] | undefined) => namespaces === undefined || namespaces.includes(namespace);

/** The sampled ztunnels' certificates: ready pods first, one per node as listed (sorted by node). */
async function readCertificates(deps: CommandDeps, cluster: ClusterConfig, ztunnels: readonly ZtunnelPod[], now: Date): Promise<Section<ZtunnelCertificateSample>> {
  const sample = [...ztunnels].sort((a, b) => Number(b.ready) - Number(a.ready)).slice(0, ZTUNNEL_CERT_SAMPLE);
  const reads = await Promise.all(sample.map((pod) => deps.istioctl.ztunnelConfig(cluster, { type: 'certificates', pod: pod.name, namespace: pod.namespace })));
  const unread: { ztunnel: string; reason: string }[] = [];
  const judged = reads.flatMap((read, index) => {
    const pod = sample[index] as ZtunnelPod;
    if (!read.ok) {
      unread.push({ ztunnel: pod.name, reason: read.error.message });
      return [];
    }
    const parsed = parseZtunnelCertificates(read.value.value.stdout);
    if (!parsed.ok) {
      unread.push({ ztunnel: pod.name, reason: parsed.error.message });
      return [];
    }
    return [judgeZtunnelCertificates(pod, parsed.value, now, deps.config.certificates)];
  });
  if (sample.length > 0 && judged.length === 0) return err(`no sampled ztunnel's certificates could be read: ${unread[0]?.reason ?? ''}`);
  // Every dated certificate ztunnel holds, its roots included, as `zc certificates` counts them: the root CA section
  // reads the istio-ca-root-cert ConfigMap, not the roots this ztunnel verifies its peers with, and an expired root
  // there breaks mTLS on its node however healthy the ConfigMap is. Each is judged by the one rule
  // (certificate-health.ts): identity certificates by their rotation, roots by the CA thresholds.
  const dated = judged.flatMap((entry) => entry.certificates.filter((cert) => cert.notAfter !== '').map((cert) => ({ ztunnel: entry.ztunnel.name, cert })));
  const earliest = [...dated].sort((a, b) => Date.parse(a.cert.notAfter) - Date.parse(b.cert.notAfter))[0];
  const worst = [...dated].sort((a, b) => bySeverity(a.cert, b.cert))[0];
  const entry = (found: (typeof dated)[number] | undefined) =>
    found ? { ztunnel: found.ztunnel, type: found.cert.type, name: found.cert.name, notAfter: found.cert.notAfter, daysRemaining: found.cert.daysRemaining, health: found.cert.health } : null;
  return ok({
    sampled: judged.map((item) => item.ztunnel.name),
    ztunnels: ztunnels.length,
    earliest: entry(earliest),
    worst: worst && worst.cert.health.level !== 'healthy' ? entry(worst) : null,
    notAvailable: judged.reduce((sum, item) => sum + item.notAvailable.length, 0),
    unread,
  });
}

interface Capture {
  readonly notCaptured: Section<readonly string[]>;
  readonly optedOut: Section<readonly string[]>;
  /** Why pods with a sidecar may be among those not captured (their lookup failed); null when it did not. */
  readonly caveat: string | null;
}

/**
 * Pods in ambient namespaces that ztunnel passes through as plain TCP: one ztunnel knows every workload of the
 * mesh. Those labelled istio.io/dataplane-mode=none are opted out on purpose and counted apart.
 */
async function readCapture(deps: CommandDeps, cluster: ClusterConfig, kube: ClusterKube, ztunnels: readonly ZtunnelPod[], namespaces: readonly string[] | undefined): Promise<Capture> {
  const failed = (message: string): Capture => ({ notCaptured: err(message), optedOut: err(message), caveat: null });
  const ztunnel = ztunnels.find((pod) => pod.ready) ?? ztunnels[0];
  if (ztunnel === undefined) return failed('no ztunnel pod to read the workloads from');
  const [read, ambientNamespaces, gatewayPods, optedOutPods] = await Promise.all([
    deps.istioctl.ztunnelConfig(cluster, { type: 'workloads', pod: ztunnel.name, namespace: ztunnel.namespace }),
    listAmbientNamespaces(kube),
    readGatewayPods(kube),
    listOptedOutPods(kube),
  ]);
  if (!read.ok) return failed(read.error.message);
  // Without the namespace labels "ambient namespace" cannot be told; a guess would invent problems.
  if (!ambientNamespaces.ok) return failed(ambientNamespaces.error.message);
  const parsed = parseZtunnelWorkloads(read.value.value.stdout);
  if (!parsed.ok) return failed(parsed.error.message);
  // Pods with a sidecar are left alone by Istio's CNI (TCP at ztunnel is their normal state): looked up as zc does,
  // so the digest and `zc workloads` agree on which pods are not captured.
  const caveats: string[] = [];
  const context = await withSidecarPods(cluster, deps, parsed.value, { ambientNamespaces: ambientNamespaces.value, gatewayPods: gatewayPods.ok ? gatewayPods.value : null, optedOutPods: optedOutPods.ok ? optedOutPods.value : null }, caveats);
  const judged = judgeWorkloads(parsed.value, context);
  const pods = (keep: (row: (typeof judged)[number]) => boolean) => judged.filter((row) => keep(row) && inScope(row.namespace, namespaces)).map((row) => `${row.namespace}/${row.pod}`);
  return {
    notCaptured: ok(pods((row) => row.notCaptured)),
    optedOut: optedOutPods.ok ? ok(pods((row) => row.optedOut)) : err(`${optedOutPods.error.message}; such pods are counted as not captured`),
    caveat: caveats[0] ?? null,
  };
}

async function readWaypoints(deps: CommandDeps, cluster: ClusterConfig, namespaces: readonly string[] | undefined): Promise<Section<{ readonly total: number; readonly notProgrammed: readonly string[] }>> {
  const read = await deps.istioctl.waypoint(cluster, { action: 'list', scope: { kind: 'all' } });
  if (!read.ok) return err(read.error.message);
  const waypoints = waypointsOf(read.value.value).filter((waypoint) => inScope(waypoint.namespace, namespaces));
  return ok({ total: waypoints.length, notProgrammed: waypoints.filter((waypoint) => !waypoint.programmed).map((waypoint) => `${waypoint.namespace}/${waypoint.name}`).sort() });
}

/**
 * No ztunnel runs now. Said when the previous digest saw ztunnels (losing them all is the worst ambient regression,
 * e.g. a deleted DaemonSet) and for as long as namespaces in scope are still labelled ambient (their pods need a
 * ztunnel); null once neither holds (ambient mode was removed and the previous digest said so) or never seen.
 */
async function readGone(kube: ClusterKube, namespaces: readonly string[] | undefined, previous: AmbientBaselineFacts | null): Promise<Section<AmbientGone> | null> {
  if (previous === null) return null;
  const news = previous.lastSeen === undefined || previous.lastSeen === null;
  const lastSeen = previous.lastSeen ?? { at: previous.at, ready: previous.ready, desired: previous.desired };
  const listed = await listAmbientNamespaces(kube);
  const ambientNamespaces: Section<readonly string[]> = listed.ok ? ok([...listed.value].filter((name) => inScope(name, namespaces)).sort()) : err(listed.error.message);
  if (!news && ambientNamespaces.ok && ambientNamespaces.value.length === 0) return null;
  return ok({ kind: 'gone', lastSeen, news, ambientNamespaces, previous });
}

/**
 * The ambient section, or null when the mesh has no ztunnel (no ztunnel DaemonSet and no ztunnel pod) and none was
 * seen before (see readGone). Without a Kubernetes client for the cluster it is null too (the control plane
 * section already says so) unless the last digest saw ztunnels: then it is unavailable, which keeps that baseline.
 * Each part may fail alone.
 */
export async function readAmbient(deps: CommandDeps, cluster: ClusterConfig, namespaces: readonly string[] | undefined, now: Date, previous: AmbientBaselineFacts | null): Promise<Section<AmbientFacts> | null> {
  const kube = deps.kubeFor(cluster);
  if (!kube.ok) return previous === null ? null : err(kube.error.message);
  const [daemonSets, pods] = await Promise.all([readAmbientDaemonSets(kube.value, cluster.istioNamespace), listZtunnelPods(kube.value, cluster.istioNamespace)]);
  if (!daemonSets.ok && !pods.ok) return err(daemonSets.error.message);
  const ztunnelSet = daemonSets.ok ? daemonSets.value.ztunnel : null;
  const ztunnels = pods.ok ? pods.value : [];
  if (ztunnelSet === null && ztunnels.length === 0) {
    if (!daemonSets.ok) return err(daemonSets.error.message);
    return pods.ok ? readGone(kube.value, namespaces, previous) : err(pods.error.message);
  }
  // Without the ztunnel pods there is no ztunnel to read certificates or workloads from: unread, not "none held".
  const noPods = (message: string): Capture => ({ notCaptured: err(message), optedOut: err(message), caveat: null });
  const [certificates, waypoints, capture] = await Promise.all([
    pods.ok ? readCertificates(deps, cluster, ztunnels, now) : Promise.resolve(err(pods.error.message)),
    readWaypoints(deps, cluster, namespaces),
    pods.ok ? readCapture(deps, cluster, kube.value, ztunnels, namespaces) : Promise.resolve(noPods(pods.error.message)),
  ]);
  const cni = daemonSets.ok ? daemonSets.value.cni : null;
  return ok({
    kind: 'running',
    ztunnels: {
      ready: ztunnelSet?.ready ?? ztunnels.filter((pod) => pod.ready).length,
      desired: ztunnelSet?.desired ?? ztunnels.length,
    },
    // As status judges them (src/mesh/ztunnel-status.ts): only beside a ztunnel DaemonSet of this cluster.
    daemonSetsUnread: daemonSets.ok ? null : daemonSets.error.message,
    nodeAgents: ztunnelSet === null ? null : { cni: cni && { ready: cni.ready, desired: cni.desired }, nodesWithoutZtunnel: cni ? Math.max(0, cni.desired - ztunnelSet.desired) : 0 },
    certificates,
    waypoints,
    notCaptured: capture.notCaptured,
    optedOut: capture.optedOut,
    captureCaveat: capture.caveat,
    waypointsSinceLast: waypoints.ok && baselineKnows(previous, 'waypoints') ? namesSinceLast(waypoints.value.notProgrammed, previous.notProgrammed, previous.notProgrammedCount ?? previous.notProgrammed.length) : null,
    notCapturedSinceLast: capture.notCaptured.ok && baselineKnows(previous, 'capture') ? namesSinceLast(capture.notCaptured.value, previous.notCapturedPods, previous.notCaptured) : null,
    previous,
  });
}

/**
 * What the next digest compares with; a part that could not be read keeps the previous digest's value. With every
 * ztunnel gone it stores what this digest saw (none ready of none) and when ztunnels were last seen.
 */
export function ambientBaseline(section: Section<AmbientFacts> | null, at: string, previous: AmbientBaselineFacts | null): AmbientBaselineFacts | null {
  if (section === null) return null;
  if (!section.ok) return previous;
  const facts = section.value;
  if (facts.kind === 'gone') return { ...facts.previous, at, ready: 0, desired: 0, lastSeen: facts.lastSeen };
  // A part read now is known from now on; one unread keeps what the baseline knew of it, or stays unknown.
  const notRead = (['waypoints', 'capture'] as const).filter((part) => !(part === 'waypoints' ? facts.waypoints.ok : facts.notCaptured.ok) && !baselineKnows(previous, part));
  return {
    at,
    ready: facts.ztunnels.ready,
    desired: facts.ztunnels.desired,
    ...(facts.waypoints.ok
      ? { notProgrammed: boundedNames(facts.waypoints.value.notProgrammed), notProgrammedCount: facts.waypoints.value.notProgrammed.length }
      : { notProgrammed: previous?.notProgrammed ?? [], ...(previous?.notProgrammedCount !== undefined ? { notProgrammedCount: previous.notProgrammedCount } : {}) }),
    notCaptured: facts.notCaptured.ok ? facts.notCaptured.value.length : (previous?.notCaptured ?? 0),
    ...(facts.notCaptured.ok ? { notCapturedPods: boundedNames(facts.notCaptured.value) } : previous?.notCapturedPods ? { notCapturedPods: previous.notCapturedPods } : {}),
    earliestNotAfter: facts.certificates.ok ? (facts.certificates.value.earliest?.notAfter ?? null) : (previous?.earliestNotAfter ?? null),
    ...(notRead.length > 0 ? { notRead } : {}),
  };
}
