import type { CommandDeps } from '../command.ts';
import type { ClusterConfig } from '../config.ts';
import { parseError } from '../istioctl/errors.ts';
import {
  parseZtunnelAll,
  parseZtunnelCertificates,
  parseZtunnelConnections,
  parseZtunnelPolicies,
  parseZtunnelServices,
  parseZtunnelWorkloads,
  type ZtunnelCertificate,
  type ZtunnelConnection,
  type ZtunnelPolicy,
  type ZtunnelService,
  type ZtunnelWorkload,
} from '../istioctl/parsers/ztunnel-config/index.ts';
import { hasZtunnelConfig, ztunnelConfigMissing, type ZtunnelConfigType } from '../istioctl/ztunnel-config.ts';
import { listAmbientNamespaces, listOptedOutPods, listZtunnelPods, readGatewayPods, readPodNode, type GatewayPodKind, type ZtunnelPod } from '../kube/ambient.ts';
import type { ParseFailure } from '../istioctl/types.ts';
import type { Result } from '../result.ts';
import { listSidecarPods } from '../kube/sidecar-pods.ts';
import { bySeverity, DEFAULT_CA_THRESHOLDS, ISTIO_GRACE_PERIOD_RATIO, judgeCertificate, type CaThresholds, type CertificateHealth, type CertificateRole } from './certificate-health.ts';

/** At most this many ztunnels are read for a mesh-wide certificate summary (one istioctl run each). */
export const CERTIFICATE_ZTUNNELS_READ = 20;
/** Nodes named in an error about a node without a ztunnel (a cluster may have thousands). */
const NODES_NAMED = 10;
/** istioctl runs at a time for that summary: each one port-forwards to a ztunnel. */
const CONCURRENT_READS = 4;
/** Kubernetes lists at a time when looking for sidecar pods, one per namespace with pods not captured. */
const CONCURRENT_LISTS = 4;

export interface ZtunnelTarget {
  /** A workload pod, `POD[.NAMESPACE]`: its node's ztunnel is read, and workloads/connections keep that pod. */
  readonly pod?: { readonly name: string; readonly namespace: string | undefined };
  readonly node?: string;
}

/** A workload row with what the bot concludes about it. */
export interface WorkloadStatus extends ZtunnelWorkload {
  /** False for protocol TCP: ztunnel passes the traffic through without mTLS (DESIGN.md section 5). */
  readonly captured: boolean;
  /** The namespace is labelled istio.io/dataplane-mode=ambient (null when the labels could not be read). */
  readonly ambientNamespace: boolean | null;
  /** A waypoint or gateway pod: Istio never captures its own proxies, so TCP is normal there. */
  readonly proxyPod: GatewayPodKind | null;
  /** TCP in an ambient namespace, not a proxy, no sidecar and not opted out: a pod that should be in the mesh and is not. */
  readonly notCaptured: boolean;
  /** TCP in an ambient namespace and labelled istio.io/dataplane-mode=none: kept out of the mesh on purpose. */
  readonly optedOut: boolean;
  /** TCP in an ambient namespace with an injected sidecar: Istio's CNI leaves it to its sidecar, so it is in the mesh. */
  readonly sidecar: boolean;
}

export interface CertificateRow extends ZtunnelCertificate {
  readonly daysRemaining: number | null;
  readonly health: CertificateHealth;
}

export interface ZtunnelCertificates {
  readonly ztunnel: ZtunnelPod;
  readonly certificates: readonly CertificateRow[];
  /** The earliest NOT AFTER of this ztunnel's certificates ('' when none has a date). */
  readonly earliestNotAfter: string;
  /** Rows whose status is not `Available` (Initializing, Unavailable). */
  readonly notAvailable: readonly CertificateRow[];
}

export interface ServiceStatus extends ZtunnelService {
  /** Some endpoints are not ready (ENDPOINTS ready < total). */
  readonly endpointsShort: boolean;
}

