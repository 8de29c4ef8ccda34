import type { KnownBlock } from '@slack/types';
import { clockTime } from '../src/command.ts';
import type { Waypoint, WaypointUserProblem, WaypointUsers } from '../src/mesh/waypoint.ts';
import { context, escapeMrkdwn, header, message, section, truncate, type SlackMessage } from '../src/slack/blocks.ts';
import { counted } from '../src/words.ts';
import { scopeJson, scopeLabel } from './analyze.render.ts';
import type { WaypointResult } from './waypoint.ts';

/** Enough to act on in a channel; the terminal and JSON list every one. */
const WAYPOINTS_SHOWN = 15;
const SERVICES_SHOWN = 10;

/** Said wherever a `none` traffic type is shown: people read it as "this waypoint carries no traffic". */
export const TRAFFIC_TYPE_NONE_NOTE =
  'Traffic type `none` means the Gateway has no `istio.io/waypoint-for` label (istiod then applies its default, service traffic); it does not mean the waypoint carries no traffic.';

function userProblems(result: WaypointResult): readonly WaypointUserProblem[] {
  return result.summary?.users?.problems ?? [];
}

/** Problems a reader must act on: a waypoint outside the scope read is not one. */
function brokenUsers(result: WaypointResult): number {
  return userProblems(result).filter((problem) => problem.problem !== 'not-checked').length;
}

function countsLine(result: WaypointResult): string {
  const summary = result.summary;
  if (!summary) return 'waypoints unavailable';
  const total = summary.waypoints.length;
  const parts = [total === 0 ? 'no waypoints' : summary.notProgrammed > 0 ? `${summary.notProgrammed} of ${counted(total, 'waypoint')} not programmed` : `${counted(total, 'waypoint')}, all programmed`];
  const broken = userProblems(result).filter((problem) => problem.problem !== 'not-checked');
  const namespaces = broken.filter((problem) => problem.labelledOn === 'Namespace').length;
  const services = broken.length - namespaces;
  const who = [services > 0 ? counted(services, 'Service') : '', namespaces > 0 ? counted(namespaces, 'Namespace') : ''].filter((part) => part !== '');
  if (who.length > 0) parts.push(`${who.join(' and ')} with a missing or unprogrammed waypoint`);
  return parts.join('; ');
}

export function waypointHeadline(result: WaypointResult): string {
  return `${scopeLabel(result)}: ${countsLine(result)} (as of ${clockTime(result.asOf)})`;
}

function waypointLine(waypoint: Waypoint): string {
  const parts = [`PROGRAMMED ${waypoint.programmedStatus}`];
  if (waypoint.trafficType !== null) parts.push(`traffic type ${waypoint.trafficType}`);
  if (waypoint.revision !== null) parts.push(`revision ${waypoint.revision}`);
  const why = [waypoint.reason, waypoint.message].filter((part) => part !== '').join(': ');
  return `${waypoint.namespace}/${waypoint.name} — ${parts.join(' · ')}${why === '' ? '' : ` — ${why}`}`;
}

function problemLine(problem: WaypointUserProblem): string {
  const waypoint = `${problem.waypointNamespace}/${problem.waypoint}`;
  const what =
    problem.problem === 'missing'
      ? `waypoint ${waypoint} does not exist`
      : problem.problem === 'not-programmed'
        ? `waypoint ${waypoint} is not programmed`
        : `waypoint ${waypoint} is in another namespace, not read here (use -A)`;
  if (problem.service === null) return `Namespace ${problem.namespace} (its Services without a label of their own): ${what}`;
  return `Service ${problem.namespace}/${problem.service}: ${what}`;
}

/** `1 Service` or, when Namespaces carry the label too, `1 Service and 2 Namespaces`. */
function labelledCounts(users: WaypointUsers): string {
  const services = counted(users.labelled, 'Service');
  return users.labelledNamespaces > 0 ? `${services} and ${counted(users.labelledNamespaces, 'Namespace')}` : services;
}

function hasNoneTraffic(result: WaypointResult): boolean {
  return (result.summary?.waypoints ?? []).some((waypoint) => waypoint.trafficType === 'none');
}

