import type { KnownBlock } from '@slack/types';
import { clockTime } from '../src/command.ts';
import type { RouteView } from '../src/mesh/canary/providers/traffic-provider.ts';
import type { CanaryInspection } from '../src/mesh/canary/service.ts';
import { ROLLBACK_WINDOW_MS, describeChanges, describeSplit, weightChange, type Propagation, type PromotionRequest } from '../src/mesh/canary/request.ts';
import type { CanaryPlan } from '../src/mesh/canary/plan.ts';
import { actions, button, context, escapeMrkdwn, escapeMrkdwnKeepingMentions, fields, header, message, section, type SlackMessage } from '../src/slack/blocks.ts';
import { serviceFqdn } from '../src/mesh/canary/virtual-service.ts';

export const APPROVE_ACTION = 'canary_approve';
export const REJECT_ACTION = 'canary_reject';
export const ROLLBACK_ACTION = 'canary_rollback';
export { ROLLBACK_WINDOW_MS } from '../src/mesh/canary/request.ts';

export type { RouteView };

/** Every HTTP route (HTTPRoute rule) with its destinations and effective weights in percent (DESIGN.md §5 `routes`). */
export function routesOf(inspection: Pick<CanaryInspection, 'routes'>): RouteView[] {
  return [...inspection.routes];
}

export function routesAfter(inspection: Pick<CanaryInspection, 'routes' | 'kind'>, plan: CanaryPlan): RouteView[] {
  return inspection.routes.map((route, index) => {
    const change = plan.changes.find((candidate) => candidate.index === index);
    // An HTTPRoute's backends are Services, not subsets (DESIGN.md §5: subset null).
    return change ? { name: route.name, destinations: change.after.map((destination) => ({ host: destination.host, subset: inspection.kind === 'HTTPRoute' ? null : destination.subset, weight: destination.weight })) } : route;
  });
}

export function bar(weight: number): string {
  const filled = Math.round(weight / 10);
  return `${'█'.repeat(filled)}${'░'.repeat(10 - filled)} ${weight}%`;
}

type WaypointProof = NonNullable<Propagation['waypoints']>[number];

function waypointState(waypoint: WaypointProof): string {
  const name = `waypoint ${waypoint.namespace}/${waypoint.name}`;
  if (waypoint.pending.length === 0) return `${name} SYNCED (${waypoint.synced}/${waypoint.pods} pods)`;
  return `${name} not SYNCED (${waypoint.synced}/${waypoint.pods} pods): ${waypoint.pending.slice(0, 5).join('; ')}${waypoint.pending.length > 5 ? '; …' : ''}`;
}

/** An HTTPRoute's proof: its parents' acceptance, then, in ambient, the waypoints serving it (never claimed when none was checked). */
function parentsLine(propagation: Propagation): string {
  const accepted = `${propagation.inSync}/${propagation.total} parents accepted the change`;
  if (propagation.error && propagation.total > 0) return `${accepted} (Accepted and ResolvedRefs True), but ${propagation.error}`;
  if (propagation.error) return `Could not check propagation: ${propagation.error}`;
  if (propagation.total === 0) return `No Gateway or Service has reported on the HTTPRoute yet (after ${propagation.seconds} s); check that its parentRefs are right.`;
  const waypoints = propagation.waypoints ?? [];
  if (propagation.complete) {
    return `${accepted} (Accepted and ResolvedRefs True)${waypoints.length > 0 ? ` and ${waypoints.map(waypointState).join(' and ')}` : ''} after ${propagation.seconds} s.`;
  }
  if (waypoints.length > 0) {
    const behind = waypoints.filter((waypoint) => waypoint.pending.length > 0);
    // Every pod SYNCED, but only in polls taken before istiod could have pushed: that proves nothing.
    const why = behind.length > 0 ? behind.map(waypointState).join('; ') : `${waypoints.map((waypoint) => `waypoint ${waypoint.namespace}/${waypoint.name}`).join(', ')} not seen SYNCED after istiod could have pushed`;
    return `${accepted} (Accepted and ResolvedRefs True), but after ${propagation.seconds} s ${why}.`;
  }
  return `${accepted} after ${propagation.seconds} s; still waiting: ${propagation.stale.slice(0, 5).join('; ')}${propagation.stale.length > 5 ? '; …' : ''}.`;
}

