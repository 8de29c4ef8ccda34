import type { KnownBlock } from '@slack/types';
import { clockTime } from '../src/command.ts';
import type { SyncState } from '../src/istioctl/types.ts';
import { describeEndedIstiod } from '../src/kube/control-plane.ts';
import { minorOf, type ProblemProxy, type StatusSummary, type StatusVerdict } from '../src/mesh/status.ts';
import { PROXY_KINDS, type AmbientSummary } from '../src/mesh/ztunnel-status.ts';
import { actions, button, context, escapeMrkdwn, fields, header, message, section, type SlackMessage } from '../src/slack/blocks.ts';
import { counted } from '../src/words.ts';
import type { StatusResult } from './status.ts';

export const SHOW_PROBLEMS_ACTION = 'status_show_problems';
/** Problem proxies listed on the card; beyond that the card offers the full list of the same run. */
export const PROBLEMS_SHOWN = 8;
/** Proxies named per old version before "and N more". */
const SKEWED_NAMED = 3;
const STATE_ORDER: readonly SyncState[] = ['SYNCED', 'STALE', 'ERROR', 'NOT SENT', 'IGNORED'];

const VERDICT_LABEL: Readonly<Record<StatusVerdict, string>> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  'control-plane-down': 'Control plane down',
  'no-proxies': 'No proxies',
  unknown: 'Unknown',
};

const VERDICT_ICON: Readonly<Record<StatusVerdict, string>> = {
  healthy: ':large_green_circle:',
  degraded: ':large_yellow_circle:',
  'control-plane-down': ':red_circle:',
  'no-proxies': ':white_circle:',
  unknown: ':white_circle:',
};

function scope(result: StatusResult): string {
  return result.summary.namespace === undefined ? result.cluster : `${result.cluster}/${result.summary.namespace}`;
}

/** The one line that notifications show: verdict, the numbers that matter, freshness. */
export function statusHeadline(result: StatusResult): string {
  const { summary } = result;
  const parts = summary.verdict === 'no-proxies' ? [`${scope(result)}: ${noProxies(summary)}`] : [`${scope(result)}: ${VERDICT_LABEL[summary.verdict].toLowerCase()}`];
  if (summary.proxies) {
    const { total, stale, error } = summary.proxies;
    if (total > 0 && !summary.proxies.statesKnown) parts.push(`${counted(total, 'proxy', 'proxies')}, sync state not shown by this istioctl`);
    else if (total > 0) parts.push(stale + error === 0 ? `${counted(total, 'proxy', 'proxies')}, all in sync` : `${stale} of ${counted(total, 'proxy', 'proxies')} STALE, ${error} ERROR`);
    else if (summary.verdict !== 'no-proxies') parts.push(noProxies(summary));
    const lost = summary.notConnected?.length ?? 0;
    if (lost > 0 && total > 0) parts.push(notConnectedLine(lost));
    const withoutZtunnel = summary.ambientWithoutZtunnel?.length ?? 0;
    if (withoutZtunnel > 0) parts.push(`no ztunnel for ${counted(withoutZtunnel, 'ambient namespace')}`);
  } else {
    parts.push('proxy sync state unavailable');
  }
  parts.push(controlPlaneLine(summary));
  return `${parts.join(' — ')} (as of ${clockTime(result.asOf)})`;
}

function controlPlaneLine(summary: StatusSummary): string {
  const istiods = summary.controlPlane.istiods;
  if (istiods === null) return summary.controlPlaneMissing ? 'no istiod running' : 'istiod pods unknown';
  if (istiods.length === 0) return 'no istiod pods';
  return `istiod ${summary.controlPlane.ready}/${istiods.length} ready`;
}

