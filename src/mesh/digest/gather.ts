import type { CommandDeps } from '../../command.ts';
import type { ClusterConfig } from '../../config.ts';
import { answeredIstiods, readIstiods } from '../../kube/control-plane.ts';
import { listAllSidecarPods, listSidecarPods, proxyListIsWhole, type SidecarPod } from '../../kube/sidecar-pods.ts';
import { err, ok, type Result } from '../../result.ts';
import { ambientBaseline, readAmbient } from './ambient.ts';
import { analyzeSection, readFindings } from './analyze.ts';
import { baselineRecordName, readBaseline, writeBaseline, type BaselineReadError, type DigestBaseline } from './baseline.ts';
import { readCanaries, readPendingPromotions } from './canaries.ts';
import { readRootCa, readWorkloadCerts, withRotation } from './certificates.ts';
import { inScope, statusSections } from './control-plane.ts';
import { proxyKindOf, ztunnelSync } from '../ztunnel-status.ts';
import type { Digest, RootCaFacts, Section } from './types.ts';
import { decideVerdict } from './verdict.ts';

/** One digest: a configured entry of `digests:` (scheduled) or `/mesh digest now` (on demand, no schedule). */
export interface DigestTarget {
  readonly channel: string;
  readonly cluster: ClusterConfig;
  /** Every section is limited to these namespaces; absent = the whole mesh. */
  readonly namespaces?: readonly string[];
  /** IANA zone the digest's times are shown in. */
  readonly timezone: string;
  /** Cron expression; absent for on-demand digests. */
  readonly schedule?: string;
}

export interface GatherOptions {
  /**
   * False: compare with nothing and never store (the terminal, which is read-only and has no channel).
   * Default true.
   */
  readonly compare?: boolean;
}

export interface GatheredDigest {
  readonly digest: Digest;
  /** Stores this digest's facts as the next one's baseline; call it once the digest was posted. */
  commit(): Promise<Result<void, string>>;
}

function scopeOf(target: DigestTarget): readonly string[] | undefined {
  return target.namespaces && target.namespaces.length > 0 ? [...new Set(target.namespaces)].sort() : undefined;
}

/**
 * Reads every section side by side at fire time (istioctl and the Kubernetes API; a failure is that section's
 * "unavailable" reason, never the digest's), compares with the previous digest of the same channel, cluster and
 * scope, and returns the digest with a `commit` that makes it the next baseline.
 */
