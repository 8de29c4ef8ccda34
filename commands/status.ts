import { defineCommand, type CommandDeps, type CommandResult, type Invocation } from '../src/command.ts';
import type { ClusterConfig } from '../src/config.ts';
import type { IstioctlError } from '../src/istioctl/errors.ts';
import { CLUSTER_FLAG, clip, NAMESPACE_FLAG, parseArgs } from '../src/grammar.ts';
import { ALL_NAMESPACES_FLAG, scopeFromFlags } from './analyze.ts';
import type { IstiodPod } from '../src/kube/control-plane.ts';
import { answeredIstiods, readIstiods, type EndedIstiodPod } from '../src/kube/control-plane.ts';
import { listAmbientNamespaces, listZtunnelPods, readAmbientDaemonSets, readGatewayPods, type ZtunnelPod } from '../src/kube/ambient.ts';
import { checkNamespace, checkScopeNamespace } from '../src/kube/namespaces.ts';
import { listAllSidecarPods, listSidecarPods, proxyListIsWhole } from '../src/kube/sidecar-pods.ts';
import { keepProblemList } from '../src/mesh/status-lists.ts';
import { summarizeStatus, type StatusSummary } from '../src/mesh/status.ts';
import { err, ok } from '../src/result.ts';
import { namespaceMissingResult } from './namespace-missing.ts';
import { PROBLEMS_SHOWN, renderProblemList, renderStatusJson, renderStatusSlack, renderStatusText } from './status.render.ts';

export interface StatusArgs {
  readonly namespace: string | undefined;
  readonly cluster: string | undefined;
}

export interface StatusResult {
  readonly cluster: string;
  readonly asOf: Date;
  readonly errors: readonly string[];
  readonly summary: StatusSummary;
  readonly istioctlVersion: string | undefined;
  /** Set when `-n` names a namespace the API server says does not exist: the whole answer is this sentence. */
  readonly namespaceMissing?: string;
}

/**
 * The runner's sentences are written for any command; three say more for status:
 * - `status -n NS` reads the mesh-wide proxy-status and filters it itself, so the advice for too much output (narrow
 *   it with `-n`) cannot help; only a higher `istioctl.maxOutput` does.
 * - with `clusters[].xdsAddress` istioctl dials that address instead of istiod pods in the Istio namespace, so an
 *   unanswered dial is about the address (DNS, network, TLS), with istioctl's own reason.
 * - otherwise istioctl port-forwards to each istiod pod (multixds), so a port-forward failure is about those pods.
 */
function statusIstioctlMessage(error: IstioctlError, target: ClusterConfig): string {
  if (error.kind === 'output-too-large') {
    return 'istioctl proxy-status printed more than mesh-bot reads; status always reads the whole mesh and applies `-n` itself, so raise `istioctl.maxOutput` in the mesh-bot config file.';
  }
  if (error.kind === 'xds-unreachable' && target.xdsAddress !== undefined) {
    return `istiod at ${target.xdsAddress} (clusters[].xdsAddress of ${target.name}) did not answer the xDS status request: ${error.detail}. Check that address and that mesh-bot can reach it, then try again.`;
  }
  if (error.kind === 'port-forward' && target.xdsAddress === undefined) {
    return `Port-forwarding to the istiod pods in ${target.istioNamespace} failed: ${error.detail}. Check those pods (\`kubectl -n ${target.istioNamespace} get pods -l app=istiod\`) and that mesh-bot may create \`pods/portforward\` there, then try again.`;
  }
  return error.message;
}