export function propagationLine(propagation: Propagation | null): string {
  if (!propagation) return 'Checking that the proxies picked up the change…';
  if (propagation.of === 'parents') return parentsLine(propagation);
  if (propagation.error) return `Could not check propagation: ${propagation.error}`;
  if (propagation.total === 0) return 'No proxies in this namespace to check.';
  if (propagation.complete) return `${propagation.inSync}/${propagation.total} proxies in sync after ${propagation.seconds} s.`;
  const names = propagation.stale.slice(0, 5).join(', ');
  return `${propagation.inSync}/${propagation.total} proxies in sync after ${propagation.seconds} s; still STALE: ${names}${propagation.stale.length > 5 ? ', …' : ''}.`;
}

function where(request: PromotionRequest): string {
  return `\`${escapeMrkdwn(request.virtualService)}\` in \`${escapeMrkdwn(request.cluster)}/${escapeMrkdwn(request.namespace)}\``;
}

/** The requester rejecting their own request withdraws it. */
function withdrawn(request: PromotionRequest): boolean {
  return request.state === 'rejected' && request.decidedBy === request.requester;
}

function outcomeLine(request: PromotionRequest): string {
  const decidedAt = request.decidedAt ? clockTime(new Date(request.decidedAt)) : '';
  switch (request.state) {
    case 'pending':
      return `:hourglass_flowing_sand: *Waiting for approval* — expires at ${clockTime(new Date(request.expiresAt))}.`;
    case 'approved':
      return `:gear: *Approved* by <@${request.decidedBy ?? '?'}> at ${decidedAt} — ${request.outcome ? escapeMrkdwnKeepingMentions(request.outcome.message) : 'applying…'}`;
    case 'applied':
      return `:white_check_mark: *Approved* by <@${request.decidedBy ?? '?'}> at ${decidedAt}. ${escapeMrkdwnKeepingMentions(request.outcome?.message ?? '')}\n${escapeMrkdwn(propagationLine(request.outcome?.propagation ?? null))}`;
    case 'rejected':
      return withdrawn(request) ? `:leftwards_arrow_with_hook: *Withdrawn* by <@${request.requester}> at ${decidedAt}. Nothing was changed.` : `:x: *Rejected* by <@${request.decidedBy ?? '?'}> at ${decidedAt}. Nothing was changed.`;
    case 'expired':
      return `:clock3: *Expired* at ${clockTime(new Date(request.expiresAt))}. Nothing was changed.`;
    case 'failed':
      return `:warning: *Approved* by <@${request.decidedBy ?? '?'}> at ${decidedAt} but *not applied*: ${escapeMrkdwnKeepingMentions(request.outcome?.message ?? 'unknown error')}`;
    case 'cancelled':
      return `:heavy_minus_sign: *Cancelled*: ${escapeMrkdwnKeepingMentions(request.outcome?.message ?? 'the request never reached an approver')} Nothing was changed.`;
  }
}

function stateWords(request: PromotionRequest): string {
  switch (request.state) {
    case 'pending':
      return `waiting for approval (requested by <@${request.requester}>)`;
    case 'applied':
      if (request.rolledBack) return `applied, then rolled back by <@${request.rolledBack.by}>`;
      return request.supersededBy ? `applied, then superseded by request ${request.supersededBy.id}` : `applied (approved by <@${request.decidedBy ?? '?'}>)`;
    case 'rejected':
      return withdrawn(request) ? 'withdrawn by the requester' : `rejected by <@${request.decidedBy ?? '?'}>`;
    case 'failed':
      return 'approved but not applied';
    default:
      return request.state;
  }
}

/**
 * The card's top-level text, which notifications and screen readers read. `notify` (approvers' mentions) goes
 * only into a pending card, so Slack notifies them when it is posted.
 */