function noProxies(summary: StatusSummary): string {
  // ztunnels running without istiod are no empty mesh: say what is missing.
  const ready = summary.ambient?.ztunnels?.ready ?? summary.ambient?.ztunnelPods?.ready ?? 0;
  if ((summary.ambient?.notConnected ?? 0) > 0) return `no proxy connected to istiod, though ${counted(ready, 'ztunnel')} ${ready === 1 ? 'is' : 'are'} ready`;
  const lost = summary.notConnected?.length ?? 0;
  if (lost > 0) return `no proxy connected to istiod, though ${counted(lost, 'pod')} with a ready sidecar ${lost === 1 ? 'runs' : 'run'} ${summary.namespace === undefined ? 'in the cluster' : `in namespace ${summary.namespace}`}`;
  if (summary.namespace === undefined) return 'no proxies in the mesh';
  // Unknown with no proxy in scope: the namespace itself could not be confirmed (it may be a mistyped name).
  return summary.verdict === 'unknown' ? `no proxies found in namespace ${summary.namespace}, which the Kubernetes API could not confirm exists` : `no proxies in namespace ${summary.namespace}`;
}

/** `3 sidecars not connected to istiod`: pods whose sidecar was Ready before proxy-status ran, and that no istiod lists. */
function notConnectedLine(count: number): string {
  return `${counted(count, 'sidecar')} not connected to istiod`;
}

/** Namespaces labelled ambient while the cluster runs no ztunnel: the one ambient line of an answer without ztunnels. */
function noZtunnelLine(summary: StatusSummary): string | null {
  const namespaces = summary.ambientWithoutZtunnel ?? [];
  if (namespaces.length === 0) return null;
  return `no ztunnel runs in this cluster, yet ${namespaces.length === 1 ? 'namespace' : 'namespaces'} ${namespaces.join(', ')} ${namespaces.length === 1 ? 'is' : 'are'} labelled istio.io/dataplane-mode=ambient: ${namespaces.length === 1 ? 'its' : 'their'} pods have no ztunnel to carry their traffic (no mTLS, no policy). Install ztunnel and istio-cni, or remove the label`;
}

/** The pods behind notConnectedLine, for the card, the terminal and the full list. */
function notConnectedLines(summary: StatusSummary): string[] {
  const names = summary.notConnected ?? [];
  if (names.length === 0) return [];
  return [`${notConnectedLine(names.length)} (Ready before the proxy list was read, yet no istiod lists them; check their istio-proxy logs):`, ...names];
}

function proxiesLine(summary: StatusSummary): string {
  const proxies = summary.proxies;
  if (!proxies) return 'unavailable';
  if (proxies.total === 0) return noProxies(summary);
  if (!proxies.statesKnown && proxies.total > 0) return `${proxies.total} connected (this istioctl shows no per-type sync states)`;
  const lost = summary.notConnected?.length ?? 0;
  return `${proxies.total} total · ${proxies.healthy} healthy · ${proxies.stale} STALE · ${proxies.error} ERROR${lost > 0 ? ` · ${notConnectedLine(lost)}` : ''}`;
}

const KIND_WORDS = { sidecar: ['sidecar', 'sidecars'], waypoint: ['waypoint', 'waypoints'], ztunnel: ['ztunnel', 'ztunnels'], gateway: ['gateway', 'gateways'] } as const;

/** `12 sidecars · 2 waypoints · 3 ztunnels`; null when every proxy is a sidecar (nothing to tell apart). */
function kindsLine(summary: StatusSummary): string | null {
  const byKind = summary.proxies?.byKind;
  if (!byKind || byKind.sidecar === (summary.proxies?.total ?? 0)) return null;
  return PROXY_KINDS.filter((kind) => byKind[kind] > 0)
    .map((kind) => counted(byKind[kind], KIND_WORDS[kind][0], KIND_WORDS[kind][1]))
    .join(' · ');
}