/** Reads proxy sync state (istioctl) and istiod pods (Kubernetes API) side by side; either may fail alone. */
export async function readStatus(target: ClusterConfig, namespace: string | undefined, deps: CommandDeps): Promise<StatusResult> {
  const kube = deps.kubeFor(target);
  const [proxyStatus, istiodPods, version, namespaceState, daemonSets, gatewayPods, sidecarPods, ambientNamespaces] = await Promise.all([
    deps.istioctl.proxyStatus(target),
    kube.ok ? readIstiods(kube.value, target.istioNamespace) : Promise.resolve(kube),
    deps.istioctl.clientVersion(),
    checkScopeNamespace(kube, namespace),
    kube.ok ? readAmbientDaemonSets(kube.value, target.istioNamespace) : Promise.resolve(kube),
    kube.ok ? readGatewayPods(kube.value) : Promise.resolve(kube),
    // The injected pods (of the namespace, or of the whole cluster) tell the sidecars istiod does not list.
    kube.ok && proxyListIsWhole(target) ? (namespace !== undefined ? listSidecarPods(kube.value, namespace) : listAllSidecarPods(kube.value)) : Promise.resolve(null),
    // Namespaces labelled ambient in a cluster that runs no ztunnel are no healthy mesh (one label-selected list; the
    // ClusterRole lets mesh-bot list namespaces for analyze). Unread, `ambientWithoutZtunnel` is null: not compared.
    kube.ok ? listAmbientNamespaces(kube.value) : Promise.resolve(null),
  ]);

  let istiods: readonly IstiodPod[] | null = null;
  let endedIstiods: readonly EndedIstiodPod[] = [];
  if (istiodPods.ok) ({ current: istiods, ended: endedIstiods } = istiodPods.value);
  // Without the DaemonSets, the ztunnel pods still tell how many ztunnels run and are ready (not on which nodes none runs).
  const pods = !daemonSets.ok && kube.ok ? await listZtunnelPods(kube.value, target.istioNamespace) : null;
  const ztunnelPods: readonly ZtunnelPod[] | null = pods?.ok ? pods.value : null;

  if (target.xdsAddress !== undefined && istiods !== null && istiods.length === 0 && proxyStatus.ok) istiods = answeredIstiods(target.xdsAddress, proxyStatus.value.value.istiods);

  const controlPlaneMissing = !proxyStatus.ok && proxyStatus.error.kind === 'no-control-plane';
  // No istiod where mesh-bot looks: when that namespace does not even exist, Istio runs elsewhere (or not at all in this
  // cluster), and "check the pods there" would send the on-call to an empty namespace.
  const istioNamespaceMissing = controlPlaneMissing && kube.ok && istiods?.length === 0 && (await checkNamespace(kube.value, target.istioNamespace)).kind === 'missing';
  const summary = summarizeStatus({
    report: proxyStatus.ok ? proxyStatus.value.value : null,
    istiods,
    endedIstiods,
    namespace,
    controlPlaneMissing,
    namespaceUnchecked: namespaceState.kind === 'unknown',
    ...(gatewayPods.ok ? { gatewayPods: gatewayPods.value } : {}),
    ambientDaemonSets: daemonSets.ok ? daemonSets.value : null,
    ztunnelPods,
    istioNamespace: target.istioNamespace,
    sidecarPods: sidecarPods?.ok ? sidecarPods.value : null,
    ...(proxyStatus.ok ? { readAt: proxyStatus.value.asOf } : {}),
    ambientNamespaces: ambientNamespaces?.ok ? ambientNamespaces.value : null,
  });

  // The most important first: a kubeconfig mesh-bot cannot use explains everything (istioctl uses it too); else the
  // proxy list decides most of the answer, then the istiod pods, then the parts that only narrow it. Each read alone
  // may fail (RBAC of an older install): the rest of the answer stands, the error says what is missing. When the API
  // did not answer the istiod read either, that one error says it all.
  const errors: string[] = [];
  if (!kube.ok) errors.push(`Kubernetes API: ${kube.error.message}`);
  if (istioNamespaceMissing) {
    errors.push(`Kubernetes API: no istiod found: the Istio namespace ${target.istioNamespace} does not exist in cluster ${target.name}. Set clusters[].istioNamespace in the mesh-bot config file to the namespace istiod runs in, or pick the cluster with --cluster.`);
  } else if (!proxyStatus.ok) errors.push(`istioctl: ${statusIstioctlMessage(proxyStatus.error, target)}`);
  if (kube.ok && !istiodPods.ok) errors.push(`Kubernetes API: ${istiodPods.error.message}`);
  if (istiodPods.ok) {
    if (namespace !== undefined && namespaceState.kind === 'unknown' && summary.proxies?.total === 0) {
      errors.push(`Kubernetes API: could not check that namespace ${namespace} exists, so "no proxies" there may be a mistyped name (${namespaceState.reason})`);
    }
    // A mesh without any ztunnel (none connected, no ztunnel pod in any namespace) needs neither DaemonSet.
    if (!daemonSets.ok && (summary.ambient !== null || ztunnelPods === null)) {
      const fallback = ztunnelPods === null || ztunnelPods.length === 0 ? 'ztunnel and istio-cni readiness unknown' : 'ztunnels counted from their pods; nodes without one, and istio-cni readiness, unknown';
      errors.push(`Kubernetes API: ${daemonSets.error.message} (${fallback})`);
      if (pods && !pods.ok) errors.push(`Kubernetes API: ${pods.error.message}`);
    }
    if (!gatewayPods.ok) errors.push(`Kubernetes API: ${gatewayPods.error.message} (waypoints and gateways told apart by pod name)`);
    if (sidecarPods && !sidecarPods.ok && namespaceState.kind !== 'missing') errors.push(`Kubernetes API: ${sidecarPods.error.message} (sidecars that lost their connection to istiod are not seen)`);
  }
  // A namespace this cluster's API does not know can still hold proxies istioctl lists: a primary's istiod serves its
  // remote clusters' proxies too. Those prove it is no typo.
  const missing = namespaceState.kind === 'missing' && (summary.proxies?.total ?? 0) === 0 ? namespaceState.message : undefined;
  return {
    cluster: target.name,
    asOf: proxyStatus.ok ? proxyStatus.value.asOf : deps.now(),
    errors: missing !== undefined ? [missing] : errors,
    summary,
    istioctlVersion: version.ok ? version.value.version : undefined,
    ...(missing !== undefined ? { namespaceMissing: missing } : {}),
  };
}