export function cardHeadline(request: PromotionRequest, notify?: string): string {
  const mention = request.state === 'pending' && notify ? ` — approvers: ${notify}` : '';
  // The cluster is named: one Slack app often serves several, and a notification is read without the card.
  // The service too when the VirtualService splits several: the notification is all some approvers read.
  const service = request.otherServices === true ? ` (${request.plan.host})` : '';
  return `Canary promotion of ${request.namespace}/${request.virtualService}${service} on ${request.cluster} ${weightChange(request.plan, request.kind)}: ${stateWords(request)}${mention}`;
}

/** `<@U…>` for users and `<!subteam^S…>` for user groups: the mentions that make Slack notify them. */
export function approverMentions(approvers: { readonly users: readonly string[]; readonly usergroups: readonly string[] }): string {
  return [...approvers.usergroups.map((group) => `<!subteam^${group}>`), ...approvers.users.map((user) => `<@${user}>`)].join(' ');
}

/** Weights the card shows: what was asked while pending, what happened once decided. */
function weightFields(request: PromotionRequest): string[] {
  const plan = request.plan;
  // Every changed route: with several, their weights (even their stable subsets) can differ from the first's.
  const before = escapeMrkdwn(describeChanges(plan, 'before'));
  const after = escapeMrkdwn(describeChanges(plan, 'after'));
  if (request.state === 'pending') return [`*Current*\n${before}`, `*Proposed*\n${after}`];
  if (request.state === 'applied' && request.rolledBack) return [`*Before*\n${before}`, `*Applied, then rolled back*\n${after}`];
  if (request.state === 'applied' && request.supersededBy) return [`*Before*\n${before}`, `*Applied, then superseded*\n${after}`];
  if (request.state === 'applied') return [`*Before*\n${before}`, `*Now*\n${after}`];
  if (request.state === 'approved') return [`*Before*\n${before}`, `*Being applied*\n${after}`];
  return [`*Unchanged*\n${before}`, `*Was proposed*\n${after}`];
}

/** "Approve: v2 to 50%"; a canary name too long for Slack's 75 characters is cut after the weight, not the weight. */
function approveText(canary: string, weight: number): string {
  const text = `Approve: ${canary} to ${weight}%`;
  return text.length <= 75 ? text : `Approve ${weight}%: ${canary}`;
}