/** ztunnels and the istio-cni node agent: readiness from their DaemonSets, sync from proxy-status. */
function ambientLines(result: StatusResult): string[] {
  const ambient = result.summary.ambient;
  const noZtunnel = noZtunnelLine(result.summary);
  if (ambient === null) return noZtunnel === null ? [] : [noZtunnel];
  const lines: string[] = [];
  const where = (namespace: string) => (ambient.istioNamespace === null || namespace === ambient.istioNamespace ? '' : ` in ${namespace}`);
  if (ambient.ztunnels !== null) {
    const { ready, desired, name, namespace } = ambient.ztunnels;
    lines.push(`ztunnels ${ready}/${desired} ready (DaemonSet ${name}${where(namespace)}, one per node)${ready < desired ? ` — ${desired - ready} node${desired - ready === 1 ? '' : 's'} without a ready ztunnel` : ''}`);
    const unscheduled = ambient.nodesWithoutZtunnel;
    if (unscheduled > 0) lines.push(`${counted(unscheduled, 'node')} ${unscheduled === 1 ? 'runs' : 'run'} the istio-cni agent but ${unscheduled === 1 ? 'is' : 'are'} not scheduled a ztunnel (check the ztunnel DaemonSet's nodeSelector and tolerations): pods there cannot be captured`);
  } else if (ambient.ztunnelPods !== null) {
    const { ready, desired } = ambient.ztunnelPods;
    lines.push(`ztunnel pods ${ready}/${desired} ready (DaemonSet unreadable: a node without any ztunnel pod is not seen)`);
  } else if (ambient.ztunnelDaemonSetMissing) {
    lines.push('no ztunnel DaemonSet in any namespace of this cluster, though ztunnels are connected to istiod');
  } else {
    lines.push('ztunnel readiness unknown (see the error below)');
  }
  if (ambient.cni !== null) {
    const { ready, desired, namespace } = ambient.cni;
    lines.push(`istio-cni node agent ${ready}/${desired} ready${where(namespace)}${ready < desired ? ' — pods on the other nodes cannot be captured' : ''}`);
  } else if (ambient.cniMissing) {
    lines.push('no istio-cni node agent (DaemonSet istio-cni-node) in any namespace: ambient mode needs it on every node, and no new pod can be captured without it');
  } else if (!ambient.daemonSetsRead) {
    lines.push('istio-cni node agent readiness unknown (see the error below)');
  }
  const { connected, synced, problems, stateNotShown } = ambient.sync;
  if (connected > 0) {
    const parts = [`${synced} WDS/WADS SYNCED`];
    if (problems > 0) parts.push(`${problems} STALE or ERROR`);
    if (ambient.sync.notSynced > 0) parts.push(`${ambient.sync.notSynced} not SYNCED (istiod has not sent ${ambient.sync.notSynced === 1 ? 'it' : 'them'} every workload and policy type)`);
    if (stateNotShown > 0) parts.push(`${stateNotShown} not shown by this istioctl (its tables have Envoy columns only; their IGNORED is normal for a ztunnel)`);
    lines.push(`${counted(connected, 'ztunnel')} connected to istiod: ${parts.join(', ')}`);
  }
  if ((ambient.notConnected ?? 0) > 0) {
    const ready = ambient.ztunnels?.ready ?? ambient.ztunnelPods?.ready ?? 0;
    lines.push(`${counted(ready, 'ztunnel')} ready, ${connected} connected to istiod — ${ambient.notConnected} without WDS/WADS from istiod (their nodes' pods get no new workload or policy updates)`);
  }
  if (noZtunnel !== null) lines.push(noZtunnel);
  return lines;
}

function typeBreakdown(summary: StatusSummary): string[] {
  const byType = summary.proxies?.byType ?? {};
  return Object.keys(byType)
    .sort()
    .map((type) => {
      const counts = byType[type] ?? {};
      const parts = STATE_ORDER.filter((state) => (counts[state] ?? 0) > 0).map((state) => `${counts[state]} ${state}`);
      return `${type}: ${parts.join(', ')}`;
    });
}

