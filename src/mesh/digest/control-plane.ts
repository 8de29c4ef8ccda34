import { describeEndedIstiod, type IstiodPods } from '../../kube/control-plane.ts';
import type { ProxyStatusReport, ProxyStatusRow } from '../../istioctl/types.ts';
import type { SidecarPod } from '../../kube/sidecar-pods.ts';
import { err, ok, type Result } from '../../result.ts';
import { summarizeStatus, type VersionSkew } from '../status.ts';
import type { DigestBaseline } from './baseline.ts';
import type { ControlPlaneFacts, IstiodFacts, ProxyFacts, Section } from './types.ts';

export interface StatusInputs {
  /** istioctl proxy-status, or why it failed. */
  readonly report: Result<ProxyStatusReport, { readonly message: string; readonly kind: string }>;
  /** istiod pods from the Kubernetes API (the current control plane and the ended pods), or why they could not be listed. */
  readonly istiods: Result<IstiodPods, { readonly message: string }>;
  /** A scoped digest's injected pods, to tell sidecars istiod does not list; null or absent when not read. */
  readonly sidecarPods?: readonly SidecarPod[] | null;
  /** When proxy-status was read (a sidecar Ready only since then may not be in its list yet). */
  readonly readAt?: Date;
}

export interface StatusSections {
  readonly controlPlane: Section<ControlPlaneFacts>;
  readonly proxies: Section<ProxyFacts>;
  readonly skew: Section<VersionSkew>;
  /** The proxies in scope (for the certificate sample); null when proxy-status failed. */
  readonly rows: readonly ProxyStatusRow[] | null;
}

export function inScope(row: ProxyStatusRow, namespaces: readonly string[] | undefined): boolean {
  return namespaces === undefined || namespaces.includes(row.namespace);
}

/**
 * Control plane, proxy sync and version skew from one proxy-status and one istiod pod list, summarized exactly as
 * `/mesh status` does (summarizeStatus), then compared with the previous digest.
 */
export function statusSections(inputs: StatusInputs, namespaces: readonly string[] | undefined, baseline: DigestBaseline | null): StatusSections {
  const rows = inputs.report.ok ? inputs.report.value.proxies.filter((row) => inScope(row, namespaces)) : null;
  const summary = summarizeStatus({
    report: inputs.report.ok ? { ...inputs.report.value, proxies: rows ?? [] } : null,
    istiods: inputs.istiods.ok ? inputs.istiods.value.current : null,
    controlPlaneMissing: !inputs.report.ok && inputs.report.error.kind === 'no-control-plane',
    sidecarPods: inputs.sidecarPods ?? null,
    ...(inputs.readAt ? { readAt: inputs.readAt } : {}),
  });

  let controlPlane: Section<ControlPlaneFacts>;
  if (inputs.istiods.ok) controlPlane = ok(controlPlaneFacts(inputs.istiods.value, baseline));
  else controlPlane = err(`Kubernetes API: ${inputs.istiods.error.message}`);

  let proxies: Section<ProxyFacts>;
  if (!inputs.report.ok) proxies = err(`istioctl: ${inputs.report.error.message}`);
  else {
    const counted = summary.proxies;
    proxies = counted
      ? ok({
          total: counted.total,
          healthy: counted.healthy,
          stale: counted.stale,
          error: counted.error,
          statesKnown: counted.statesKnown,
          syncUnknown: !counted.statesKnown && counted.total > counted.byKind.ztunnel,
          problems: counted.problems,
          previous: baseline?.proxies ? { total: baseline.proxies.total, stale: baseline.proxies.stale, error: baseline.proxies.error } : null,
          notConnected: summary.notConnected,
        })
      : err('istioctl returned no proxy list');
  }

  // Skew needs both sides: proxy versions (istioctl) and istiod versions (Kubernetes API, else istioctl's own view).
  const skew: Section<VersionSkew> = !inputs.report.ok ? err(`proxy versions unknown: ${inputs.report.error.message}`) : summary.skew.controlPlane.length === 0 ? err('istiod version unknown') : ok(summary.skew);

  return { controlPlane, proxies, skew, rows };
}

function controlPlaneFacts({ current: pods, ended }: IstiodPods, baseline: DigestBaseline | null): ControlPlaneFacts {
  const previous = baseline?.controlPlane?.restarts ?? null;
  const istiods: IstiodFacts[] = pods.map((pod) => {
    if (previous === null) return { name: pod.name, ready: pod.ready, version: pod.version, restarts: pod.restarts, restartsSinceLast: null, isNew: false };
    const before = previous[pod.name];
    // A new pod's restarts all happened since the last digest; a lower count means a new pod with the same name.
    const since = before === undefined || pod.restarts < before ? pod.restarts : pod.restarts - before;
    return { name: pod.name, ready: pod.ready, version: pod.version, restarts: pod.restarts, restartsSinceLast: since, isNew: before === undefined };
  });
  const names = new Set(pods.map((pod) => pod.name));
  return {
    istiods,
    ready: pods.filter((pod) => pod.ready).length,
    restartsSinceLast: previous === null ? null : istiods.reduce((sum, pod) => sum + (pod.restartsSinceLast ?? 0), 0),
    gone: previous === null ? [] : Object.keys(previous).filter((name) => !names.has(name)).sort(),
    ended: ended.map(describeEndedIstiod),
  };
}