/** The approval card, rendered from the request's durable state only (any replica renders the same card). */
export function renderCard(request: PromotionRequest, now: Date, notify?: string): SlackMessage {
  const plan = request.plan;
  const asks = request.state === 'pending' ? 'asks' : 'asked';
  const httpRoute = request.kind === 'HTTPRoute';
  const blocks: KnownBlock[] = [
    header(`Canary promotion · ${request.virtualService}`),
    // An HTTPRoute has rules whose destinations are backend Services; a VirtualService has routes to subsets.
    // The subset's service: an ingress VirtualService splits several, which often all call their subsets v1 and v2.
    section(`<@${request.requester}> ${asks} to shift traffic of ${where(request)} to ${httpRoute ? 'backend Service' : 'subset'} \`${escapeMrkdwn(plan.canarySubset)}\`${!httpRoute && plan.host !== '' ? ` of \`${escapeMrkdwn(plan.host)}\`` : ''}.`),
    fields([
      ...weightFields(request),
      `*${httpRoute ? 'Rules' : 'Routes'} changed*\n${plan.changes.map((change) => escapeMrkdwn(change.name ?? `#${change.index + 1}`)).join(', ')}`,
      `*Requested*\n${clockTime(new Date(request.requestedAt))}`,
    ]),
  ];
  if (request.preflight.notes.length > 0) blocks.push(context([request.preflight.notes.map(escapeMrkdwn).join(' · ')]));
  blocks.push(section(outcomeLine(request)));
  if (request.rolledBack) blocks.push(section(`:leftwards_arrow_with_hook: *Rolled back* by <@${request.rolledBack.by}> at ${clockTime(new Date(request.rolledBack.at))}: ${escapeMrkdwn(request.rolledBack.message)}`));
  else if (request.supersededBy) blocks.push(section(`:arrow_heading_down: *Superseded* at ${clockTime(new Date(request.supersededBy.at))} by request ${request.supersededBy.id}, which changed the weights again.`));

  if (request.state === 'pending' && Date.parse(request.expiresAt) > now.getTime()) {
    blocks.push(
      actions(`canary_decision_${request.id}`, [
        button({
          text: approveText(plan.canarySubset, plan.targetWeight),
          actionId: APPROVE_ACTION,
          value: request.id,
          style: 'primary',
          // Weights first: Slack cuts a long confirm text at its end, where a 253-character name would push them.
          confirm: { title: 'Approve the promotion?', text: `Shift to ${describeChanges(plan, 'after').replace(/\n/g, '; ')} now: ${request.namespace}/${request.virtualService}.`, confirm: `Promote to ${plan.targetWeight}%`, deny: 'Cancel' },
        }),
        button({
          text: 'Reject',
          actionId: REJECT_ACTION,
          value: request.id,
          confirm: { title: 'Reject the promotion?', text: 'Nothing will be changed; the requester can ask again.', confirm: 'Reject', deny: 'Cancel' },
        }),
      ]),
    );
  }
  const appliedAt = request.outcome?.appliedAt ? Date.parse(request.outcome.appliedAt) : null;
  if (request.state === 'applied' && !request.rolledBack && !request.supersededBy && appliedAt !== null && now.getTime() - appliedAt < ROLLBACK_WINDOW_MS) {
    blocks.push(
      actions(`canary_rollback_${request.id}`, [
        button({
          text: `Roll back: ${plan.canarySubset} to 0%`,
          actionId: ROLLBACK_ACTION,
          value: request.id,
          style: 'danger',
          // A VirtualService may split several services' subsets: the button rolls back this card's service only.
          confirm: { title: 'Roll back the canary?', text: `Send all traffic of ${!httpRoute && plan.host !== '' ? `${plan.host} on ` : ''}${request.namespace}/${request.virtualService} back to ${plan.stableSubset}.`, confirm: 'Roll back', deny: 'Cancel' },
        }),
      ]),
    );
  }
  blocks.push(context([`request ${request.id}`]));
  return message(cardHeadline(request, notify), blocks);
}

/** A subset's name, or a backend Service's, with its namespace when a backendRef points into another one. */
export function subsetName(inspection: Pick<CanaryInspection, 'vs'>, subset: Pick<CanaryInspection['subsets'][number], 'name' | 'namespace'>): string {
  return subset.namespace !== undefined && subset.namespace !== inspection.vs.metadata.namespace ? `${subset.namespace}/${subset.name}` : subset.name;
}

/**
 * What rollback would use: the stable/canary record mesh-bot keeps on the VirtualService, and whose subsets they
 * are when its routes split several services' (`--host`).
 */
export function rolesLine(inspection: Pick<CanaryInspection, 'roles' | 'routes' | 'vs'>): string {
  const { roles } = inspection;
  if (!roles) return 'not recorded yet: `canary rollback` needs --to STABLE_SUBSET until mesh-bot has changed the weights once';
  const namespace = inspection.vs.metadata.namespace ?? '';
  const splitServices = new Set(inspection.routes.filter((route) => route.destinations.length > 1).flatMap((route) => route.destinations.map((destination) => serviceFqdn(destination.host, namespace))));
  const of = roles.host !== undefined && splitServices.size > 1 ? ` of ${roles.host}` : '';
  return `${roles.stableSubset} / ${roles.canarySubset}${of} (recorded by mesh-bot's last change)`;
}

export function renderInspection(inspection: CanaryInspection, syncLine: string, cluster: string): SlackMessage {
  const { vs } = inspection;
  const namespace = vs.metadata.namespace ?? '';
  const routes = routesOf(inspection);
  const blocks: KnownBlock[] = [header(`Canary status · ${inspection.kind === 'HTTPRoute' ? 'HTTPRoute ' : ''}${vs.metadata.name}`)];
  const routeLines = routes.slice(0, 20).map((route, index) => {
    const title = `*${escapeMrkdwn(route.name ?? `${inspection.kind === 'HTTPRoute' ? 'rule' : 'route'} #${index + 1}`)}*`;
    const lines = route.destinations.map((destination) => `\`${bar(destination.weight)}\` ${escapeMrkdwn(destination.subset ?? destination.host)}`);
    return `${title}\n${lines.join('\n')}`;
  });
  blocks.push(section(routeLines.join('\n\n') || 'No HTTP routes.'));
  const subsetLines = inspection.subsets.map((subset) => `• ${escapeMrkdwn(subsetName(inspection, subset))}: ${subset.pods === null ? 'pods unknown' : subset.pods === 0 ? '*selects no running pods*' : `${subset.pods} running pod${subset.pods === 1 ? '' : 's'}`}`);
  if (inspection.kind === 'HTTPRoute') blocks.push(section(`*Backend Services*\n${subsetLines.join('\n') || 'No rule splits traffic between two Services.'}`));
  else blocks.push(section(`*DestinationRule subsets*${inspection.destinationRule ? ` (${escapeMrkdwn(inspection.destinationRule.metadata.name)})` : ''}\n${subsetLines.join('\n') || 'No DestinationRule defines subsets for this host.'}`));
  blocks.push(section(`*Owner*\n${inspection.owner ? `${inspection.owner.tool}: ${escapeMrkdwn(inspection.owner.evidence)}. ${escapeMrkdwn(inspection.owner.advice)}` : 'Nobody else drives these weights; mesh-bot may promote it.'}`));
  blocks.push(section(`*Stable / canary*\n${escapeMrkdwn(rolesLine(inspection))}`));
  const pending = inspection.pending.map((request) => `• ${request.id} by <@${request.requester}>: ${request.otherServices === true ? `${escapeMrkdwn(request.plan.host)} ` : ''}${escapeMrkdwn(weightChange(request.plan))}, expires ${clockTime(new Date(request.expiresAt))}`);
  blocks.push(section(`*Pending requests*\n${pending.join('\n') || 'none'}`));
  // A VirtualService bound to gateways, or a delegate (no hosts), is counted on the pods of the gateways that
  // serve it, wherever they run (see `syncLine` in canary.ts), not on the namespace's sidecars.
  const spec = vs.spec as { gateways?: unknown; hosts?: unknown };
  const bound = inspection.kind === 'VirtualService' && ((Array.isArray(spec.gateways) && spec.gateways.some((gateway) => gateway !== 'mesh')) || !Array.isArray(spec.hosts) || spec.hosts.length === 0);
  blocks.push(section(`*${bound ? 'Proxies serving it' : `Proxies in ${escapeMrkdwn(namespace)}`}*\n${escapeMrkdwn(syncLine)}`));
  for (const note of inspection.notes) blocks.push(context([`:warning: ${escapeMrkdwn(note)}`]));
  const split = routes.find((route) => route.destinations.length > 1);
  const text = `${cluster}/${namespace}/${vs.metadata.name}: ${split ? split.destinations.map((destination) => `${destination.subset ?? destination.host} ${destination.weight}%`).join(' / ') : 'no weighted route'}${inspection.owner ? ` (managed by ${inspection.owner.tool})` : ''}`;
  return message(text, blocks);
}

export function renderPlan(plan: CanaryPlan, namespace: string, name: string, notes: readonly string[], headline: string): SlackMessage {
  const first = plan.changes[0];
  return message(`${headline}: ${namespace}/${name} ${first ? `${describeSplit(first.before, plan.stableSubset)} → ${describeSplit(first.after, plan.stableSubset)}` : ''}`, [
    header(headline),
    section(`${'`'}${escapeMrkdwn(namespace)}/${escapeMrkdwn(name)}${'`'}: ${escapeMrkdwn(first ? `${describeSplit(first.before, plan.stableSubset)} → ${describeSplit(first.after, plan.stableSubset)}` : '')}`),
    ...(notes.length > 0 ? [context([notes.map(escapeMrkdwn).join(' · ')])] : []),
  ]);
}