/** `1 proxy runs 1.27.4: a.shop` / `5 proxies run 1.19: a.shop, b.shop, c.shop and 2 more`. */
function skewedLine(summary: StatusSummary, version: string, count: number): string {
  const names = summary.skewedProxies[version] ?? [];
  const shown = names.slice(0, SKEWED_NAMED).join(', ');
  const more = names.length > SKEWED_NAMED ? ` and ${names.length - SKEWED_NAMED} more` : '';
  return `${counted(count, 'proxy runs', 'proxies run')} ${version}${shown ? `: ${shown}${more}` : ''}`;
}

/** Only what was read: no sentence about proxy versions when the proxies could not be listed. */
function skewLines(summary: StatusSummary): string[] {
  const { controlPlane, mismatched } = summary.skew;
  const lines = [controlPlane.length === 0 ? 'istiod version unknown' : `istiod ${controlPlane.join(', ')}`];
  const proxies = summary.proxies;
  if (proxies === null) return [...lines, 'proxy versions unknown: istioctl proxy-status could not be read'];
  if (proxies.total === 0) return [...lines, 'no proxy versions to compare'];
  if (controlPlane.length === 0) return [...lines, 'proxy versions not compared'];
  const uncomparable = Object.entries(proxies.byVersion).filter(([version]) => minorOf(version) === null).reduce((sum, [, count]) => sum + count, 0);
  if (mismatched.length === 0) {
    lines.push(uncomparable === 0 ? 'every proxy runs a matching minor version' : `every proxy with a known version runs a matching minor version (${counted(uncomparable, 'proxy', 'proxies')} without one)`);
  }
  for (const { version, count } of mismatched.slice(0, 5)) lines.push(skewedLine(summary, version, count));
  if (mismatched.length > 5) lines.push(`…and ${counted(mismatched.length - 5, 'more version')}`);
  return lines;
}

function problemStates(problem: ProblemProxy): string {
  return [...problem.errored.map((type) => `${type} ERROR`), ...problem.stale.map((type) => `${type} STALE`)].join(', ');
}

/**
 * One proxy of the full list (thread, file, terminal). The cluster is named once, by mesh-bot's name, in the
 * heading; istioctl's own cluster id (`Kubernetes` in most single-cluster meshes) is detail.
 */
export function describeProblem(problem: ProblemProxy): string {
  const detail = [problem.istiod && `via ${problem.istiod}`, problem.cluster && `istioctl cluster id ${problem.cluster}`].filter((part) => part !== '').join(', ');
  return `${problem.name}: ${problemStates(problem)}${detail ? ` (${detail})` : ''}`;
}

function istiodLines(summary: StatusSummary): string[] {
  const istiods = summary.controlPlane.istiods;
  if (istiods === null) return [];
  return [
    ...istiods.map(
      (pod) => `${pod.name}: ${pod.ready ? 'ready' : `NOT READY (${pod.phase}, ${pod.readyContainers}/${pod.totalContainers})`}${pod.version ? `, ${pod.version}` : ''}${pod.restarts > 0 ? `, ${pod.restarts} restarts` : ''}`,
    ),
    ...summary.controlPlane.ended.map((pod) => `${describeEndedIstiod(pod)}: ended, not counted (the API keeps it until it is deleted)`),
  ];
}