export type ZtunnelReport =
  | { readonly type: 'workloads'; readonly workloads: readonly WorkloadStatus[] }
  | { readonly type: 'services'; readonly services: readonly ServiceStatus[] }
  | { readonly type: 'certificates'; readonly perZtunnel: readonly ZtunnelCertificates[] }
  | { readonly type: 'policies'; readonly policies: readonly ZtunnelPolicy[] }
  | { readonly type: 'connections'; readonly connections: readonly ZtunnelConnection[] }
  | {
      readonly type: 'all';
      readonly workloads: readonly WorkloadStatus[] | null;
      readonly services: readonly ServiceStatus[] | null;
      readonly policies: readonly ZtunnelPolicy[] | null;
      readonly perZtunnel: readonly ZtunnelCertificates[];
      readonly connections: readonly ZtunnelConnection[] | null;
    };

export interface ZtunnelConfigResult {
  readonly cluster: string;
  readonly asOf: Date;
  readonly errors: readonly string[];
  readonly type: ZtunnelConfigType;
  readonly target: ZtunnelTarget;
  /**
   * The ztunnels whose configuration was read (one, or several for a mesh-wide certificate summary): a ztunnel whose
   * istioctl run failed or whose answer could not be parsed is not one of them (its error is in `errors`).
   */
  readonly read: readonly ZtunnelPod[];
  /** Every ztunnel pod of the mesh (for "N of M read"). */
  readonly ztunnelCount: number;
  /** The workload pod the answer was narrowed to (POD given and not a ztunnel). */
  readonly workloadFilter: { readonly name: string; readonly namespace: string } | null;
  readonly istioctlVersion: string | null;
  /** null when nothing could be read. */
  readonly report: ZtunnelReport | null;
}

interface Base {
  readonly cluster: string;
  readonly type: ZtunnelConfigType;
  readonly target: ZtunnelTarget;
}

function failed(base: Base, deps: CommandDeps, error: string, extra: Partial<ZtunnelConfigResult> = {}): ZtunnelConfigResult {
  return { ...base, asOf: deps.now(), errors: [error], read: [], ztunnelCount: 0, workloadFilter: null, istioctlVersion: null, report: null, ...extra };
}

