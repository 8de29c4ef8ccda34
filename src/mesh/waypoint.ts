import type { V1Namespace, V1Service } from '@kubernetes/client-node';
import type { AnalyzeScope, WaypointReport } from '../istioctl/istioctl.ts';
import type { WaypointRow } from '../istioctl/parsers/waypoint.ts';
import type { ClusterKube } from '../kube/clients.ts';
import { describeKubeError } from '../kube/errors.ts';
import { err, ok, type Result } from '../result.ts';

/** A Service (or namespace) names the waypoint that serves it with this label; `none` opts out explicitly. */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/** The waypoint's namespace when it is not the Service's own. */
export const USE_WAYPOINT_NAMESPACE_LABEL = 'istio.io/use-waypoint-namespace';

/** One waypoint as the bot reports it, from `waypoint list` or `waypoint status`. */
export interface Waypoint {
  readonly namespace: string;
  readonly name: string;
  /** True only when istioctl printed `True` for the Programmed condition. */
  readonly programmed: boolean;
  /** The condition status as istioctl printed it (`True`, `False`, `Unknown`); `Unknown` when istioctl did not print it. */
  readonly programmedStatus: string;
  /** `istio.io/waypoint-for` as `waypoint list` 1.27+ prints it (`none` = label absent); null where istioctl does not print it. */
  readonly trafficType: string | null;
  /** `istio.io/rev` or `default`, from `waypoint list`; null when it could not be read. */
  readonly revision: string | null;
  /** `waypoint status` only: the condition's reason and message ('' when blank or from `list`). */
  readonly reason: string;
  readonly message: string;
}

/**
 * A Service, or a Namespace (for every Service in it without a label of its own), labelled `istio.io/use-waypoint`
 * whose waypoint is missing, not programmed, or outside the scope read.
 */
export interface WaypointUserProblem {
  readonly labelledOn: 'Service' | 'Namespace';
  readonly namespace: string;
  /** null for a Namespace's label. */
  readonly service: string | null;
  readonly waypointNamespace: string;
  readonly waypoint: string;
  readonly problem: 'missing' | 'not-programmed' | 'not-checked';
}

export interface LabelledService {
  readonly labelledOn: 'Service' | 'Namespace';
  readonly namespace: string;
  /** The Service's name; null for a Namespace's label. */
  readonly name: string | null;
  readonly waypoint: string;
  readonly waypointNamespace: string;
}

export interface WaypointUsers {
  /** Services in scope that name a waypoint (not `none`). */
  readonly labelled: number;
  /** Namespaces in scope that name one for their Services. */
  readonly labelledNamespaces: number;
  /** Missing and not-programmed first, then those whose waypoint lies outside the scope that was read. */
  readonly problems: readonly WaypointUserProblem[];
}

export interface WaypointSummary {
  /** Not programmed first, then by namespace and name (istioctl's order). */
  readonly waypoints: readonly Waypoint[];
  readonly notProgrammed: number;
  /** Services labelled `istio.io/use-waypoint`; null when the Kubernetes API could not be read. */
  readonly users: WaypointUsers | null;
}

/**
 * `listed`: `waypoint list`'s rows, read beside `waypoint status`. istioctl's status writer (istioctl/pkg/waypoint/
 * waypoint.go, printWaypointStatus) prints the Programmed condition only when it is True; otherwise it prints the
 * Gateway's last condition — istiod writes Accepted, Programmed, ResolvedRefs, so a waypoint it cannot program reads
 * `True ResolvedRefs` — and for a Gateway without conditions the previous Gateway's. A row says something about
 * Programmed only when its TYPE is Programmed, and even then the list's PROGRAMMED column (the Gateway's own
 * condition) decides; without the list, any other row is Unknown, never programmed.
 */
export function waypointsOf(report: WaypointReport, listed: readonly WaypointRow[] | null = null): Waypoint[] {
  if (report.action === 'status') {
    const fromList = new Map((listed ?? []).map((row) => [`${row.namespace}/${row.name}`, row] as const));
    return report.rows.map((row) => {
      const list = fromList.get(`${row.namespace}/${row.name}`);
      const aboutProgrammed = row.type === 'Programmed';
      const programmedStatus = list?.programmed ?? (aboutProgrammed ? row.status : 'Unknown');
      // Reason and message describe the Programmed condition only when istioctl printed that one, for this Gateway.
      const own = aboutProgrammed && row.status === programmedStatus;
      return {
        namespace: row.namespace,
        name: row.name,
        programmed: programmedStatus === 'True',
        programmedStatus,
        trafficType: list?.trafficType ?? null,
        revision: list?.revision ?? null,
        reason: own ? row.reason : '',
        message: own ? row.message : '',
      };
    });
  }
  return report.rows.map((row) => ({ namespace: row.namespace, name: row.name, programmed: row.programmed === 'True', programmedStatus: row.programmed, trafficType: row.trafficType, revision: row.revision, reason: '', message: '' }));
}