export function renderStatusSlack(result: StatusResult): SlackMessage {
  const { summary } = result;
  const blocks: KnownBlock[] = [
    header(`Mesh status · ${scope(result)}`),
    section(`${VERDICT_ICON[summary.verdict]} *${VERDICT_LABEL[summary.verdict]}*`),
    fields([`*Control plane*\n${escapeMrkdwn(controlPlaneLine(summary))}`, `*Proxies*\n${escapeMrkdwn(proxiesLine(summary))}`]),
  ];
  const istiods = istiodLines(summary);
  if (istiods.length > 0) {
    const shown = istiods.slice(0, 10).map((line) => `• ${escapeMrkdwn(line)}`);
    if (istiods.length > 10) shown.push(`…and ${counted(istiods.length - 10, 'more istiod pod')}`);
    blocks.push(section(`*istiod pods*\n${shown.join('\n')}`));
  }
  const kinds = kindsLine(summary);
  if (kinds !== null) blocks.push(section(`*Proxies by kind*\n${escapeMrkdwn(kinds)}`));
  const ambient = ambientLines(result);
  if (ambient.length > 0) blocks.push(section(`*Ambient*\n${ambient.map((line) => `• ${escapeMrkdwn(line)}`).join('\n')}`));
  const types = typeBreakdown(summary);
  if (types.length > 0) blocks.push(section(`*xDS sync by type*\n${types.map((line) => `• ${escapeMrkdwn(line)}`).join('\n')}`));
  blocks.push(section(`*Versions*\n${skewLines(summary).map((line) => `• ${escapeMrkdwn(line)}`).join('\n')}`));

  const lost = notConnectedLines(summary);
  if (lost.length > 0) {
    const [title = '', ...names] = lost;
    const shown = names.slice(0, PROBLEMS_SHOWN).map((name) => `• \`${escapeMrkdwn(name)}\``);
    if (names.length > PROBLEMS_SHOWN) shown.push(`…and ${names.length - PROBLEMS_SHOWN} more`);
    blocks.push(section(`*${escapeMrkdwn(title)}*\n${shown.join('\n')}`));
  }
  const problems = summary.proxies?.problems ?? [];
  if (problems.length > 0) {
    const listed = problems.slice(0, PROBLEMS_SHOWN).map((problem) => `• \`${escapeMrkdwn(problem.name)}\` ${escapeMrkdwn(problemStates(problem))}${problem.istiod ? ` (via ${escapeMrkdwn(problem.istiod)})` : ''}`);
    const allListed = problems.length <= PROBLEMS_SHOWN;
    const title = allListed ? '*Problem proxies*' : `*Worst problem proxies* (${PROBLEMS_SHOWN} of ${problems.length})`;
    blocks.push(section(`${title}\n${listed.join('\n')}`));
    if (!allListed) {
      blocks.push(
        actions('status_actions', [
          button({
            text: `Show all problem proxies (${problems.length})`,
            actionId: SHOW_PROBLEMS_ACTION,
            value: JSON.stringify({ cluster: result.cluster, namespace: summary.namespace ?? null, asOf: result.asOf.toISOString() }),
          }),
        ]),
      );
    }
  }
  for (const error of result.errors) blocks.push(section(`:warning: ${escapeMrkdwn(error)}`));
  const footer = [`as of ${clockTime(result.asOf)}`];
  if (result.istioctlVersion) footer.push(`istioctl ${escapeMrkdwn(result.istioctlVersion)}`);
  blocks.push(context([footer.join(' · ')]));
  return message(statusHeadline(result), blocks);
}

