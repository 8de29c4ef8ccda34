import type { KnownBlock } from '@slack/types';
import { clockTime, defineCommand, type CommandDeps, type CommandResult, type Invocation } from '../src/command.ts';
import type { ClusterConfig } from '../src/config.ts';
import { CLUSTER_FLAG, NAMESPACE_FLAG, checkObjectName, grammarWord, parseArgs, wholePercent, type FlagSpec } from '../src/grammar.ts';
import { showEnded } from '../src/mesh/canary/cards.ts';
import { isNothingToChange } from '../src/mesh/canary/plan.ts';
import type { RouteKind } from '../src/mesh/canary/providers/traffic-provider.ts';
import { weightChange } from '../src/mesh/canary/request.ts';
import { leftOnCanary, type CanaryInspection } from '../src/mesh/canary/service.ts';
import { canaryServiceFor } from '../src/mesh/canary/wiring.ts';
import { isDnsLabel } from '../src/names.ts';
import { err, ok } from '../src/result.ts';
import { context, escapeMrkdwn, escapeMrkdwnKeepingMentions, header, message, section, type SlackMessage } from '../src/slack/blocks.ts';
import { approverMentions, propagationLine, renderInspection, rolesLine, renderPlan, routesAfter, routesOf, subsetName, type RouteView } from './canary.render.ts';

interface Target<Namespace> {
  readonly virtualService: string;
  readonly namespace: Namespace;
  readonly cluster: string | undefined;
  /** `--kind`: which of a VirtualService and an HTTPRoute of that name; undefined: whichever exists. */
  readonly kind?: RouteKind | undefined;
}

type CanaryRequest<Namespace> =
  | ({ readonly action: 'status' } & Target<Namespace>)
  | ({ readonly action: 'promote'; readonly weight: number; readonly subset: string | undefined; readonly host?: string | undefined } & Target<Namespace>)
  | ({ readonly action: 'rollback'; readonly to: string | undefined; readonly host?: string | undefined } & Target<Namespace>);

/** As typed: without `-n` the namespace is the cluster's default namespace (config `defaultNamespace`). */
export type CanaryArgs = CanaryRequest<string | undefined>;
type ResolvedCanaryArgs = CanaryRequest<string>;

/** `50`, `50%` or `050`, as people write it. */
const WEIGHT_FLAG: FlagSpec = { name: 'weight', takesValue: true, value: 'percent' };
/** A DestinationRule subset (Istio requires a DNS label) or, for an HTTPRoute, a backend Service (a DNS label too). */
const SUBSET_FLAG: FlagSpec = { name: 'subset', takesValue: true, value: 'label' };
const TO_FLAG: FlagSpec = { name: 'to', takesValue: true, value: 'label' };
const KIND_FLAG: FlagSpec = { name: 'kind', takesValue: true, value: 'text' };
/** A VirtualService's destination host (`reviews`, `reviews.shop`, an FQDN): whose subsets change, when it splits several services'. */
const HOST_FLAG: FlagSpec = { name: 'host', takesValue: true, value: 'name' };
/** kubectl's spellings of the two kinds: singular, plural, short name, and qualified by API group. */
const KINDS: Readonly<Record<string, RouteKind>> = {
  virtualservice: 'VirtualService',
  virtualservices: 'VirtualService',
  vs: 'VirtualService',
  'virtualservice.networking.istio.io': 'VirtualService',
  httproute: 'HTTPRoute',
  httproutes: 'HTTPRoute',
  'httproute.gateway.networking.k8s.io': 'HTTPRoute',
};
const ACTIONS = ['status', 'promote', 'rollback'] as const;
/** Flags only one canary action takes; a word about the action that does beats "unknown flag". */
const ACTION_FLAGS: Readonly<Record<string, (typeof ACTIONS)[number]>> = { weight: 'promote', subset: 'promote', to: 'rollback' };

