import type { KnownBlock } from '@slack/types';
import { clockTime } from '../src/command.ts';
import type { SyncState } from '../src/istioctl/types.ts';
import type { ProblemProxy, StatusSummary, StatusVerdict } from '../src/mesh/status.ts';
import { actions, button, context, escapeMrkdwn, fields, header, message, section, type SlackMessage } from '../src/slack/blocks.ts';
import type { StatusResult } from './status.ts';

export const SHOW_PROBLEMS_ACTION = 'status_show_problems';
const WORST_SHOWN = 8;
const STATE_ORDER: readonly SyncState[] = ['SYNCED', 'STALE', 'ERROR', 'NOT SENT', 'IGNORED'];

const VERDICT_LABEL: Readonly<Record<StatusVerdict, string>> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  'control-plane-down': 'Control plane down',
  unknown: 'Unknown',
};

const VERDICT_ICON: Readonly<Record<StatusVerdict, string>> = {
  healthy: ':large_green_circle:',
  degraded: ':large_yellow_circle:',
  'control-plane-down': ':red_circle:',
  unknown: ':white_circle:',
};

function scope(result: StatusResult): string {
  return result.summary.namespace === undefined ? result.cluster : `${result.cluster}/${result.summary.namespace}`;
}

/** The one line that notifications show: verdict, the numbers that matter, freshness. */
export function statusHeadline(result: StatusResult): string {
  const { summary } = result;
  const parts = [`${scope(result)}: ${VERDICT_LABEL[summary.verdict].toLowerCase()}`];
  if (summary.proxies) {
    const { total, stale, error } = summary.proxies;
    parts.push(stale + error === 0 ? `${total} proxies, all in sync` : `${stale} of ${total} proxies STALE, ${error} ERROR`);
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

function proxiesLine(summary: StatusSummary): string {
  const proxies = summary.proxies;
  if (!proxies) return 'unavailable';
  if (!proxies.statesKnown && proxies.total > 0) return `${proxies.total} connected (this istioctl shows no per-type sync states)`;
  return `${proxies.total} total · ${proxies.healthy} healthy · ${proxies.stale} STALE · ${proxies.error} ERROR`;
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

function skewLines(summary: StatusSummary): string[] {
  const { controlPlane, mismatched } = summary.skew;
  if (controlPlane.length === 0) return ['istiod version unknown'];
  const lines = [`istiod ${controlPlane.join(', ')}`];
  if (mismatched.length === 0) lines.push('every proxy runs a matching minor version');
  for (const { version, count } of mismatched.slice(0, 5)) lines.push(`${count} ${count === 1 ? 'proxy runs' : 'proxies run'} ${version}`);
  if (mismatched.length > 5) lines.push(`…and ${mismatched.length - 5} more versions`);
  return lines;
}

export function describeProblem(problem: ProblemProxy): string {
  const states = [...problem.errored.map((type) => `${type} ERROR`), ...problem.stale.map((type) => `${type} STALE`)].join(', ');
  const where = [problem.cluster, problem.istiod].filter((part) => part !== '').join(' via ');
  return `${problem.name}: ${states}${where ? ` (${where})` : ''}`;
}

function istiodLines(summary: StatusSummary): string[] {
  const istiods = summary.controlPlane.istiods;
  if (istiods === null) return [];
  return istiods.map(
    (pod) => `${pod.name}: ${pod.ready ? 'ready' : `NOT READY (${pod.phase}, ${pod.readyContainers}/${pod.totalContainers})`}${pod.version ? `, ${pod.version}` : ''}${pod.restarts > 0 ? `, ${pod.restarts} restarts` : ''}`,
  );
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
    if (istiods.length > 10) shown.push(`…and ${istiods.length - 10} more istiod pods`);
    blocks.push(section(`*istiod pods*\n${shown.join('\n')}`));
  }
  const types = typeBreakdown(summary);
  if (types.length > 0) blocks.push(section(`*xDS sync by type*\n${types.map((line) => `• ${escapeMrkdwn(line)}`).join('\n')}`));
  blocks.push(section(`*Versions*\n${skewLines(summary).map((line) => `• ${escapeMrkdwn(line)}`).join('\n')}`));

  const problems = summary.proxies?.problems ?? [];
  if (problems.length > 0) {
    const worst = problems.slice(0, WORST_SHOWN).map((problem) => `• \`${escapeMrkdwn(problem.name)}\` ${escapeMrkdwn(describeProblem(problem).slice(problem.name.length + 2))}`);
    const more = problems.length > WORST_SHOWN ? `\n…and ${problems.length - WORST_SHOWN} more` : '';
    blocks.push(section(`*Worst problem proxies*\n${worst.join('\n')}${more}`));
    blocks.push(
      actions('status_actions', [
        button({
          text: `Show all problem proxies (${problems.length})`,
          actionId: SHOW_PROBLEMS_ACTION,
          value: JSON.stringify({ cluster: result.cluster, namespace: summary.namespace ?? null }),
        }),
      ]),
    );
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
    ...typeBreakdown(summary).map((line) => `  ${line}`),
    'Versions:',
    ...skewLines(summary).map((line) => `  ${line}`),
  ];
  const problems = summary.proxies?.problems ?? [];
  if (problems.length > 0) {
    lines.push(`Problem proxies (${problems.length}):`);
    for (const problem of problems) lines.push(`  ${describeProblem(problem)}`);
  }
  for (const error of result.errors) lines.push(`Error: ${error}`);
  return `${lines.join('\n')}\n`;
}

export function renderStatusJson(result: StatusResult): Record<string, unknown> {
  const { summary } = result;
  return {
    command: 'status',
    cluster: result.cluster,
    namespace: summary.namespace ?? null,
    asOf: result.asOf.toISOString(),
    errors: result.errors,
    verdict: summary.verdict,
    proxies: summary.proxies
      ? {
          total: summary.proxies.total,
          healthy: summary.proxies.healthy,
          stale: summary.proxies.stale,
          error: summary.proxies.error,
          statesKnown: summary.proxies.statesKnown,
          byVersion: summary.proxies.byVersion,
          byType: summary.proxies.byType,
          problems: summary.proxies.problems.map((problem) => ({ name: problem.name, cluster: problem.cluster, istiod: problem.istiod, states: problem.states })),
        }
      : null,
    controlPlane: {
      istiods: (summary.controlPlane.istiods ?? []).map((pod) => ({ name: pod.name, ready: pod.ready, version: pod.version, restarts: pod.restarts })),
      available: summary.controlPlane.istiods !== null,
    },
    versionSkew: summary.skew,
    istioctlVersion: result.istioctlVersion ?? null,
  };
}

/** The full problem list for a thread reply or an uploaded file. */
export function renderProblemList(result: StatusResult): string {
  const problems = result.summary.proxies?.problems ?? [];
  const lines = [`Problem proxies in ${scope(result)} (${problems.length}), as of ${clockTime(result.asOf)}:`];
  for (const problem of problems) lines.push(describeProblem(problem));
  return lines.join('\n');
}