export function statusResult(result: StatusResult): CommandResult {
  if (result.namespaceMissing !== undefined) {
    return namespaceMissingResult({ command: 'status', cluster: result.cluster, asOf: result.asOf, message: result.namespaceMissing, json: () => renderStatusJson(result) });
  }
  return {
    envelope: { command: 'status', cluster: result.cluster, asOf: result.asOf, errors: result.errors },
    failed: result.summary.proxies === null && result.summary.controlPlane.istiods === null,
    incomplete: result.summary.verdict === 'unknown',
    toJson: () => renderStatusJson(result),
    toText: () => renderStatusText(result),
    toSlack: () => renderStatusSlack(result),
  };
}

/**
 * A Slack card lists the worst proxies and offers the rest behind a button; the rest is kept with the run so the
 * click shows what the card was made from. A failure to keep it only costs the click a fresh run, said there.
 */
async function keepListForButton(result: StatusResult, deps: CommandDeps, invocation: Invocation): Promise<void> {
  const problems = result.summary.proxies?.problems ?? [];
  if (invocation.surface !== 'slack' || problems.length <= PROBLEMS_SHOWN) return;
  const store = deps.state();
  const kept = store.ok
    ? await keepProblemList(store.value, { cluster: result.cluster, namespace: result.summary.namespace }, { asOf: result.asOf.toISOString(), count: problems.length, text: renderProblemList(result) })
    : err(store.error.message);
  if (!kept.ok) deps.logger.warn({ cluster: result.cluster, reason: kept.error }, 'could not keep the problem list for "Show all problem proxies"; a click will read a new run');
}

export const statusCommand = defineCommand<StatusArgs>({
  name: 'status',
  aliases: ['ps'],
  usage: 'status [-n NAMESPACE] [--cluster NAME]',
  summary: 'control plane health and every proxy’s xDS sync state',
  role: 'reader',
  parse(tokens) {
    // `-A` (kubectl's habit for "everywhere") is what status does without `-n`: the whole mesh.
    const parsed = parseArgs(tokens, [NAMESPACE_FLAG, ALL_NAMESPACES_FLAG, CLUSTER_FLAG]);
    if (!parsed.ok) return parsed;
    const [extra] = parsed.value.positionals;
    if (extra !== undefined) return err(`unexpected argument "${clip(extra)}"`);
    const scope = scopeFromFlags(parsed.value.flags);
    if (!scope.ok) return scope;
    const namespace = parsed.value.flags.get('namespace');
    const cluster = parsed.value.flags.get('cluster');
    return ok({ namespace: typeof namespace === 'string' ? namespace : undefined, cluster: typeof cluster === 'string' ? cluster : undefined });
  },
  async execute(args, target, deps, invocation) {
    // Twenty people asking at once during an incident make one set of Kubernetes reads (and one istioctl run).
    const read = () => readStatus(target, args.namespace, deps);
    const result = await (deps.inFlight ? deps.inFlight(`status ${target.name} ${args.namespace ?? ''}`, read) : read());
    await keepListForButton(result, deps, invocation);
    return statusResult(result);
  },
});