export function renderWaypointSlack(result: WaypointResult): SlackMessage {
  const summary = result.summary;
  const blocks: KnownBlock[] = [header(`Waypoints · ${scopeLabel(result)}`)];
  if (summary) {
    const bad = summary.notProgrammed > 0 || brokenUsers(result) > 0;
    const scopeNote = result.namespaceDefaulted && result.scope.kind === 'namespace' ? `\n_Namespace \`${escapeMrkdwn(result.scope.namespace)}\` (no \`-n\` given); use \`-A\` for the whole mesh._` : '';
    blocks.push(section(`${bad ? ':red_circle:' : ':large_green_circle:'} *${escapeMrkdwn(countsLine(result))}*${scopeNote}`));
  }
  if (result.note) blocks.push(context([escapeMrkdwn(result.note)]));
  for (const error of result.errors) blocks.push(section(`:warning: ${escapeMrkdwn(truncate(error, 1000))}`));
  if (summary && summary.waypoints.length > 0) {
    const lines = summary.waypoints.slice(0, WAYPOINTS_SHOWN).map((waypoint) => `${waypoint.programmed ? ':large_green_circle:' : ':red_circle:'} ${escapeMrkdwn(truncate(waypointLine(waypoint), 300))}`);
    // Not programmed come first, so what is left out is programmed unless more than WAYPOINTS_SHOWN are broken.
    if (summary.waypoints.length > WAYPOINTS_SHOWN) lines.push(`…and ${summary.waypoints.length - WAYPOINTS_SHOWN} more (\`/mesh waypoint -n NAMESPACE\` lists one namespace)`);
    blocks.push(section(lines.join('\n')));
  }
  if (hasNoneTraffic(result)) blocks.push(context([escapeMrkdwn(TRAFFIC_TYPE_NONE_NOTE)]));
  const users = summary?.users;
  if (users) {
    const problems = users.problems;
    if (problems.length > 0) {
      const lines = problems.slice(0, SERVICES_SHOWN).map((problem) => `• ${escapeMrkdwn(truncate(problemLine(problem), 300))}`);
      if (problems.length > SERVICES_SHOWN) lines.push(`…and ${problems.length - SERVICES_SHOWN} more`);
      blocks.push(section([`*Services labelled \`istio.io/use-waypoint\`* (${labelledCounts(users)} in scope)`, ...lines].join('\n')));
    } else {
      blocks.push(context([`${labelledCounts(users)} labelled \`istio.io/use-waypoint\` in scope; every one names a programmed waypoint.`]));
    }
  }
  const footer = [`as of ${clockTime(result.asOf)}`];
  if (result.istioctlVersion) footer.push(`istioctl ${escapeMrkdwn(result.istioctlVersion)} \`waypoint ${result.ran ?? result.action}\``);
  blocks.push(context([footer.join(' · ')]));
  return message(waypointHeadline(result), blocks);
}

export function renderWaypointText(result: WaypointResult): string {
  const lines = [`Waypoints: ${waypointHeadline(result)}`];
  if (result.namespaceDefaulted && result.scope.kind === 'namespace') lines.push(`Namespace ${result.scope.namespace} (no -n given); use -A for the whole mesh.`);
  if (result.note) lines.push(result.note);
  for (const waypoint of result.summary?.waypoints ?? []) lines.push(`  ${waypoint.programmed ? 'ok ' : 'NOT'} ${waypointLine(waypoint)}`);
  if (hasNoneTraffic(result)) lines.push(TRAFFIC_TYPE_NONE_NOTE);
  const users = result.summary?.users;
  if (users) {
    const labelled = users.labelledNamespaces > 0 ? `Labelled istio.io/use-waypoint: ${labelledCounts(users)}` : `Services labelled istio.io/use-waypoint: ${users.labelled}`;
    lines.push(`${labelled} in scope, ${counted(brokenUsers(result), 'problem')}`);
    for (const problem of users.problems) lines.push(`  ${problemLine(problem)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderWaypointJson(result: WaypointResult): Record<string, unknown> {
  const summary = result.summary;
  return {
    command: 'waypoint',
    cluster: result.cluster,
    asOf: result.asOf.toISOString(),
    errors: result.errors,
    action: result.action,
    ran: result.ran,
    note: result.note,
    scope: scopeJson(result.scope, result.namespaceDefaulted),
    waypoints: summary
      ? summary.waypoints.map((waypoint) => ({
          namespace: waypoint.namespace,
          name: waypoint.name,
          programmed: waypoint.programmed,
          programmedStatus: waypoint.programmedStatus,
          trafficType: waypoint.trafficType,
          revision: waypoint.revision,
          reason: waypoint.reason,
          message: waypoint.message,
        }))
      : null,
    notProgrammed: summary?.notProgrammed ?? null,
    services: summary?.users ? { labelled: summary.users.labelled, labelledNamespaces: summary.users.labelledNamespaces, problems: summary.users.problems } : null,
    istioctlVersion: result.istioctlVersion ?? null,
  };
}