const PROBLEM_RANK: Readonly<Record<WaypointUserProblem['problem'], number>> = { missing: 0, 'not-programmed': 1, 'not-checked': 2 };

/** Compares each labelled Service with the waypoints read; a waypoint outside `scope` was not read, so it is not judged. */
export function summarizeWaypoints(waypoints: readonly Waypoint[], services: readonly LabelledService[] | null, scope: AnalyzeScope): WaypointSummary {
  const ordered = [...waypoints].sort((a, b) => Number(a.programmed) - Number(b.programmed) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const byKey = new Map(waypoints.map((waypoint) => [`${waypoint.namespace}/${waypoint.name}`, waypoint] as const));
  let users: WaypointUsers | null = null;
  if (services !== null) {
    const problems: WaypointUserProblem[] = [];
    for (const service of services) {
      const base = { labelledOn: service.labelledOn, namespace: service.namespace, service: service.name, waypointNamespace: service.waypointNamespace, waypoint: service.waypoint };
      if (scope.kind === 'namespace' && service.waypointNamespace !== scope.namespace) {
        problems.push({ ...base, problem: 'not-checked' });
        continue;
      }
      const waypoint = byKey.get(`${service.waypointNamespace}/${service.waypoint}`);
      if (waypoint === undefined) problems.push({ ...base, problem: 'missing' });
      else if (!waypoint.programmed) problems.push({ ...base, problem: 'not-programmed' });
    }
    problems.sort((a, b) => PROBLEM_RANK[a.problem] - PROBLEM_RANK[b.problem] || a.namespace.localeCompare(b.namespace) || (a.service ?? '').localeCompare(b.service ?? ''));
    const labelledNamespaces = services.filter((service) => service.labelledOn === 'Namespace').length;
    users = { labelled: services.length - labelledNamespaces, labelledNamespaces, problems };
  }
  return { waypoints: ordered, notProgrammed: ordered.filter((waypoint) => !waypoint.programmed).length, users };
}

function labelledService(service: V1Service): LabelledService | null {
  const labels = service.metadata?.labels ?? {};
  const waypoint = labels[USE_WAYPOINT_LABEL];
  const namespace = service.metadata?.namespace;
  const name = service.metadata?.name;
  if (!waypoint || waypoint === 'none' || !namespace || !name) return null;
  return { labelledOn: 'Service', namespace, name, waypoint, waypointNamespace: labels[USE_WAYPOINT_NAMESPACE_LABEL] || namespace };
}

function labelledNamespace(namespace: V1Namespace): LabelledService | null {
  const labels = namespace.metadata?.labels ?? {};
  const waypoint = labels[USE_WAYPOINT_LABEL];
  const name = namespace.metadata?.name;
  if (!waypoint || waypoint === 'none' || !name) return null;
  return { labelledOn: 'Namespace', namespace: name, name: null, waypoint, waypointNamespace: labels[USE_WAYPOINT_NAMESPACE_LABEL] || name };
}

/**
 * Services and Namespaces carrying `istio.io/use-waypoint`, label-selected so a large mesh's objects are never
 * listed whole. istiod reads the label on the Namespace for every Service in it that has none of its own
 * (pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go, getUseWaypoint), so a Namespace naming a missing
 * waypoint breaks all of them at once.
 */
export async function readLabelledServices(kube: ClusterKube, scope: AnalyzeScope): Promise<Result<LabelledService[], string>> {
  try {
    const [services, namespaces] = await Promise.all([
      scope.kind === 'all'
        ? kube.core.listServiceForAllNamespaces({ labelSelector: USE_WAYPOINT_LABEL })
        : kube.core.listNamespacedService({ namespace: scope.namespace, labelSelector: USE_WAYPOINT_LABEL }),
      kube.core.listNamespace({ labelSelector: USE_WAYPOINT_LABEL, ...(scope.kind === 'namespace' ? { fieldSelector: `metadata.name=${scope.namespace}` } : {}) }),
    ]);
    return ok([...namespaces.items.map(labelledNamespace), ...services.items.map(labelledService)].filter((labelled): labelled is LabelledService => labelled !== null));
  } catch (cause) {
    return err(describeKubeError(cause, `list Services and Namespaces labelled ${USE_WAYPOINT_LABEL}`, kube.cluster.name));
  }
}