export async function gatherDigest(deps: CommandDeps, target: DigestTarget, firedAt: Date, options: GatherOptions = {}): Promise<GatheredDigest> {
  const compare = options.compare ?? true;
  const namespaces = scopeOf(target);
  const cluster = target.cluster;
  const store = deps.state();
  const recordName = baselineRecordName(cluster.name, target.channel, namespaces);
  const kube = deps.kubeFor(cluster);

  const baselineRead: Promise<Result<DigestBaseline | null, BaselineReadError>> = !compare
    ? Promise.resolve(ok(null))
    : store.ok
      ? readBaseline(store.value, recordName)
      : Promise.resolve(err({ message: store.error.message, invalid: false }));
  const proxyStatus = deps.istioctl.proxyStatus(cluster);
  const scopedRows = proxyStatus.then((report) => (report.ok ? report.value.value.proxies.filter((row) => inScope(row, namespaces)) : null));

  // The ambient section compares with the stored baseline, so it waits for that read (a ConfigMap get) only.
  const ambientRead = baselineRead.then((stored) => readAmbient(deps, cluster, namespaces, firedAt, stored.ok ? (stored.value?.ambient ?? null) : null));
  const [baselineResult, report, istiodPods, version, findings, rootBundle, workloadCerts, canaries, pending, ambient, sidecarPods] = await Promise.all([
    baselineRead,
    proxyStatus,
    kube.ok ? readIstiods(kube.value, cluster.istioNamespace) : Promise.resolve(kube),
    deps.istioctl.clientVersion(),
    readFindings(deps.istioctl, cluster, namespaces),
    kube.ok ? readRootCa(kube.value, namespaces, firedAt, deps.config.certificates) : Promise.resolve(err(kube.error.message)),
    scopedRows.then((rows) => readWorkloadCerts(deps.istioctl, cluster, rows, firedAt, deps.config.certificates)),
    kube.ok ? readCanaries(kube.value, namespaces) : Promise.resolve(err(kube.error.message)),
    readPendingPromotions(store, cluster.name, namespaces, firedAt),
    ambientRead,
    // The injected pods of the scope (its namespaces, or the whole cluster) tell the sidecars istiod does not list.
    kube.ok && proxyListIsWhole(cluster) ? (namespaces !== undefined ? Promise.all(namespaces.map((namespace) => listSidecarPods(kube.value, namespace))) : Promise.all([listAllSidecarPods(kube.value)])) : Promise.resolve(null),
  ]);

  // As `status` reads an external control plane (clusters[].xdsAddress): the istiods that answered over xDS.
  const istiods =
    cluster.xdsAddress !== undefined && istiodPods.ok && istiodPods.value.current.length === 0 && report.ok
      ? ok({ ...istiodPods.value, current: answeredIstiods(cluster.xdsAddress, report.value.value.istiods) })
      : istiodPods;
  const notes: string[] = [];
  const baseline = baselineResult.ok ? baselineResult.value : null;
  // Facts that could not be read are still there (an API failure): kept for the next digest rather than replaced by
  // this one's, which lack whatever else the same failure hid. Unusable content is replaced, or it would stay forever.
  const keepStored = !baselineResult.ok && !baselineResult.error.invalid;
  if (!baselineResult.ok) {
    const kept = keepStored ? ' (they are kept: the next digest compares with them)' : '';
    notes.push(`The previous digest's facts could not be read, so nothing is compared this time${kept}: ${baselineResult.error.message}`);
  }

  if (baseline?.unreadable) notes.push(`Part of the previous digest's facts could not be read (${baseline.unreadable.join(', ')}: not the shape mesh-bot writes, edited by hand?), so ${baseline.unreadable.length === 1 ? 'it is' : 'they are'} not compared this time.`);
  const podLists = sidecarPods ?? [];
  const unlisted = podLists.find((list) => !list.ok);
  if (unlisted && !unlisted.ok) notes.push(`Sidecars that lost their connection to istiod are not seen: ${unlisted.error.message}`);
  const pods: SidecarPod[] | null = sidecarPods === null || unlisted !== undefined ? null : podLists.flatMap((list) => (list.ok ? list.value : []));
  const status = statusSections({ report: report.ok ? ok(report.value.value) : report, istiods, sidecarPods: pods, ...(report.ok ? { readAt: report.value.asOf } : {}) }, namespaces, baseline);
  const analyze = analyzeSection(findings, baseline);
  if (analyze.note) notes.push(analyze.note);
  const rootCa: Section<RootCaFacts> = rootBundle.ok ? ok(withRotation(rootBundle.value, baseline?.rootCa?.serials)) : rootBundle;

  const controlPlaneMissing = !report.ok && report.error.kind === 'no-control-plane';
  // ztunnels live in their own namespace, so they are counted in the whole proxy list, whatever the digest's scope.
  const allRows = report.ok ? report.value.value.proxies : null;
  const sync = allRows ? ztunnelSync(allRows, allRows.map((row) => proxyKindOf(row))) : null;
  const withConnected = ambient?.ok && ambient.value.kind === 'running' ? ok({ ...ambient.value, connected: sync?.connected ?? null, notSynced: sync?.notSynced ?? null }) : ambient;
  const sections = { controlPlane: status.controlPlane, proxies: status.proxies, skew: status.skew, analyze: analyze.section, rootCa, workloadCerts, canaries, pending, ambient: withConnected, controlPlaneMissing };
  const digest: Digest = {
    cluster: cluster.name,
    namespaces,
    channel: compare ? target.channel : null,
    timezone: target.timezone,
    schedule: target.schedule,
    firedAt,
    baselineAt: baseline ? new Date(baseline.at) : null,
    baselineUnreadable: !baselineResult.ok,
    verdict: decideVerdict({ ...sections, namespaces }),
    ...sections,
    notes,
    istioctlVersion: version.ok ? version.value.version : undefined,
  };

  const at = firedAt.toISOString();
  // A section that could not be read keeps the previous facts, so the next digest still compares with real data.
  const next: DigestBaseline = {
    version: 1,
    at,
    controlPlane: istiods.ok ? { at, restarts: Object.fromEntries(istiods.value.current.map((pod) => [pod.name, pod.restarts])) } : (baseline?.controlPlane ?? null),
    proxies: status.proxies.ok ? { at, total: status.proxies.value.total, stale: status.proxies.value.stale, error: status.proxies.value.error } : (baseline?.proxies ?? null),
    analyze: analyze.packed !== null ? { at, snapshot: analyze.packed } : (baseline?.analyze ?? null),
    rootCa: rootCa.ok ? { at, serials: rootCa.value.roots.map((root) => root.serial).sort() } : (baseline?.rootCa ?? null),
    ambient: ambientBaseline(ambient, at, baseline?.ambient ?? null),
  };

  return {
    digest,
    async commit() {
      if (!compare) return ok(undefined);
      if (!store.ok) return err(store.error.message);
      if (keepStored) return ok(undefined);
      return writeBaseline(store.value, recordName, next);
    },
  };
}