/** Which ztunnel(s) to read: the pod's node's, the node's, or (without either) one, or up to the bound for certificates. */
async function chooseZtunnels(
  target: ClusterConfig,
  request: { readonly type: ZtunnelConfigType } & ZtunnelTarget,
  ztunnels: readonly ZtunnelPod[],
  deps: CommandDeps,
): Promise<Result<{ read: ZtunnelPod[]; filter: { name: string; namespace: string } | null }, string>> {
  const onNode = (node: string) => ztunnels.find((pod) => pod.node === node && pod.ready) ?? ztunnels.find((pod) => pod.node === node);
  const nodes = () => {
    const all = [...new Set(ztunnels.map((pod) => pod.node))];
    return all.length > NODES_NAMED ? `${all.slice(0, NODES_NAMED).join(', ')} and ${all.length - NODES_NAMED} more` : all.join(', ');
  };
  if (request.node !== undefined) {
    const pod = onNode(request.node);
    return pod ? { ok: true, value: { read: [pod], filter: null } } : { ok: false, error: `No ztunnel runs on node ${request.node}. ztunnels run on: ${nodes()}.` };
  }
  if (request.pod !== undefined) {
    const { name } = request.pod;
    const named = ztunnels.find((pod) => pod.name === name && (request.pod?.namespace === undefined || request.pod.namespace === pod.namespace));
    if (named) return { ok: true, value: { read: [named], filter: null } };
    const namespace = request.pod.namespace ?? target.defaultNamespace;
    const kube = deps.kubeFor(target);
    if (!kube.ok) return { ok: false, error: `Kubernetes API: ${kube.error.message}` };
    const node = await readPodNode(kube.value, name, namespace);
    if (!node.ok) return { ok: false, error: `Kubernetes API: ${node.error.message}` };
    if (node.value === null) return { ok: false, error: `Pod ${name} was not found in namespace ${namespace}. Check the name with \`kubectl get pods -n ${namespace}\`.` };
    if (node.value.node === '') return { ok: false, error: `Pod ${name}.${namespace} is not scheduled to a node yet, so no ztunnel serves it.` };
    const pod = onNode(node.value.node);
    if (!pod) return { ok: false, error: `Pod ${name}.${namespace} runs on node ${node.value.node}, where no ztunnel runs: its traffic is not captured. ztunnels run on: ${nodes()}.` };
    return { ok: true, value: { read: [pod], filter: { name, namespace } } };
  }
  const ordered = [...ztunnels].sort((a, b) => Number(b.ready) - Number(a.ready));
  if (request.type === 'certificates') return { ok: true, value: { read: ordered.slice(0, CERTIFICATE_ZTUNNELS_READ), filter: null } };
  return { ok: true, value: { read: ordered.slice(0, 1), filter: null } };
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const DAY_MS = 86_400_000;

/**
 * ztunnel's identity certificate (`Leaf`) is refreshed at half its life like a sidecar's (certificate-health.ts).
 * Everything istioctl 1.22+ prints behind it is a CA: `Intermediate` (a plugged-in `cacerts` chain) and `Root`
 * (istioctl/pkg/writer/ztunnel/configdump/certificates.go), rotated by people and judged by the CA thresholds. An
 * intermediate living no longer than caWarnDays is rotated by software (cert-manager's istio-csr, SPIRE), as
 * withPluggedInCas says for `pc secret`, and would always look like it expires soon: it is judged as a certificate
 * Istio serves but someone else renews.
 */
function certificateRole(certificate: ZtunnelCertificate, ca: CaThresholds): CertificateRole {
  if (certificate.type === 'Intermediate') {
    const lifetimeMs = Date.parse(certificate.notAfter) - Date.parse(certificate.notBefore);
    return lifetimeMs > ca.caWarnDays * DAY_MS ? 'ca' : 'other';
  }
  if (certificate.type === 'Root' || certificate.type === 'CA') return 'ca';
  return 'workload';
}

/**
 * What to do about an identity whose certificate ztunnel does not hold: `Initializing` (ztunnel is asking istiod for
 * it) or `Unavailable` (asking failed). The general "no certificate yet" advice is a WARMING Envoy secret's.
 */
const NOT_AVAILABLE_ACTIONS: Readonly<Record<string, string>> = {
  Initializing: 'ztunnel is still getting this certificate from istiod: if it stays so, check that ztunnel reaches istiod (`/mesh status`) and look for certificate errors in the ztunnel log',
  Unavailable: 'ztunnel could not get this certificate from istiod: look for certificate errors in the ztunnel log and check that istiod is healthy (`/mesh status`)',
};
const NOT_AVAILABLE_ACTION = 'ztunnel holds no certificate for this identity: look for certificate errors in the ztunnel log and check that istiod is healthy (`/mesh status`)';

export function judgeZtunnelCertificates(ztunnel: ZtunnelPod, certificates: readonly ZtunnelCertificate[], now: Date, ca: CaThresholds = DEFAULT_CA_THRESHOLDS): ZtunnelCertificates {
  // ztunnel's half-life is fixed in its code: the sidecar agents' grace ratio the config may set is not ztunnel's.
  const thresholds: CaThresholds = { caWarnDays: ca.caWarnDays, caCriticalDays: ca.caCriticalDays, workloadGraceRatio: ISTIO_GRACE_PERIOD_RATIO };
  const rows = certificates.map((certificate): CertificateRow => {
    const judged = judgeCertificate({ role: certificateRole(certificate, ca), notBefore: certificate.notBefore, notAfter: certificate.notAfter }, now, thresholds);
    const health = judged.state === 'missing' ? { ...judged, action: NOT_AVAILABLE_ACTIONS[certificate.status] ?? NOT_AVAILABLE_ACTION } : judged;
    return { ...certificate, daysRemaining: health.remainingMs === null ? null : Math.floor(health.remainingMs / DAY_MS), health };
  });
  // Roots count: ztunnel verifies its peers with them, so an expired one is an outage on its node whatever the
  // istio-ca-root-cert ConfigMap says. The digest's ztunnel certificate sample counts them the same way.
  const dated = rows.map((row) => row.notAfter).filter((date) => date !== '').sort((a, b) => Date.parse(a) - Date.parse(b));
  return {
    ztunnel,
    certificates: [...rows].sort(bySeverity),
    earliestNotAfter: dated[0] ?? '',
    notAvailable: rows.filter((row) => row.status !== 'Available'),
  };
}

export interface WorkloadContext {
  readonly ambientNamespaces: ReadonlySet<string> | null;
  readonly gatewayPods: ReadonlyMap<string, GatewayPodKind> | null;
  /** `pod.namespace` of the pods labelled istio.io/dataplane-mode=none (null when they could not be listed). */
  readonly optedOutPods: ReadonlySet<string> | null;
  /** `pod.namespace` of the pods with an injected sidecar, looked up where pods are not captured (absent: not looked up). */
  readonly sidecarPods?: ReadonlySet<string> | null;
}

/**
 * Not captured first (the pods an on-call engineer must fix), then the pods opted out on purpose, then by namespace
 * and pod. A namespace counts as ambient by its label; when the labels cannot be read, a namespace where some pod
 * is HBONE is taken as ambient.
 */
export function judgeWorkloads(workloads: readonly ZtunnelWorkload[], context: WorkloadContext): WorkloadStatus[] {
  const hboneNamespaces = new Set(workloads.filter((row) => row.protocol === 'HBONE').map((row) => row.namespace));
  // A waypoint's pods are named after its Deployment, i.e. the waypoint (`namespace-istio-waypoint-d94944bf6-z89g2`
  // in the corpus): this catches them even when pod labels could not be read.
  const waypointPrefixes = new Set(workloads.flatMap((row) => (row.waypoint === null ? [] : [`${row.namespace}/${row.waypoint}-`])));
  const isWaypointPod = (row: ZtunnelWorkload) => [...waypointPrefixes].some((prefix) => `${row.namespace}/${row.pod}`.startsWith(prefix));
  const statuses = workloads.map((row): WorkloadStatus => {
    const captured = row.protocol !== 'TCP';
    const ambientNamespace = context.ambientNamespaces ? context.ambientNamespaces.has(row.namespace) : null;
    const proxyPod = context.gatewayPods?.get(`${row.pod}.${row.namespace}`) ?? (isWaypointPod(row) ? 'waypoint' : null);
    const inAmbient = ambientNamespace ?? hboneNamespaces.has(row.namespace);
    const uncaptured = !captured && inAmbient && proxyPod === null;
    const sidecar = uncaptured && (context.sidecarPods?.has(`${row.pod}.${row.namespace}`) ?? false);
    const optedOut = uncaptured && !sidecar && (context.optedOutPods?.has(`${row.pod}.${row.namespace}`) ?? false);
    return { ...row, captured, ambientNamespace, proxyPod, notCaptured: uncaptured && !sidecar && !optedOut, optedOut, sidecar };
  });
  return statuses.sort((a, b) => Number(b.notCaptured) - Number(a.notCaptured) || Number(b.optedOut) - Number(a.optedOut) || a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod));
}