export function renderStatusText(result: StatusResult): string {
  const { summary } = result;
  const lines = [
    `Mesh status: ${scope(result)} — ${VERDICT_LABEL[summary.verdict]} (as of ${clockTime(result.asOf)})`,
    `Control plane: ${controlPlaneLine(summary)}`,
    ...istiodLines(summary).map((line) => `  ${line}`),
    `Proxies: ${proxiesLine(summary)}`,
    ...(kindsLine(summary) === null ? [] : [`  by kind: ${kindsLine(summary)}`]),
    ...typeBreakdown(summary).map((line) => `  ${line}`),
    ...(ambientLines(result).length === 0 ? [] : ['Ambient:', ...ambientLines(result).map((line) => `  ${line}`)]),
    'Versions:',
    ...skewLines(summary).map((line) => `  ${line}`),
  ];
  const [lostTitle, ...lostNames] = notConnectedLines(summary);
  if (lostTitle !== undefined) lines.push(lostTitle, ...lostNames.map((name) => `  ${name}`));
  const problems = summary.proxies?.problems ?? [];
  if (problems.length > 0) {
    lines.push(`Problem proxies (${problems.length}):`);
    for (const problem of problems) lines.push(`  ${describeProblem(problem)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderStatusJson(result: StatusResult): Record<string, unknown> {
  const { summary } = result;
  // A namespace that does not exist has no verdict and no proxies, not "no-proxies".
  const missing = result.namespaceMissing !== undefined;
  return {
    command: 'status',
    cluster: result.cluster,
    namespace: summary.namespace ?? null,
    asOf: result.asOf.toISOString(),
    errors: result.errors,
    verdict: missing ? null : summary.verdict,
    proxies: summary.proxies && !missing
      ? {
          total: summary.proxies.total,
          healthy: summary.proxies.healthy,
          stale: summary.proxies.stale,
          error: summary.proxies.error,
          statesKnown: summary.proxies.statesKnown,
          byVersion: summary.proxies.byVersion,
          byKind: summary.proxies.byKind,
          byType: summary.proxies.byType,
          problems: summary.proxies.problems.map((problem) => ({ name: problem.name, cluster: problem.cluster, istiod: problem.istiod, states: problem.states })),
          // mesh-bot extension, present with `-n` only (the whole mesh's sidecar pods are never listed).
          ...(summary.notConnected !== null ? { notConnected: summary.notConnected } : {}),
        }
      : null,
    controlPlane: {
      istiods: (summary.controlPlane.istiods ?? []).map((pod) => ({ name: pod.name, ready: pod.ready, version: pod.version, restarts: pod.restarts })),
      available: summary.controlPlane.istiods !== null,
      // mesh-bot extension: ended (Evicted…) istiod pods, never counted above.
      ended: summary.controlPlane.ended.map((pod) => ({ name: pod.name, phase: pod.phase, reason: pod.reason, version: pod.version })),
    },
    versionSkew: summary.proxies && !missing ? { ...summary.skew, mismatched: summary.skew.mismatched.map((entry) => ({ ...entry, proxies: summary.skewedProxies[entry.version] ?? [] })) } : null,
    ambient: summary.ambient && !missing
      ? {
          ztunnels: ztunnelsJson(summary.ambient),
          cni: summary.ambient.cni && { desired: summary.ambient.cni.desired, ready: summary.ambient.cni.ready },
          sync: summary.ambient.sync,
          // mesh-bot extensions (docs/CONTRACT.md): where `ztunnels` comes from, whether `cni: null` means "no agent".
          ztunnelsFrom: summary.ambient.ztunnels !== null || summary.ambient.ztunnelDaemonSetMissing ? 'daemonset' : summary.ambient.ztunnelPods !== null ? 'pods' : null,
          daemonSetsRead: summary.ambient.daemonSetsRead,
          notConnected: summary.ambient.notConnected,
          nodesWithoutZtunnel: summary.ambient.nodesWithoutZtunnel,
        }
      : null,
    // mesh-bot extension: namespaces labelled ambient while the cluster runs no ztunnel (`ambient` is then null).
    ambientWithoutZtunnel: missing ? null : summary.ambientWithoutZtunnel,
    istioctlVersion: result.istioctlVersion ?? null,
  };
}

/**
 * DESIGN.md section 5 keeps `ambient.ztunnels` null only for a mesh without ztunnels, so when ztunnels are connected
 * it is always an object: the DaemonSet's counts; none in this cluster: 0/0; DaemonSets unreadable: the pods' counts,
 * or nulls when those could not be read either.
 */
function ztunnelsJson(ambient: AmbientSummary): { desired: number | null; ready: number | null } {
  const counts = ambient.ztunnels ?? ambient.ztunnelPods;
  if (counts !== null) return { desired: counts.desired, ready: counts.ready };
  return ambient.ztunnelDaemonSetMissing ? { desired: 0, ready: 0 } : { desired: null, ready: null };
}

/** The full problem list for a thread reply or an uploaded file. */
export function renderProblemList(result: StatusResult): string {
  const problems = result.summary.proxies?.problems ?? [];
  const lines = [`${counted(problems.length, 'problem proxy', 'problem proxies')} in ${scope(result)}, as of ${clockTime(result.asOf)}:`];
  for (const problem of problems) lines.push(describeProblem(problem));
  return lines.join('\n');
}