interface Outcome {
  readonly cluster: string;
  readonly asOf: Date;
  readonly errors: readonly string[];
  readonly failed: boolean;
  readonly slack: SlackMessage;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

function result(command: string, outcome: Outcome): CommandResult {
  return {
    envelope: { command, cluster: outcome.cluster, asOf: outcome.asOf, errors: outcome.errors },
    failed: outcome.failed,
    toJson: () => ({ command, cluster: outcome.cluster, asOf: outcome.asOf.toISOString(), errors: outcome.errors, ...outcome.json }),
    toText: () => `${outcome.text}\n${outcome.errors.map((error) => `Error: ${error}`).join('\n')}${outcome.errors.length > 0 ? '\n' : ''}`,
    toSlack: () => outcome.slack,
  };
}

/** DESIGN.md §5 fields of a canary answer that shows no routes: present and null, as status does it on errors. */
const NO_ROUTES = { kind: null, routes: null } as const;

/** A refusal: one sentence saying why, rendered the same on every surface. A no-op is said without alarm. */
function refusal(command: string, cluster: string, now: Date, reason: string): CommandResult {
  if (isNothingToChange(reason)) return notice(command, cluster, now, reason);
  const refused = result(command, {
    cluster,
    asOf: now,
    errors: [reason],
    failed: true,
    slack: message(`:no_entry: ${reason}`, [section(`:no_entry: ${escapeMrkdwnKeepingMentions(reason)}`)]),
    text: `Refused: ${reason}`,
    json: { refused: true, ...NO_ROUTES },
  });
  return { ...refused, ephemeral: true, refused: true };
}

/** Nothing needed doing (the weights are already there): not an error, and exit code 0. */
/** `inspection`: the route as read, when there is one, so the JSON still names its kind and routes (DESIGN §5). */
function notice(command: string, cluster: string, now: Date, text: string, inspection?: CanaryInspection): CommandResult {
  const said = result(command, {
    cluster,
    asOf: now,
    errors: [],
    failed: false,
    slack: message(`:information_source: ${text}`, [section(`:information_source: ${escapeMrkdwn(text)}`)]),
    text: `Nothing to do: ${text}`,
    json: { noop: true, message: text, ...(inspection ? { kind: inspection.kind, routes: routesOf(inspection) } : NO_ROUTES) },
  });
  return { ...said, ephemeral: true };
}

function routesText(routes: readonly RouteView[], kind: CanaryInspection['kind']): string {
  return routes.map((route, index) => `  ${route.name ?? `${kind === 'HTTPRoute' ? 'rule' : 'route'} #${index + 1}`}: ${route.destinations.map((destination) => `${destination.subset ?? destination.host} ${destination.weight}%`).join(' / ')}`).join('\n');
}

/** The proxies that carry the route: the namespace's sidecars for a mesh route, the bound Gateways' pods (`pod.namespace`) otherwise. */
interface Serving {
  readonly mesh: boolean;
  readonly gatewayPods: readonly string[];
}

async function syncLine(deps: CommandDeps, target: ClusterConfig, namespace: string, serving: Serving): Promise<string> {
  const status = await deps.istioctl.proxyStatus(target);
  if (!status.ok) return `unavailable: ${status.error.message}`;
  const reported = status.value.value.proxies;
  const proxies = reported.filter((proxy) => (serving.mesh && proxy.namespace === namespace) || serving.gatewayPods.includes(proxy.name));
  const unconnected = serving.gatewayPods.filter((pod) => !reported.some((proxy) => proxy.name === pod)).map((pod) => `${pod} (not connected to istiod)`);
  const stale = [...proxies.filter((proxy) => Object.values(proxy.states).some((state) => state === 'STALE' || state === 'ERROR')).map((proxy) => proxy.name), ...unconnected];
  const total = proxies.length + unconnected.length;
  return `${total - stale.length}/${total} in sync${stale.length > 0 ? `; STALE or ERROR: ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', …' : ''}` : ''} (as of ${clockTime(status.value.asOf)})`;
}

async function status(args: Extract<ResolvedCanaryArgs, { action: 'status' }>, target: ClusterConfig, deps: CommandDeps): Promise<CommandResult> {
  const service = canaryServiceFor(deps, target);
  if (!service.ok) return refusal('canary status', target.name, deps.now(), service.error);
  const inspected = await service.value.inspect(args.namespace, args.virtualService, args.kind);
  if (!inspected.ok) return refusal('canary status', target.name, deps.now(), inspected.error);
  const inspection: CanaryInspection = inspected.value;
  // A VirtualService bound to gateways (or a delegate of one) lives in the gateways' Envoys, not in the namespace's
  // sidecars, as the proof after a write counts them. An HTTPRoute's proof is its parents' status and waypoints.
  const serving = inspection.kind === 'VirtualService' ? await service.value.servingProxies(args.namespace, args.virtualService) : ok<Serving>({ mesh: true, gatewayPods: [] });
  const sync = serving.ok ? await syncLine(deps, target, args.namespace, serving.value) : `unavailable: ${serving.error}`;
  const routes = routesOf(inspection);
  return result('canary status', {
    cluster: target.name,
    asOf: deps.now(),
    // What could not be read (Argo Rollouts, DestinationRules, pods), printed on stderr by the terminal: without it
    // "Owner: none" and "Subsets: none" read as checked.
    errors: [...inspection.notes],
    failed: false,
    slack: renderInspection(inspection, sync, target.name),
    text: [
      `Canary status: ${inspection.kind} ${target.name}/${args.namespace}/${args.virtualService}`,
      routesText(routes, inspection.kind),
      `${inspection.kind === 'HTTPRoute' ? 'Backend Services' : 'Subsets'}: ${inspection.subsets.map((subset) => `${subsetName(inspection, subset)} (${subset.pods === null ? 'pods unknown' : subset.pods === 0 ? 'no running pods' : `${subset.pods} running pod${subset.pods === 1 ? '' : 's'}`})`).join(', ') || 'none'}`,
      `Owner: ${inspection.owner ? `${inspection.owner.tool} — ${inspection.owner.evidence}` : 'none (mesh-bot may promote)'}`,
      `Stable / canary: ${rolesLine(inspection)}`,
      `Pending requests: ${inspection.pending.map((request) => `${request.id} (${request.otherServices === true ? `${request.plan.host}: ` : ''}${weightChange(request.plan)})`).join(', ') || 'none'}`,
      `Proxies: ${sync}`,
    ].join('\n'),
    json: {
      kind: inspection.kind,
      virtualService: args.virtualService,
      namespace: args.namespace,
      routes,
      subsets: inspection.subsets,
      owner: inspection.owner,
      stableSubset: inspection.roles?.stableSubset ?? null,
      canarySubset: inspection.roles?.canarySubset ?? null,
      // The service whose subsets the record names (a VirtualService that splits several; --host).
      canaryHost: inspection.roles?.host ?? null,
      pending: inspection.pending.map((request) => ({ id: request.id, requester: request.requester, change: weightChange(request.plan), expiresAt: request.expiresAt })),
    },
  });
}

async function promote(args: Extract<ResolvedCanaryArgs, { action: 'promote' }>, target: ClusterConfig, deps: CommandDeps, invocation: Invocation): Promise<CommandResult> {
  const now = deps.now();
  const { approvers } = deps.config.access;
  if (invocation.surface === 'slack' && approvers.users.length + approvers.usergroups.length === 0) {
    return refusal('canary promote', target.name, now, 'Promotions need a second person to approve, and no approvers are configured. Add access.approvers.users or access.approvers.usergroups to the mesh-bot config file (MESH_BOT_CONFIG) and restart it.');
  }
  // Slack ids: D… is a direct message. A card there would hold the route's lock until it expires, unseen by approvers.
  if (invocation.surface === 'slack' && deps.config.approvals.channel === undefined && invocation.channel?.startsWith('D')) {
    return refusal('canary promote', target.name, now, 'Approval cards go to the channel a promotion is asked for in, and this is a direct message, where no approver can see or click the card. Ask in a channel the approvers are in, or set approvals.channel in the mesh-bot config.');
  }
  const service = canaryServiceFor(deps, target);
  if (!service.ok) return refusal('canary promote', target.name, now, service.error);
  const prepared = await service.value.prepare(args.namespace, args.virtualService, args.weight, args.subset, args.kind, args.host);
  if (!prepared.ok && isNothingToChange(prepared.error)) {
    // The route was read: the no-op names its kind and weights, as a plan would.
    const inspected = await service.value.inspect(args.namespace, args.virtualService, args.kind);
    return notice('canary promote', target.name, now, prepared.error, inspected.ok ? inspected.value : undefined);
  }
  if (!prepared.ok) return refusal('canary promote', target.name, now, prepared.error);
  const { plan, inspection, notes } = prepared.value;
  const json = { kind: inspection.kind, virtualService: args.virtualService, namespace: args.namespace, routes: routesAfter(inspection, plan), currentRoutes: routesOf(inspection), canarySubset: plan.canarySubset, stableSubset: plan.stableSubset, ...hostJson(inspection.kind, plan), weight: plan.targetWeight, preflight: notes };

  if (invocation.surface === 'terminal' || !deps.cards || !invocation.user || !invocation.channel) {
    const change = `${routesText(routesOf(inspection), inspection.kind)}\n→\n${routesText(routesAfter(inspection, plan), inspection.kind)}`;
    return result('canary promote', {
      cluster: target.name,
      asOf: now,
      errors: [],
      failed: false,
      slack: renderPlan(plan, args.namespace, args.virtualService, notes, 'Promotion plan (nothing changed)'),
      text: `Promotion plan for ${target.name}/${args.namespace}/${args.virtualService} (nothing was changed; approvals happen in Slack):\n${change}\n${notes.join('\n')}`,
      json: { ...json, planOnly: true },
    });
  }

  const created = await service.value.createRequest(prepared.value, invocation.user, invocation.channel);
  if (!created.ok) return refusal('canary promote', target.name, now, created.error);
  const cardChannel = deps.config.approvals.channel ?? invocation.channel;
  const posted = await deps.cards.post(created.value, cardChannel, approverMentions(approvers));
  if (!posted.ok) {
    // Nothing may stay pending that no approver can see: the request ends here and frees the VirtualService.
    await service.value.cancel(created.value.id, `its approval card could not be posted (${posted.error}).`);
    return refusal('canary promote', target.name, now, `The approval card could not be posted, so the request was cancelled and nothing is pending: ${posted.error}. Then ask again.`);
  }
  const attach = () => service.value.attachCard(created.value.id, posted.value, created.value);
  const attached = await attach().then((first) => (first.ok ? first : attach()));
  if (!attached.ok) {
    // A card whose place is not recorded could never be updated: end the request and say so on that card.
    const cancelled = await service.value.cancel(created.value.id, `mesh-bot could not record where its approval card is (${attached.error}).`);
    if (cancelled) await service.value.showCard(cancelled, posted.value);
    return refusal('canary promote', target.name, now, `The request could not be completed (${attached.error}), so it was cancelled and nothing is pending. Ask again.`);
  }
  if (attached.value.state !== 'pending') {
    return refusal('canary promote', target.name, now, `The request ${created.value.id} ended before its card was up (${attached.value.state}: ${attached.value.outcome?.message ?? 'see the card'}). Ask again.`);
  }
  const summary = `Approval requested for ${args.namespace}/${args.virtualService}: ${weightChange(created.value.plan)}. The card is in <#${posted.value.channel}>; it expires at ${clockTime(new Date(created.value.expiresAt))}.`;
  const blocks: KnownBlock[] = [header('Canary promotion requested'), section(escapeMrkdwn(summary).replace(/&lt;#([CG][A-Z0-9]+)&gt;/, '<#$1>')), context([`request ${created.value.id}`])];
  const answer = result('canary promote', { cluster: target.name, asOf: now, errors: [], failed: false, slack: message(summary, blocks), text: summary, json: { ...json, requestId: created.value.id } });
  // The card itself tells the channel it is in; a second message there would only repeat it.
  return posted.value.channel === invocation.channel ? { ...answer, ephemeral: true } : answer;
}

async function rollback(args: Extract<ResolvedCanaryArgs, { action: 'rollback' }>, target: ClusterConfig, deps: CommandDeps, invocation: Invocation): Promise<CommandResult> {
  const now = deps.now();
  const service = canaryServiceFor(deps, target);
  if (!service.ok) return refusal('canary rollback', target.name, now, service.error);
  if (invocation.surface === 'terminal' || !invocation.user) {
    const planned = await service.value.planRollback(args.namespace, args.virtualService, { to: args.to, kind: args.kind, host: args.host });
    if (!planned.ok) return refusal('canary rollback', target.name, now, planned.error);
    const { inspection, plan } = planned.value;
    const left = leftOnCanary(inspection, plan);
    return result('canary rollback', {
      cluster: target.name,
      asOf: now,
      errors: [],
      failed: false,
      slack: renderPlan(plan, args.namespace, args.virtualService, left, 'Rollback plan (nothing changed)'),
      text: [`Rollback plan for ${target.name}/${args.namespace}/${args.virtualService} (nothing was changed; run it in Slack):`, routesText(routesAfter(inspection, plan), inspection.kind), ...left].join('\n'),
      // What still sends the canary traffic after this rollback, one sentence each, for scripts as for people.
      json: { kind: inspection.kind, virtualService: args.virtualService, namespace: args.namespace, routes: routesAfter(inspection, plan), stableSubset: plan.stableSubset, canarySubset: plan.canarySubset, ...hostJson(inspection.kind, plan), leftOnCanary: left, planOnly: true },
    });
  }
  const rolled = await service.value.rollback(args.namespace, args.virtualService, invocation.user, { to: args.to, kind: args.kind, host: args.host });
  if (!rolled.ok) return refusal('canary rollback', target.name, now, rolled.error);
  const { plan, propagation, rolledBack, cancelled, leftOnCanary: left } = rolled.value;
  // What still reaches the canary belongs in the one line people read, not below it.
  const summary = [`Rolled back ${args.namespace}/${args.virtualService} on ${target.name}: ${weightChange(plan)} by <@${invocation.user}>.`, ...left.map(escapeMrkdwn)].join(' ');
  if (rolledBack) {
    await service.value.showCard(rolledBack);
    await deps.cards?.reply(rolledBack, `Rolled back by <@${invocation.user}> with \`/mesh canary rollback\`: ${summary.replace(/^Rolled back /, '')} ${propagationLine(propagation)}`);
  }
  await showEnded(service.value.showCard, deps.cards, cancelled);
  return result('canary rollback', {
    cluster: target.name,
    asOf: now,
    errors: [],
    failed: false,
    slack: message(summary, [header('Canary rolled back'), section(summary), context([escapeMrkdwn(propagationLine(propagation))])]),
    text: `${summary}\n${propagationLine(propagation)}`,
    json: { virtualService: args.virtualService, namespace: args.namespace, stableSubset: plan.stableSubset, canarySubset: plan.canarySubset, ...hostJson(rolled.value.kind, plan), leftOnCanary: left, propagation },
  });
}

/** `host`: a VirtualService's destination host whose subsets the plan changes (as the routes spell it), for `--host`. */
function hostJson(kind: RouteKind, plan: { readonly host: string }): { readonly host?: string } {
  return kind === 'VirtualService' && plan.host !== '' ? { host: plan.host } : {};
}

const CANARY_FLAGS = [NAMESPACE_FLAG, CLUSTER_FLAG, KIND_FLAG, WEIGHT_FLAG, SUBSET_FLAG, TO_FLAG, HOST_FLAG];

/** Each action's own line (DESIGN.md §1, with `--kind` and HTTPRoutes of §11): an error shows the one it is about. */
const ACTION_USAGE: Readonly<Record<(typeof ACTIONS)[number], string>> = {
  status: 'canary status VIRTUALSERVICE|HTTPROUTE [--kind virtualservice|httproute] [-n NAMESPACE] [--cluster NAME]',
  promote: 'canary promote VIRTUALSERVICE|HTTPROUTE --weight PERCENT [--subset SUBSET] [--host HOST] [--kind virtualservice|httproute] [-n NAMESPACE] [--cluster NAME]',
  rollback: 'canary rollback VIRTUALSERVICE|HTTPROUTE [--to SUBSET] [--host HOST] [--kind virtualservice|httproute] [-n NAMESPACE] [--cluster NAME]',
};

export const canaryCommand = defineCommand<CanaryArgs>({
  name: 'canary',
  aliases: [],
  usage: 'canary status|promote|rollback VIRTUALSERVICE|HTTPROUTE [--weight PERCENT] [--subset SUBSET] [--to SUBSET] [--host HOST] [--kind virtualservice|httproute] [-n NAMESPACE] [--cluster NAME]',
  usageFor(tokens) {
    const parsed = parseArgs(tokens, CANARY_FLAGS);
    const word = parsed.ok ? parsed.value.positionals[0] : tokens.find((token) => grammarWord(token, ACTIONS) !== undefined);
    const action = word === undefined ? undefined : grammarWord(word, ACTIONS);
    return action === undefined ? undefined : ACTION_USAGE[action];
  },
  summary: 'VirtualService or HTTPRoute weights; approval-gated promotion (operators ask, approvers approve) and rollback',
  role: 'reader',
  roleFor: (args) => (args.action === 'status' ? 'reader' : 'operator'),
  labelFor: (args) => `canary ${args.action}`,
  parse(tokens) {
    // Flags may come before the action, as kubectl and istioctl take them (`canary -n shop status reviews`).
    const parsed = parseArgs(tokens, CANARY_FLAGS);
    if (!parsed.ok) return parsed;
    const [word, name, extra] = parsed.value.positionals;
    if (word === undefined) return err('missing subcommand: status, promote or rollback');
    const action = grammarWord(word, ACTIONS);
    if (action === undefined) return err(`unknown canary subcommand "${word.slice(0, 40)}"; use status, promote or rollback`);
    const misplaced = [...parsed.value.flags.keys()].find((key) => ACTION_FLAGS[key] !== undefined && ACTION_FLAGS[key] !== action);
    if (misplaced !== undefined) return err(`--${misplaced} belongs to \`canary ${ACTION_FLAGS[misplaced] ?? ''}\`, not to \`canary ${action}\``);
    const vs = checkObjectName(name, 'VirtualService name');
    if (!vs.ok) return vs;
    if (extra !== undefined) {
      // `promote reviews 50` and `rollback reviews v1`: the value is right, its flag is missing.
      const meant = action === 'promote' && wholePercent(extra) !== undefined ? `--weight ${extra}` : action === 'rollback' && isDnsLabel(extra) ? `--to ${extra}` : undefined;
      return err(`unexpected argument "${extra.slice(0, 40)}"${meant === undefined ? '' : ` (did you mean ${meant}?)`}`);
    }
    const flag = (key: string) => {
      const value = parsed.value.flags.get(key);
      return typeof value === 'string' ? value : undefined;
    };
    const kindFlag = flag('kind');
    const kind = kindFlag === undefined ? undefined : KINDS[kindFlag.toLowerCase()];
    if (kindFlag !== undefined && kind === undefined) return err(`--kind takes virtualservice or httproute, got "${kindFlag.slice(0, 20)}"`);
    const common = { virtualService: vs.value, namespace: flag('namespace'), cluster: flag('cluster'), ...(kind ? { kind } : {}) };
    if (action === 'promote') {
      const weight = flag('weight');
      if (weight === undefined) return err('canary promote needs --weight PERCENT (the share of traffic for the canary)');
      const percent = wholePercent(weight);
      if (percent === undefined) return err(`--weight takes a whole percentage from 0 to 100 (like 50 or 50%), got "${weight.slice(0, 20)}"`);
      return ok({ action, ...common, weight: percent, subset: flag('subset'), host: flag('host') });
    }
    if (action === 'rollback') {
      return ok({ action, ...common, to: flag('to'), host: flag('host') });
    }
    if (flag('host') !== undefined) return err('--host belongs to `canary promote` and `canary rollback`, not to `canary status` (which shows every route)');
    return ok({ action: 'status', ...common });
  },
  execute(parsed, target, deps, invocation) {
    const args = { ...parsed, namespace: parsed.namespace ?? target.defaultNamespace };
    if (args.action === 'status') return status(args, target, deps);
    if (args.action === 'promote') return promote(args, target, deps, invocation);
    return rollback(args, target, deps, invocation);
  },
});