function judgeServices(services: readonly ZtunnelService[]): ServiceStatus[] {
  return services
    .map((service) => ({ ...service, endpointsShort: service.endpoints !== null && service.endpoints.ready < service.endpoints.total }))
    .sort((a, b) => Number(b.endpointsShort) - Number(a.endpointsShort) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** What the workloads judgement needs from the Kubernetes API; each part may fail alone (the answer says so). */
async function workloadContext(target: ClusterConfig, deps: CommandDeps, errors: string[]): Promise<WorkloadContext> {
  const kube = deps.kubeFor(target);
  if (!kube.ok) return { ambientNamespaces: null, gatewayPods: null, optedOutPods: null };
  const [namespaces, gateways, optedOut] = await Promise.all([listAmbientNamespaces(kube.value), readGatewayPods(kube.value), listOptedOutPods(kube.value)]);
  if (!namespaces.ok) errors.push(`Kubernetes API: ${namespaces.error.message} (a namespace with an HBONE pod is taken as ambient)`);
  if (!gateways.ok) errors.push(`Kubernetes API: ${gateways.error.message} (waypoint and gateway pods may be listed as not captured)`);
  if (!optedOut.ok) errors.push(`Kubernetes API: ${optedOut.error.message} (pods opted out with istio.io/dataplane-mode=none may be listed as not captured)`);
  return { ambientNamespaces: namespaces.ok ? namespaces.value : null, gatewayPods: gateways.ok ? gateways.value : null, optedOutPods: optedOut.ok ? optedOut.value : null };
}

/**
 * The context with the pods that run a sidecar, read only in the namespaces where some pod would otherwise count as
 * not captured (one label-selected pod list each), so a mesh of many sidecars is never listed whole. Exported for
 * every judge of workloads (zc and the digest must agree on which pods are not captured).
 */
export async function withSidecarPods(target: ClusterConfig, deps: CommandDeps, workloads: readonly ZtunnelWorkload[], context: WorkloadContext, errors: string[]): Promise<WorkloadContext> {
  const namespaces = [...new Set(judgeWorkloads(workloads, context).filter((row) => row.notCaptured).map((row) => row.namespace))].sort();
  const kube = deps.kubeFor(target);
  if (namespaces.length === 0 || !kube.ok) return context;
  const lists = await mapLimited(namespaces, CONCURRENT_LISTS, (namespace) => listSidecarPods(kube.value, namespace));
  const failure = lists.find((list) => !list.ok);
  if (failure !== undefined && !failure.ok) errors.push(`Kubernetes API: ${failure.error.message} (pods with a sidecar may be listed as not captured)`);
  return { ...context, sidecarPods: new Set(lists.flatMap((list) => (list.ok ? list.value.map((pod) => `${pod.name}.${pod.namespace}`) : []))) };
}

const PARSE_FAILED = (failure: ParseFailure) => `istioctl: ${parseError(failure).message}`;

export async function readZtunnelConfig(target: ClusterConfig, request: { readonly type: ZtunnelConfigType } & ZtunnelTarget, deps: CommandDeps): Promise<ZtunnelConfigResult> {
  const base: Base = { cluster: target.name, type: request.type, target: { ...(request.pod ? { pod: request.pod } : {}), ...(request.node !== undefined ? { node: request.node } : {}) } };
  const version = await deps.istioctl.clientVersion();
  if (!version.ok) return failed(base, deps, `istioctl: ${version.error.message}`);
  const istioctlVersion = version.value.version;
  if (!hasZtunnelConfig(version.value.minor)) return failed(base, deps, ztunnelConfigMissing(istioctlVersion), { istioctlVersion });

  const kube = deps.kubeFor(target);
  if (!kube.ok) return failed(base, deps, `Kubernetes API: ${kube.error.message}`, { istioctlVersion });
  const ztunnels = await listZtunnelPods(kube.value, target.istioNamespace);
  if (!ztunnels.ok) return failed(base, deps, `Kubernetes API: ${ztunnels.error.message}`, { istioctlVersion });
  if (ztunnels.value.length === 0) {
    return failed(base, deps, 'No ztunnel pods (label app=ztunnel) in any namespace: this mesh does not run ambient mode, so there is no ztunnel configuration to read.', { istioctlVersion });
  }
  const chosen = await chooseZtunnels(target, request, ztunnels.value, deps);
  if (!chosen.ok) return failed(base, deps, chosen.error, { istioctlVersion, ztunnelCount: ztunnels.value.length });
  const { read: asked, filter } = chosen.value;
  const common = { ...base, read: [], ztunnelCount: ztunnels.value.length, workloadFilter: filter, istioctlVersion };

  const errors: string[] = [];
  const wantsWorkloads = request.type === 'workloads' || request.type === 'all';
  const [outputs, context] = await Promise.all([
    mapLimited(asked, CONCURRENT_READS, (pod) => deps.istioctl.ztunnelConfig(target, { type: request.type, pod: pod.name, namespace: pod.namespace })),
    wantsWorkloads ? workloadContext(target, deps, errors) : Promise.resolve({ ambientNamespaces: null, gatewayPods: null, optedOutPods: null }),
  ]);
  const answered = outputs.flatMap((output, index) => (output.ok ? [{ pod: asked[index] as ZtunnelPod, stdout: output.value.value.stdout, asOf: output.value.asOf }] : []));
  outputs.forEach((output, index) => {
    if (!output.ok) errors.push(`istioctl on ${(asked[index] as ZtunnelPod).name}: ${output.error.message}`);
  });
  const first = answered[0];
  if (first === undefined) return { ...common, asOf: deps.now(), errors, report: null };
  const asOf = answered.reduce((earliest, answer) => (answer.asOf < earliest ? answer.asOf : earliest), first.asOf);
  const now = deps.now();
  const keepWorkload = <T>(rows: readonly T[], name: (row: T) => string) => (filter === null ? rows : rows.filter((row) => name(row) === `${filter.name}.${filter.namespace}`));
  const keepPodRows = (rows: readonly ZtunnelWorkload[]) => keepWorkload(rows, (row) => `${row.pod}.${row.namespace}`);
  const keepConnections = (rows: readonly ZtunnelConnection[]) => keepWorkload(rows, (row) => row.workload);

  const parsedOr = <T>(parsed: Result<T, ParseFailure>, build: (value: T) => ZtunnelReport): ZtunnelConfigResult =>
    parsed.ok ? { ...common, read: [first.pod], asOf, errors, report: build(parsed.value) } : { ...common, asOf, errors: [...errors, PARSE_FAILED(parsed.error)], report: null };
  const judged = async (rows: readonly ZtunnelWorkload[]) => {
    const kept = keepPodRows(rows);
    return judgeWorkloads(kept, await withSidecarPods(target, deps, kept, context, errors));
  };

  switch (request.type) {
    case 'workloads': {
      const parsed = parseZtunnelWorkloads(first.stdout);
      const workloads = parsed.ok ? await judged(parsed.value) : [];
      return parsedOr(parsed, () => ({ type: 'workloads', workloads }));
    }
    case 'services':
      return parsedOr(parseZtunnelServices(first.stdout), (rows) => ({ type: 'services', services: judgeServices(rows) }));
    case 'policies':
      return parsedOr(parseZtunnelPolicies(first.stdout), (rows) => ({ type: 'policies', policies: rows }));
    case 'connections':
      return parsedOr(parseZtunnelConnections(first.stdout), (rows) => ({ type: 'connections', connections: keepConnections(rows) }));
    case 'certificates': {
      const perZtunnel: ZtunnelCertificates[] = [];
      for (const answer of answered) {
        const parsed = parseZtunnelCertificates(answer.stdout);
        if (parsed.ok) perZtunnel.push(judgeZtunnelCertificates(answer.pod, parsed.value, now, deps.config.certificates));
        else errors.push(`istioctl on ${answer.pod.name}: ${parseError(parsed.error).message}`);
      }
      return { ...common, read: perZtunnel.map((entry) => entry.ztunnel), asOf, errors, report: perZtunnel.length > 0 ? { type: 'certificates', perZtunnel } : null };
    }
    case 'all': {
      const parsed = parseZtunnelAll(first.stdout);
      const workloads = parsed.ok && parsed.value.workloads ? await judged(parsed.value.workloads) : null;
      return parsedOr(parsed, (all) => ({
        type: 'all',
        workloads,
        services: all.services && judgeServices(all.services),
        policies: all.policies,
        perZtunnel: all.certificates ? [judgeZtunnelCertificates(first.pod, all.certificates, now, deps.config.certificates)] : [],
        connections: all.connections && keepConnections(all.connections),
      }));
    }
  }
}
