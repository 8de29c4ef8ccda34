/**
 * Canary promotion as a state machine with durable state. The story is in README.md ("Canary promotion"); this
 * comment is the reference for what each write is fenced by and what a crash between two steps leaves.
 *
 * Records
 *   R  the request, ConfigMap `mesh-bot-promo-<id>`: pending → approved → applied | failed,
 *      pending → rejected | expired | cancelled. Every transition is a compare-and-swap on R's resourceVersion.
 *   L  the lock, one ConfigMap per VirtualService naming the request that holds it: one request in flight.
 *   O  the owner annotation on the VirtualService (`mesh-bot/owner`) naming the request that owns its weights.
 *   W  the weights, with the stable/canary record and `mesh-bot/applied-request` on the VirtualService.
 *
 * Steps and their fences
 *   1. L create. Taken over only from a holder that is terminal, or absent: an absent holder's name is first
 *      claimed with a cancelled tombstone, so a request that was "not created yet" can never appear later.
 *   2. R create (pending).                               fence: create fails if the name exists; an unclear
 *      answer is resolved by reading R back (absent → tombstoned, so it cannot land late), never by guessing.
 *   3. O claim: add O=id.                                fence: test resourceVersion as read; prior O terminal/absent
 *   4. card posted, R.card attached. A failed post cancels R at once (nothing pending that no one can see).
 *   5. R pending → approved | rejected.                  fence: CAS on R
 *      An approval first re-reads who drives the route (not fenced by the patch): an owner that appeared since the
 *      request (Argo CD, Flux, a Rollout, Flagger) → R cancelled, nothing written. Then the canary's subset/backend
 *      and its pods (an HTTPRoute: also whether its parents still resolve its backends): known gone → the click is
 *      refused and R stays pending; unreadable → proves nothing, it goes on.
 *   6. W patch: weights + stable/canary + applied=id, remove O.
 *                                                        fence: test O == id, test each changed route as read,
 *                                                        test the spec fields that say which traffic the routes
 *                                                        apply to (hosts/gateways/exportTo, parentRefs/hostnames)
 *   7. R approved → applied | failed, L freed.          fence: CAS on R
 *   Ending a request without W (reject, expire, cancel, a failed W) releases O: test O == id, remove O.
 *   The leader's sweep settles an approval older than 5 minutes only by winning the W fence itself:
 *   test O == id, remove O. Won → failed (W can no longer land). Lost → O is gone: applied-request == id
 *   says W landed (applied), anything else says it never can (failed). VirtualService gone (404) → failed.
 *   A transient error leaves it for the next minute.
 *
 * A crash between two steps leaves
 *   after 1: L naming an absent request → the next request, or the sweep after a minute, tombstones it and frees L.
 *   after 2 or 3: R pending without a card → the sweep cancels it after 5 minutes, releases O, frees L.
 *   after 4 (post, before attach): the same; the orphan card's buttons answer "cancelled".
 *   after 5 (approved): the sweep's settlement above.  after 6: the same, and it finds W landed (applied).
 *   after 7 before L is freed: L names a terminal request → taken over by the next request; the sweep frees it.
 *   A W patch with an ambiguous answer (timeout, connection reset, 5xx) is sent once more (its O test lets it land
 *   at most once), then, unless that one plainly succeeded, settled at once the same way as the sweep does: never
 *   reported "not applied" without either winning the fence or reading the result.
 *
 * Rollback is the safety exit and needs no request: it tests the VirtualService's resourceVersion, the
 * routes and the scope fields it read (retried on a fresh read), sends the canary to 0 % and rewrites the stable/canary record.
 * Which subset is stable comes from `--to`, else that record; with neither it refuses. Pending requests it made
 * obsolete are cancelled (their route test could never pass again). The request it undoes (the card's, else the
 * one `applied-request` names — possibly an approval that wrote W and has not recorded it yet) is named in the
 * same patch (`mesh-bot/rolled-back`: request, by, at), then marked rolled back on R. A crash or a failed R write
 * between the two leaves the annotation: the sweep marks that applied request rolled back from it, so no card
 * goes on saying its weights are in force. A request approved meanwhile on another replica is not cancelled.
 *
 * Cards are not part of any fence: R.cardShows records what the card last showed (`cardKey`), written only
 * after Slack took the update; the sweep re-renders every card whose key lags, so a crash or a lost update
 * between a state change and its card costs at most a minute of a stale card.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import type { ClusterConfig } from '../../config.ts';
import type { Istioctl } from '../../istioctl/istioctl.ts';
import type { ProxyStatusReport } from '../../istioctl/types.ts';
import type { GatewayApiObjects } from '../../kube/gateway-api.ts';
import type { IstioObjects, JsonPatchOp, KubeCallError, KubeObject } from '../../kube/istio-objects.ts';
import { describeKubeError, kubeStatusOf } from '../../kube/errors.ts';
import { recordName, type StateStore, type Stored } from '../../kube/state-store.ts';
import type { Logger } from '../../log.ts';
import { err, ok, type Result } from '../../result.ts';
import type { ApprovalCards } from './cards.ts';
import { detectOwner, type Owner } from './ownership.ts';
import { parentAcceptance, parseHttpRoute, rejectingParents, splitBackendRefs, unresolvedBackends, type GatewayHttpRoute } from './providers/http-route.ts';
import { httpRouteProvider, virtualServiceProvider, type RouteKind, type RouteView, type TrafficObject, type TrafficProvider } from './providers/traffic-provider.ts';
import { httpRouteMirrors, layer4Leftovers, virtualServiceMirrors } from './leftovers.ts';
import { hostNotSplit, hostsMeant, isNothingToChange, ruleLabel, shortHost, type CanaryPlan } from './plan.ts';
import { kubeWaypointReads, resolveWaypoints, waypointProgress, type WaypointRef } from './waypoint-proof.ts';
import {
  TERMINAL_STATES,
  cardKey,
  isExpired,
  lockSchema,
  newRequestId,
  promotionRequestSchema,
  weightChange,
  type PlanRecord,
  type Propagation,
  type PromotionRequest,
} from './request.ts';
import {
  APPLIED_ANNOTATION,
  ROLLED_BACK_ANNOTATION,
  rolledBackRecordOf,
  type RolledBackRecord,
  CANARY_ANNOTATION,
  HOST_ANNOTATION,
  OWNER_ANNOTATION,
  STABLE_ANNOTATION,
  annotationPath,
  annotationsOf,
  destinationRuleSchema,
  kubernetesService,
  recordedRoles,
  type RecordedRoles,
  sameServiceHost,
  serviceFqdn,
  type DestinationRule,
  type VirtualService,
} from './virtual-service.ts';

export interface CanaryDeps {
  readonly cluster: ClusterConfig;
  readonly istio: IstioObjects;
  /** HTTPRoutes; without it `canary` knows VirtualServices only. */
  readonly gateway?: GatewayApiObjects | undefined;
  readonly core: CoreV1Api;
  readonly store: StateStore;
  readonly istioctl: Istioctl;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly ttlMs: number;
  /**
   * `settleMs`: a proxy-status poll proves propagation only when taken at least this long after the write
   * (default: istiod's PILOT_DEBOUNCE_MAX, 10 s, capped at `timeoutMs`).
   */
  readonly propagation: { readonly timeoutMs: number; readonly intervalMs: number; readonly settleMs?: number };
  /** Where cards are rendered; with it, `showCard` records what each card shows and the sweep repairs stale ones. */
  readonly cards?: ApprovalCards | undefined;
}

export interface SubsetInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Running pods the subset's labels select in the namespace; null when pods could not be listed. */
  readonly pods: number | null;
  /** An HTTPRoute backend's namespace (a backendRef may name another one). */
  readonly namespace?: string;
}

/** Everything `canary status` shows and `canary promote` checks before asking anyone. */
export interface CanaryInspection {
  /** The VirtualService or HTTPRoute (see `kind`). */
  readonly vs: TrafficObject;
  readonly kind: RouteKind;
  /** Every rule with its destinations and effective weights in percent (DESIGN.md §5 `routes`). */
  readonly routes: readonly RouteView[];
  readonly apiVersion: string;
  readonly destinationRule: DestinationRule | null;
  readonly subsets: readonly SubsetInfo[];
  readonly owner: Owner | null;
  readonly pending: readonly PromotionRequest[];
  readonly lastApplied: PromotionRequest | null;
  /** Every applied promotion on record, oldest first: which subset was whose canary, per service (`--host`). */
  readonly applied?: readonly PromotionRequest[];
  /** Which subset is stable and which the canary, as recorded on the VirtualService by mesh-bot's last write. */
  readonly roles?: RecordedRoles | undefined;
  readonly notes: readonly string[];
  /** Why the DestinationRules could not be read (then `destinationRule` null says nothing about whether one exists). */
  readonly subsetsUnreadable?: string | undefined;
}

/** What a rollback is of: `--to`, `--kind`, `--host`, and the service of the request a Roll back button names. */
export interface RollbackTarget {
  readonly to?: string | undefined;
  readonly kind?: RouteKind | undefined;
  readonly host?: string | undefined;
  readonly requestHost?: string | undefined;
}

export interface PreparedPromotion {
  readonly inspection: CanaryInspection;
  readonly plan: CanaryPlan;
  /** Preflight results shown on the card (dry run verdict, subset pods). */
  readonly notes: readonly string[];
}

export type Decision = 'approve' | 'reject';

export interface DecisionOutcome {
  readonly request: PromotionRequest;
  /** Changed the VirtualService (approve and the patch went through). */
  readonly applied: boolean;
  /** Earlier applied promotions of the VirtualService whose cards now show history (they need updating). */
  readonly superseded?: readonly PromotionRequest[];
}

export interface RollbackOutcome {
  /** What was rolled back: a VirtualService's subsets or an HTTPRoute's backend Services. */
  readonly kind: RouteKind;
  readonly plan: CanaryPlan;
  readonly propagation: Propagation;
  /** The applied promotion this rollback undid (its card needs updating), when there is one. */
  readonly rolledBack: PromotionRequest | null;
  /** Pending requests the rollback made obsolete, now cancelled (their cards need updating). */
  readonly cancelled: readonly PromotionRequest[];
  /** Routes that still send the canary traffic after the rollback (see `leftOnCanary`), one sentence each. */
  readonly leftOnCanary: readonly string[];
}

const PROMOTION_LABELS = { 'mesh-bot/kind': 'promotion' } as const;
const LOCK_LABELS = { 'mesh-bot/kind': 'lock' } as const;
/** How many times a card is drawn again because its request changed while it was drawn (each change is a decision). */
const CARD_REDRAWS = 3;
/** An approval still not applied after this long was interrupted (a replica died mid-apply). */
const INTERRUPTED_AFTER_MS = 5 * 60_000;
/** A pending request still without a card after this long was never seen by anyone (its replica died). */
const CARDLESS_AFTER_MS = 5 * 60_000;
/** A lock naming a request that does not exist, older than this, was left by a replica that died creating it. */
const ORPHAN_LOCK_AFTER_MS = 60_000;
/** Decided requests are kept this long (rollback history for `canary status`), then deleted by the sweep. */
const DECIDED_RETENTION_MS = 7 * 24 * 3_600_000;
/** istiod pushes at most this long after a config change (PILOT_DEBOUNCE_MAX default, pilot/pkg/features). */
const ISTIOD_DEBOUNCE_MAX_MS = 10_000;
const ROLLBACK_ATTEMPTS = 3;
/** Tries of a weight write the API server throttles (429: not processed, so nothing was written), and the longest wait between them. */
const THROTTLED_ATTEMPTS = 4;
const MAX_RETRY_AFTER_S = 10;
/** Pause before sending an approved weight patch once more after an unclear answer (5xx, timeout, reset). */
const UNCLEAR_RETRY_MS = 1_000;
/** An object name (DNS-1123 subdomain) has at most 253 characters; the apiserver keeps 58 of a generateName. */
const MAX_NAME = 253;
const GENERATED_NAME_BASE = 58;

/** A route name cut to fit an Event name: still a valid name part (no trailing "." or "-"); the request id keeps it unique. */
function eventNamePart(name: string, room: number): string {
  return name.length <= room ? name : name.slice(0, room).replace(/[.-]+$/, '');
}

function fail(message: string): { readonly ok: false; readonly error: string } {
  return err(message);
}

function planRecord(plan: CanaryPlan): PlanRecord {
  return {
    host: plan.host,
    stableSubset: plan.stableSubset,
    canarySubset: plan.canarySubset,
    currentWeight: plan.currentWeight,
    targetWeight: plan.targetWeight,
    resourceVersion: plan.resourceVersion,
    changes: plan.changes.map((change) => ({ index: change.index, name: change.name ?? null, before: [...change.before], after: [...change.after], readRoute: [...change.readRoute] })),
    patch: plan.patch.map((op) => ({ ...op })),
  };
}

/** JSON equality as the API server's `test` sees it (key order irrelevant). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = Object.keys(left).filter((key) => left[key] !== undefined);
    return keys.length === Object.keys(right).filter((key) => right[key] !== undefined).length && keys.every((key) => sameJson(left[key], right[key]));
  }
  return false;
}

/**
 * The spec fields a plan's scope `test`s (`/spec/parentRefs`, `/spec/gateways`, … see `scopeTests`) whose value
 * now differs from the one tested; an absent field reads as `null`, as the API server's `test` reads it.
 */
function changedScope(patch: readonly JsonPatchOp[], object: KubeObject): string[] {
  const spec = (object as { spec?: Record<string, unknown> }).spec ?? {};
  return patch.flatMap((op) => {
    const field = op.op === 'test' ? /^\/spec\/([^/]+)$/.exec(op.path)?.[1] : undefined;
    return field !== undefined && !sameJson(spec[field] ?? null, op.value ?? null) ? [field] : [];
  });
}

/** metadata.generation of an object the API server returned, when it says. */
function generationOf(object: KubeObject): number | null {
  const generation = (object.metadata as { generation?: unknown } | undefined)?.generation;
  return typeof generation === 'number' ? generation : null;
}

/** Outcomes of a write whose answer does not say whether it landed. */
function ambiguous(error: KubeCallError): boolean {
  return error.kind === 'unavailable';
}

/** The stable/canary record written with the weights; for a VirtualService also the service whose subsets they are. */
function roleAnnotations(plan: Pick<CanaryPlan, 'stableSubset' | 'canarySubset' | 'host'>, kind: RouteKind): Record<string, string> {
  return { [STABLE_ANNOTATION]: plan.stableSubset, [CANARY_ANNOTATION]: plan.canarySubset, ...(kind === 'VirtualService' && plan.host !== '' ? { [HOST_ANNOTATION]: plan.host } : {}) };
}

/** The record of roleAnnotations as JSON Patch ops (the annotations object exists). */
function roleOps(plan: Pick<CanaryPlan, 'stableSubset' | 'canarySubset' | 'host'>, kind: RouteKind): JsonPatchOp[] {
  return Object.entries(roleAnnotations(plan, kind)).map(([key, value]) => ({ op: 'add', path: annotationPath(key), value }));
}

/**
 * Whether two plans of one route object shift the same service's subsets. A VirtualService may split several
 * services' (an ingress one for reviews and ratings): a change of one says nothing about the other's canary, so it
 * neither supersedes nor rolls back a promotion of the other. An HTTPRoute's backends are Services already, and a
 * plan without a host (none is recorded) is taken as the same service, as before hosts were recorded.
 */
function sameService(kind: RouteKind, namespace: string, a: Pick<CanaryPlan, 'host'>, b: Pick<CanaryPlan, 'host'>): boolean {
  return kind !== 'VirtualService' || a.host === '' || b.host === '' || sameServiceHost(a.host, b.host, namespace);
}

/** The subsets (backend Services) that get traffic once a plan is written. */
function receivingSubsets(plan: { readonly changes: readonly { readonly after: readonly { readonly subset: string; readonly weight: number }[] }[] }): Set<string> {
  return new Set(plan.changes.flatMap((change) => change.after.filter((destination) => destination.weight > 0).map((destination) => destination.subset)));
}

/**
 * The subsets (backend Services) a promotion must find defined and running: its stable and canary, and any other
 * its routes raise. A `--subset` promotion also shifts a route where the canary is the larger share (v2 90 % / v3
 * 10 % at 50 % gives v3 half): that route's other subset gets traffic too.
 */
function checkedSubsets(plan: CanaryPlan): Set<string> {
  return new Set([plan.stableSubset, plan.canarySubset, ...receivingSubsets(plan)]);
}

/** A VirtualService without hosts, which Istio only uses as the delegate of another one (VirtualService chaining). */
function isDelegate(object: unknown): boolean {
  const hosts = (object as { spec?: { hosts?: unknown } } | null)?.spec?.hosts;
  return !Array.isArray(hosts) || hosts.length === 0;
}

/** `spec.gateways` as read (absent: the mesh's sidecars only). */
function gatewaysOf(object: unknown): string[] {
  const gateways = (object as { spec?: { gateways?: unknown } } | null)?.spec?.gateways;
  return Array.isArray(gateways) ? gateways.filter((gateway): gateway is string => typeof gateway === 'string') : [];
}

/** When the API server created a DestinationRule ('' when it does not say): Istio merges them oldest first. */
function createdAt(rule: DestinationRule): string {
  const created = (rule.metadata as { creationTimestamp?: unknown }).creationTimestamp;
  return typeof created === 'string' ? created : '';
}

/** The destination host of the first route that splits traffic (else of the first route): whose subsets to show. */
function splitHost(routes: readonly RouteView[]): string | undefined {
  return (routes.find((route) => route.destinations.length > 1) ?? routes[0])?.destinations[0]?.host;
}

/**
 * Routes (rules) whose only destination is the canary, e.g. testers matched by a header: a rollback has no weight
 * there to lower, so they keep sending it all their traffic. Said with every rollback, so "rolled back" never
 * hides them.
 */
export function leftOnCanary(inspection: Pick<CanaryInspection, 'kind' | 'routes' | 'vs'>, plan: Pick<CanaryPlan, 'host' | 'canarySubset'> & { readonly changes?: readonly { readonly index: number }[] }): string[] {
  const namespace = inspection.vs.metadata.namespace ?? '';
  const [noun, destination] = inspection.kind === 'HTTPRoute' ? ['rule', 'backend'] : ['route', 'destination'];
  const single = inspection.routes.flatMap((route, index) => {
    const only = route.destinations.length === 1 ? route.destinations[0] : undefined;
    // A lone backendRef of weight 0 gets nothing (Gateway API answers 500); Istio ignores a lone destination's weight.
    const onCanary = only !== undefined && (inspection.kind === 'HTTPRoute' ? only.host === plan.canarySubset && only.weight > 0 : only.subset === plan.canarySubset && sameServiceHost(only.host, plan.host, namespace));
    if (!onCanary) return [];
    const label = ruleLabel({ index, name: route.name ?? undefined }, inspection.kind);
    return [`${label.charAt(0).toUpperCase()}${label.slice(1)} still sends all its traffic to ${plan.canarySubset} (a ${noun} with one ${destination} has no weight to lower); change it by hand if ${plan.canarySubset} must get none.`];
  });
  // Routes with several destinations the rollback did not change still carrying the canary: those mesh-bot cannot
  // shift (three ways, two hosts, a backend that is no Service).
  const changed = new Set((plan.changes ?? []).map((change) => change.index));
  const unshifted = inspection.routes.flatMap((route, index) => {
    if (route.destinations.length < 2 || changed.has(index)) return [];
    const share = route.destinations.filter((candidate) => (inspection.kind === 'HTTPRoute' ? candidate.host === plan.canarySubset : candidate.subset === plan.canarySubset && sameServiceHost(candidate.host, plan.host, namespace))).reduce((total, candidate) => total + candidate.weight, 0);
    if (share <= 0) return [];
    const label = ruleLabel({ index, name: route.name ?? undefined }, inspection.kind);
    const what = inspection.kind === 'HTTPRoute' ? 'two-way splits between Services' : 'two-way splits between subsets of one service';
    return [`${label.charAt(0).toUpperCase()}${label.slice(1)} still sends ${Math.round(share * 10) / 10}% of its traffic to ${plan.canarySubset} (mesh-bot only shifts ${what}); change it by hand if ${plan.canarySubset} must get none.`];
  });
  const spec = inspection.vs.spec as Readonly<Record<string, unknown>>;
  const untouched = inspection.kind === 'HTTPRoute' ? httpRouteMirrors(spec, plan, 'rollback') : [...layer4Leftovers(spec, namespace, plan, 'rollback'), ...virtualServiceMirrors(spec, namespace, plan, 'rollback')];
  return [...single, ...unshifted, ...untouched, ...otherServicesSplitting(inspection, plan)];
}

/** Whether a route of the VirtualService splits the subsets of a service other than the plan's. */
function otherServicesSplit(inspection: Pick<CanaryInspection, 'kind' | 'routes' | 'vs'>, plan: Pick<CanaryPlan, 'host'>): boolean {
  const namespace = inspection.vs.metadata.namespace ?? '';
  return inspection.kind === 'VirtualService' && plan.host !== '' && inspection.routes.some((route) => route.destinations.length > 1 && route.destinations.some((destination) => !sameServiceHost(destination.host, plan.host, namespace)));
}

/** The same for a `--host` as typed (`reviews`, `reviews.bookinfo`, an FQDN), read as `hostsMeant` reads it. */
function splitsOtherThanTyped(inspection: Pick<CanaryInspection, 'kind' | 'routes' | 'vs'>, typed: string): boolean {
  const namespace = inspection.vs.metadata.namespace ?? '';
  const meant = hostsMeant(typed, namespace);
  return inspection.kind === 'VirtualService' && inspection.routes.some((route) => route.destinations.length > 1 && route.destinations.some((destination) => !meant.has(serviceFqdn(destination.host, namespace))));
}

/**
 * Routes of a VirtualService that still split another service's traffic (an ingress one's /ratings next to the
 * /reviews this rollback changed): both services often call their subsets v1 and v2, so "v2 0%" alone reads as
 * every canary being off.
 */
function otherServicesSplitting(inspection: Pick<CanaryInspection, 'kind' | 'routes' | 'vs'>, plan: Pick<CanaryPlan, 'host'>): string[] {
  if (inspection.kind !== 'VirtualService' || plan.host === '') return [];
  const namespace = inspection.vs.metadata.namespace ?? '';
  const name = inspection.vs.metadata.name;
  return inspection.routes.flatMap((route, index) => {
    const receiving = route.destinations.filter((destination) => destination.weight > 0);
    if (receiving.length < 2 || route.destinations.some((destination) => sameServiceHost(destination.host, plan.host, namespace))) return [];
    const services = [...new Set(route.destinations.map((destination) => shortHost(serviceFqdn(destination.host, namespace), namespace)))];
    const label = ruleLabel({ index, name: route.name ?? undefined });
    const weights = route.destinations.map((destination) => `${destination.subset ?? destination.host} ${destination.weight}%`).join(' / ');
    const [a, b] = route.destinations;
    const why = route.destinations.length > 2 ? (route.destinations.length === 3 ? 'three-way' : `${route.destinations.length}-way`) : services.length > 1 ? 'two services' : !a?.subset || !b?.subset || a.subset === b.subset ? 'no two named subsets' : undefined;
    const how = why === undefined ? `\`canary rollback ${name} -n ${namespace} --host ${services[0] ?? ''}\` rolls it back` : `mesh-bot cannot shift it (${why}), so change it by hand if it must`;
    return [`${label.charAt(0).toUpperCase()}${label.slice(1)} of another service (${services.join(', ')}) still sends ${weights}: this rollback changed ${shortHost(serviceFqdn(plan.host, namespace), namespace)} only; ${how}.`];
  });
}

/**
 * The canary of a rollback onto `stable` read from the routes (the other destination of the splits using it), for
 * a rollback with nothing to change: it still names what sends that canary traffic.
 */
function rollbackTarget(inspection: Pick<CanaryInspection, 'kind' | 'routes' | 'vs'>, stable: string, service?: string): { readonly host: string; readonly canarySubset: string } | undefined {
  const nameOf = (destination: RouteView['destinations'][number]) => (inspection.kind === 'HTTPRoute' ? destination.host : (destination.subset ?? ''));
  const namespace = inspection.vs.metadata.namespace ?? '';
  // Only the splits the planner shifts (two named destinations of one service): a two-host route next to them
  // (an ingress moving /next to another service) says nothing about which subset is the canary.
  const shiftable = (route: RouteView) => {
    const [a, b] = route.destinations;
    if (a === undefined || b === undefined || route.destinations.length !== 2 || nameOf(a) === '' || nameOf(b) === '' || nameOf(a) === nameOf(b)) return false;
    return inspection.kind === 'HTTPRoute' || sameServiceHost(a.host, b.host, namespace);
  };
  // With --host (or the record's service), that service's routes only: another service's v2 is not this one's canary.
  const meant = service === undefined || inspection.kind !== 'VirtualService' ? undefined : hostsMeant(service, namespace);
  const ofService = (route: RouteView) => meant === undefined || route.destinations.some((destination) => meant.has(serviceFqdn(destination.host, namespace)));
  const splits = inspection.routes.filter((route) => shiftable(route) && ofService(route) && route.destinations.some((destination) => nameOf(destination) === stable));
  const others = new Set(splits.flatMap((route) => route.destinations.filter((destination) => nameOf(destination) !== stable).map(nameOf)));
  const host = splits[0]?.destinations[0]?.host;
  return others.size === 1 && host !== undefined ? { host, canarySubset: [...others][0] as string } : undefined;
}

export function createCanaryService(deps: CanaryDeps) {
  const { cluster, istio, store, logger } = deps;
  const virtualServices = virtualServiceProvider(istio);
  const httpRoutes = deps.gateway ? httpRouteProvider(deps.gateway) : undefined;
  const providers: readonly TrafficProvider[] = httpRoutes ? [virtualServices, httpRoutes] : [virtualServices];
  const providerOf = (kind: RouteKind | undefined): TrafficProvider => (kind === 'HTTPRoute' && httpRoutes ? httpRoutes : virtualServices);
  // A VirtualService's lock keeps its original name; an HTTPRoute of the same name has its own.
  const lockName = (namespace: string, name: string, kind: RouteKind = 'VirtualService') =>
    kind === 'VirtualService' ? recordName('mesh-bot-lock', cluster.name, namespace, name) : recordName('mesh-bot-lock', cluster.name, namespace, 'httproute', name);
  const requestName = (id: string) => `mesh-bot-promo-${id}`;

  /**
   * A weight write, tried again while the API server answers 429 (API priority and fairness sheds load in an
   * incident, when approvals and rollbacks matter most): a 429 was not processed, so waiting its Retry-After and
   * sending the same fenced patch again is safe. Any other answer is returned as it is.
   */
  async function patchThroughThrottling(provider: TrafficProvider, namespace: string, name: string, version: string, ops: readonly JsonPatchOp[]): Promise<Result<KubeObject, KubeCallError>> {
    for (let attempt = 1; ; attempt += 1) {
      const patched = await provider.patch(namespace, name, version, ops, { dryRun: false });
      if (patched.ok || patched.error.kind !== 'throttled' || attempt >= THROTTLED_ATTEMPTS) return patched;
      await deps.sleep(Math.min(Math.max(patched.error.retryAfterSeconds ?? 1, 1), MAX_RETRY_AFTER_S) * 1000);
    }
  }

  async function listRequests(namespace: string, vs: string, kind: RouteKind): Promise<Result<PromotionRequest[], string>> {
    const listed = await store.list('mesh-bot/kind=promotion', promotionRequestSchema);
    if (!listed.ok) return fail(listed.error.message);
    return ok(
      listed.value
        .map((record) => record.value)
        .filter((request) => request.cluster === cluster.name && request.namespace === namespace && request.virtualService === vs && (request.kind ?? 'VirtualService') === kind)
        .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt)),
    );
  }

  /** The pod selector of a Service. */
  async function selectorOfService(service: { readonly name: string; readonly namespace: string }, notes: string[]): Promise<Record<string, string>> {
    const { name, namespace } = service;
    try {
      const read = await deps.core.readNamespacedService({ name, namespace });
      return read.spec?.selector ?? {};
    } catch (cause) {
      notes.push(`Service ${namespace}/${name} unreadable, so pods are counted by subset labels alone: ${describeKubeError(cause, `read Service ${namespace}/${name}`, cluster.name)}`);
      return {};
    }
  }

  /** Where Istio looks for the DestinationRule of `host` routed from `namespace`, in its order. */
  function ruleNamespaces(namespace: string, host: string): string[] {
    return [...new Set([namespace, kubernetesService(host, namespace)?.namespace ?? namespace, cluster.istioNamespace])];
  }

  /**
   * The DestinationRule that gives `host` its subsets, looked up where Istio looks: the namespace of the route, then
   * the service's own, then the root namespace (pilot's sidecarScope DestinationRule lookup); and the running pods
   * each subset selects in the service's namespace.
   */
  async function subsetsOf(namespace: string, host: string): Promise<{ rule: DestinationRule | null; subsets: SubsetInfo[]; notes: string[]; readable: boolean }> {
    const notes: string[] = [];
    const service = kubernetesService(host, namespace);
    const podNamespace = service?.namespace ?? namespace;
    let matching: DestinationRule[] = [];
    for (const candidateNamespace of ruleNamespaces(namespace, host)) {
      const rules = await istio.listDestinationRules(candidateNamespace);
      if (!rules.ok) return { rule: null, subsets: [], notes: [`DestinationRules unavailable: ${rules.error.message}`], readable: false };
      matching = rules.value
        .map((item) => destinationRuleSchema.safeParse(item))
        .flatMap((parsed) => (parsed.success ? [parsed.data] : []))
        .filter((candidate) => serviceFqdn(candidate.spec.host, candidateNamespace) === serviceFqdn(host, namespace))
        .sort((a, b) => createdAt(a).localeCompare(createdAt(b)) || a.metadata.name.localeCompare(b.metadata.name));
      if (matching.length > 0) break;
    }
    const rule = matching[0];
    if (!rule) return { rule: null, subsets: [], notes, readable: true };
    // Istio merges the DestinationRules of one host in a namespace (pilot's mergeDestinationRule, oldest first): the
    // subsets of each later one are added unless an earlier one already has that name.
    const defined = new Map<string, { readonly name: string; readonly labels?: Readonly<Record<string, string>> | undefined }>();
    for (const subset of matching.flatMap((candidate) => candidate.spec.subsets ?? [])) if (!defined.has(subset.name)) defined.set(subset.name, subset);
    const serviceSelector = service ? await selectorOfService(service, notes) : {};
    const subsets: SubsetInfo[] = [];
    for (const subset of defined.values()) {
      const labels = subset.labels ?? {};
      // Istio sends a subset's traffic to the Service's endpoints that also carry the subset labels.
      const selector = Object.entries({ ...serviceSelector, ...labels })
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      let pods: number | null = null;
      try {
        const list = await deps.core.listNamespacedPod({ namespace: podNamespace, labelSelector: selector, fieldSelector: 'status.phase=Running' });
        pods = list.items.length;
      } catch (cause) {
        notes.push(`pods of subset ${subset.name} unknown: ${describeKubeError(cause, `list pods in ${podNamespace}`, cluster.name)}`);
      }
      subsets.push({ name: subset.name, labels, pods });
    }
    return { rule, subsets, notes, readable: true };
  }

  async function readRoute(provider: TrafficProvider, namespace: string, name: string): Promise<Result<{ vs: TrafficObject; object: KubeObject; apiVersion: string }, string>> {
    const read = await provider.get(namespace, name);
    if (!read.ok) {
      return fail(read.error.kind === 'not-found' ? `${provider.kind} ${namespace}/${name} does not exist in cluster ${cluster.name}. Check \`kubectl -n ${namespace} get ${provider.resource}\`.` : read.error.message);
    }
    const parsed = provider.parse(read.value.object, namespace, name);
    return parsed.ok ? ok({ vs: parsed.value, object: read.value.object, apiVersion: read.value.version }) : parsed;
  }

  /**
   * Which kind `name` is: the one `--kind` names, else whichever exists. Both existing is refused: patching
   * the wrong one would change nothing users see, or the wrong traffic.
   */
  async function resolve(namespace: string, name: string, kind: RouteKind | undefined): Promise<Result<TrafficProvider, string>> {
    if (kind !== undefined) {
      if (kind === 'HTTPRoute' && !httpRoutes) return fail('This mesh-bot cannot read HTTPRoutes; promote a VirtualService instead.');
      return ok(providerOf(kind));
    }
    if (!httpRoutes) return ok(virtualServices);
    const found: TrafficProvider[] = [];
    for (const provider of providers) {
      const read = await provider.get(namespace, name);
      if (read.ok) found.push(provider);
      // An unserved API (no Istio, no Gateway API CRDs) answers 404 as well: that kind simply is not there.
      // An install whose Role predates HTTPRoutes may not read them: it cannot patch one either, so only the
      // VirtualService is a candidate (and one that is absent is named as such below).
      else if (read.error.kind !== 'not-found' && !(read.error.kind === 'forbidden' && provider.kind === 'HTTPRoute')) return fail(read.error.message);
    }
    if (found.length > 1) {
      return fail(`Both a VirtualService and an HTTPRoute are named ${namespace}/${name}; say which one to use with --kind virtualservice or --kind httproute.`);
    }
    if (found.length === 0) {
      return fail(`Neither a VirtualService nor an HTTPRoute named ${namespace}/${name} exists in cluster ${cluster.name}. Check \`kubectl -n ${namespace} get virtualservices,httproutes\`.`);
    }
    return ok(found[0] as TrafficProvider);
  }

  /** The running pods behind each backend Service of an HTTPRoute (its "subsets"), by the Service's selector, in the Service's namespace. */
  async function backendsOf(refs: readonly { readonly name: string; readonly namespace: string }[]): Promise<{ subsets: SubsetInfo[]; notes: string[] }> {
    const notes: string[] = [];
    const subsets: SubsetInfo[] = [];
    for (const { name, namespace } of refs) {
      let selector: Record<string, string> | null = null;
      try {
        const service = await deps.core.readNamespacedService({ name, namespace });
        selector = service.spec?.selector ?? {};
      } catch (cause) {
        if (kubeStatusOf(cause)?.code === 404) {
          subsets.push({ name, labels: {}, pods: 0, namespace });
          notes.push(`Service ${namespace}/${name} does not exist.`);
        } else {
          subsets.push({ name, labels: {}, pods: null, namespace });
          notes.push(`Service ${namespace}/${name} unreadable: ${describeKubeError(cause, `read Service ${namespace}/${name}`, cluster.name)}`);
        }
        continue;
      }
      let pods: number | null = null;
      const labelSelector = Object.entries(selector).map(([key, value]) => `${key}=${value}`).join(',');
      if (labelSelector !== '') {
        try {
          pods = (await deps.core.listNamespacedPod({ namespace, labelSelector, fieldSelector: 'status.phase=Running' })).items.length;
        } catch (cause) {
          notes.push(`pods of Service ${name} unknown: ${describeKubeError(cause, `list pods in ${namespace}`, cluster.name)}`);
        }
      }
      subsets.push({ name, labels: selector, pods, namespace });
    }
    return { subsets, notes };
  }

  /** Who else drives the route's weights (`notes` gets what could not be checked). */
  async function ownerOf(provider: TrafficProvider, vs: TrafficObject, notes: string[]): Promise<Owner | null> {
    const namespace = vs.metadata.namespace ?? '';
    // A Rollout in any namespace may edit the route (Argo's `name.namespace`, the Gateway API plugin's `namespace`);
    // a Role limited to namespaces still lets mesh-bot see the route's own.
    const everywhere = await istio.listCustom('argoproj.io', 'v1alpha1', 'rollouts', undefined);
    const rollouts = everywhere.ok || everywhere.error.kind !== 'forbidden' ? everywhere : await istio.listCustom('argoproj.io', 'v1alpha1', 'rollouts', namespace);
    if (!everywhere.ok && everywhere.error.kind === 'forbidden' && rollouts.ok) notes.push(`only Argo Rollouts in ${namespace} were checked: ${everywhere.error.message}`);
    // 404 means Argo Rollouts is not installed: then nothing can own the VirtualService through it.
    if (!rollouts.ok && rollouts.error.kind !== 'not-found') notes.push(`could not check Argo Rollouts: ${rollouts.error.message}`);
    return detectOwner(vs, rollouts.ok ? provider.rollouts(rollouts.value) : [], provider.weights);
  }

  /**
   * The pre-flight's owner check again, at the click: up to the TTL may have passed, and adopting the route into
   * Argo CD or Flux, or a Rollout naming it, changes none of the fields the patch tests. An unreadable route proves
   * nothing here (the patch's own fences still hold).
   */
  async function ownerNow(request: PromotionRequest): Promise<Owner | null> {
    const provider = providerOf(request.kind);
    const read = await provider.get(request.namespace, request.virtualService);
    if (!read.ok) return null;
    const parsed = provider.parse(read.value.object, request.namespace, request.virtualService);
    return parsed.ok ? ownerOf(provider, parsed.value, []) : null;
  }

  async function inspect(namespace: string, name: string, kind?: RouteKind): Promise<Result<CanaryInspection, string>> {
    const resolved = await resolve(namespace, name, kind);
    if (!resolved.ok) return resolved;
    const provider = resolved.value;
    const read = await readRoute(provider, namespace, name);
    if (!read.ok) return read;
    const { vs } = read.value;
    const notes: string[] = [];
    const owner = await ownerOf(provider, vs, notes);

    const routes = provider.routes(vs);
    const host = splitHost(routes) ?? name;
    const found = provider.kind === 'VirtualService' ? await subsetsOf(namespace, host) : { rule: null, readable: true, ...(await backendsOf(splitBackendRefs(vs as GatewayHttpRoute))) };
    const { rule, subsets, notes: subsetNotes } = found;
    notes.push(...subsetNotes);
    if (provider.kind === 'HTTPRoute') {
      for (const { parent, why } of rejectingParents(vs as GatewayHttpRoute)) notes.push(`${parent} did not accept HTTPRoute ${namespace}/${name} (${why}): its rules are not in effect there.`);
    }
    const listed = await listRequests(namespace, name, provider.kind);
    if (!listed.ok) notes.push(`promotion requests unavailable: ${listed.error}`);
    const requests = listed.ok ? listed.value : [];
    const now = deps.now();
    return ok({
      vs,
      kind: provider.kind,
      routes,
      apiVersion: read.value.apiVersion,
      destinationRule: rule,
      subsets,
      owner,
      pending: requests.filter((request) => request.state === 'pending' && !isExpired(request, now)),
      lastApplied: [...requests].reverse().find((request) => request.state === 'applied') ?? null,
      applied: requests.filter((request) => request.state === 'applied'),
      roles: recordedRoles(vs.metadata.annotations),
      notes,
      subsetsUnreadable: found.readable ? undefined : subsetNotes.join(' '),
    });
  }

  function ownerRefusal(owner: Owner, kind: RouteKind, namespace: string, name: string): string {
    return `${owner.tool} manages ${kind} ${namespace}/${name} (${owner.evidence}), so mesh-bot will not patch it. ${owner.advice}`;
  }

  /** The subsets (backend Services) a plan shifts: status shows the first split's, the plan may shift another service's (`--subset`). */
  async function subsetsOfPlan(inspection: CanaryInspection, plan: CanaryPlan): Promise<Pick<CanaryInspection, 'destinationRule' | 'subsets' | 'subsetsUnreadable'>> {
    const namespace = inspection.vs.metadata.namespace ?? '';
    const inspectedHost = splitHost(inspection.routes);
    if (inspection.kind !== 'VirtualService' || inspectedHost === undefined || serviceFqdn(inspectedHost, namespace) === serviceFqdn(plan.host, namespace)) return inspection;
    const found = await subsetsOf(namespace, plan.host);
    return { destinationRule: found.rule, subsets: found.subsets, subsetsUnreadable: found.readable ? undefined : found.notes.join(' ') };
  }

  /** Plan and pre-flight: every check that can refuse happens here, before anyone is asked. */
  async function prepare(namespace: string, name: string, weight: number, subset: string | undefined, kind?: RouteKind, host?: string): Promise<Result<PreparedPromotion, string>> {
    const inspected = await inspect(namespace, name, kind);
    if (!inspected.ok) return inspected;
    const inspection = inspected.value;
    const provider = providerOf(inspection.kind);
    if (inspection.owner) return fail(ownerRefusal(inspection.owner, inspection.kind, namespace, name));
    const last = inspection.lastApplied;
    const rolesOf = (request: PromotionRequest) => ({ stableSubset: request.plan.stableSubset, canarySubset: request.plan.canarySubset, ...(request.plan.host !== '' && (request.kind ?? 'VirtualService') === 'VirtualService' ? { host: request.plan.host } : {}) });
    // With --host, what mesh-bot knows of that service: the record holds the last change's service only, so after a
    // ratings promotion the reviews canary (at 0/100 after a 100 % flip, say) is known from its own last request.
    const meant = host === undefined ? undefined : hostsMeant(host, namespace);
    // A record without its service (written before mesh-bot kept it) may be another service's when the routes split several.
    const several = host !== undefined && splitsOtherThanTyped(inspection, host);
    const ofService = (candidate: { readonly host?: string | undefined }) => meant === undefined || (candidate.host === undefined ? !several : meant.has(serviceFqdn(candidate.host, namespace)));
    const candidates = [inspection.roles, ...(meant === undefined ? (last ? [last] : []) : [...(inspection.applied ?? [])].reverse()).map(rolesOf)];
    const remembered = candidates.find((candidate) => candidate !== undefined && ofService(candidate));
    // No defaultHost: a promotion raises a canary, so with several services it must be told which (README), never
    // aimed at the service of mesh-bot's last change behind the typist's back.
    const planned = provider.plan(inspection.vs, { weight, canarySubset: subset, remembered, host });
    if (!planned.ok) return planned;
    const plan = planned.value;
    const { destinationRule, subsets, subsetsUnreadable } = await subsetsOfPlan(inspection, plan);
    // An unreadable list says nothing about whether the DestinationRule exists: "create one" would send people the wrong way.
    if (subsetsUnreadable !== undefined) return fail(`mesh-bot could not check the subsets of ${plan.host}, so nothing was asked: ${subsetsUnreadable}`);

    if (provider.kind === 'HTTPRoute') {
      const route = inspection.vs as GatewayHttpRoute;
      const rejecting = rejectingParents(route);
      if (rejecting.length > 0 && rejecting.length === (route.status?.parents ?? []).length) {
        return fail(`No parent of HTTPRoute ${namespace}/${name} accepted it (${rejecting.map(({ parent, why }) => `${parent}: ${why}`).join('; ')}), so its weights route no traffic. Fix the route or its parent first, then ask again.`);
      }
      const unresolved = unresolvedBackends(route);
      if (unresolved.length > 0) {
        return fail(`HTTPRoute ${namespace}/${name} cannot resolve its backends (${unresolved.join('; ')}), so traffic shifted by it could fail. Fix the route first (a backend in another namespace needs a ReferenceGrant there), then ask again.`);
      }
      for (const wanted of checkedSubsets(plan)) {
        // Rules may name Services of one name in different namespaces (a backendRef's `namespace`): each gets traffic.
        const empty = subsets.find((candidate) => candidate.name === wanted && candidate.pods === 0);
        if (empty !== undefined && receivingSubsets(plan).has(wanted)) return fail(`Service ${empty.namespace ?? namespace}/${wanted} selects no running pods (or does not exist); traffic sent there would fail. Deploy it first.`);
      }
    } else if (!destinationRule) return fail(`No DestinationRule defines subsets for ${plan.host} (looked in ${ruleNamespaces(namespace, plan.host).join(', ')}), so subsets ${plan.stableSubset} and ${plan.canarySubset} route nowhere. Create one first.`);
    for (const wanted of checkedSubsets(plan)) {
      const found = subsets.find((candidate) => candidate.name === wanted);
      if (!found) return fail(`Subset ${wanted} is not defined in DestinationRule ${destinationRule?.metadata.namespace ?? namespace}/${destinationRule?.metadata.name ?? ''}. Add it before shifting traffic to it.`);
      const receives = receivingSubsets(plan).has(wanted);
      if (found.pods === 0 && receives) return fail(`Subset ${wanted} (${Object.entries(found.labels).map(([key, value]) => `${key}=${value}`).join(', ') || 'no labels'}) selects no running pods in ${kubernetesService(plan.host, namespace)?.namespace ?? namespace}; traffic sent there would fail. Deploy it first.`);
    }

    const delegateNotes: string[] = [];
    if (provider.kind === 'VirtualService' && isDelegate(inspection.vs)) {
      const roots = await delegateRoots(namespace, name, inspection.apiVersion);
      if (roots.ok && roots.value.length === 0) {
        return fail(`VirtualService ${namespace}/${name} has no hosts, so Istio uses its routes only as a delegate of another VirtualService, and none delegates to it: its weights route no traffic. Promote the VirtualService that routes the traffic, or add a delegate to ${namespace}/${name} in one first.`);
      }
      delegateNotes.push(roots.ok ? `Delegate of ${roots.value.map((root) => `VirtualService ${String(root.metadata?.['namespace'] ?? '')}/${String(root.metadata?.['name'] ?? '')}`).join(', ')}.` : roots.error);
    }

    const dryRun = await provider.patch(namespace, name, inspection.apiVersion, plan.patch, { dryRun: true });
    if (!dryRun.ok) return fail(dryRunRefusal(dryRun.error, inspection.kind, namespace, name));
    const routeSpec = inspection.vs.spec as Readonly<Record<string, unknown>>;
    const notes = [
      provider.kind === 'VirtualService' ? 'Dry run passed (schema and Istio validation).' : 'Dry run passed (schema and admission validation).',
      ...delegateNotes,
      ...(provider.kind === 'VirtualService' ? [...layer4Leftovers(routeSpec, namespace, plan, 'promotion'), ...virtualServiceMirrors(routeSpec, namespace, plan, 'promotion')] : httpRouteMirrors(routeSpec, plan, 'promotion')),
      ...(await analyzeNotes(namespace, name, inspection.kind, destinationRule?.metadata.name)),
      ...subsets.filter((info) => info.name === plan.stableSubset || info.name === plan.canarySubset).map((info) => `${provider.kind === 'VirtualService' ? 'Subset' : 'Service'} ${info.name}: ${info.pods === null ? 'pods unknown' : `${info.pods} running pod${info.pods === 1 ? '' : 's'}`}`),
      ...inspection.notes,
    ];
    return ok({ inspection, plan, notes });
  }

  /**
   * What `istioctl analyze` says about this VirtualService and its DestinationRule, for the approver to weigh;
   * findings inform, they do not block (the dry run already enforced what Istio rejects).
   */
  async function analyzeNotes(namespace: string, vsName: string, kind: RouteKind, ruleName: string | undefined): Promise<string[]> {
    const analyzed = await deps.istioctl.analyze(cluster, { kind: 'namespace', namespace });
    if (!analyzed.ok) return [`istioctl analyze unavailable: ${analyzed.error.message}`];
    const concerning = analyzed.value.value.findings.filter(
      (finding) =>
        finding.resource?.namespace === namespace &&
        ((finding.resource.kind === kind && finding.resource.name === vsName) || (finding.resource.kind === 'DestinationRule' && finding.resource.name === ruleName)),
    );
    if (concerning.length === 0) return [kind === 'VirtualService' ? 'istioctl analyze: no findings for this VirtualService or its DestinationRule.' : 'istioctl analyze: no findings for this HTTPRoute.'];
    return concerning.slice(0, 5).map((finding) => `istioctl analyze ${finding.level} ${finding.code} (${finding.resource?.kind} ${finding.resource?.name}): ${finding.message}`);
  }

  function dryRunRefusal(error: KubeCallError, kind: RouteKind, namespace: string, name: string): string {
    if (error.kind === 'denied') return `${kind === 'VirtualService' ? "Istio's validation" : 'Validation'} refused the change to ${namespace}/${name}: ${error.serverMessage}. Nothing was changed.`;
    if (error.kind === 'test-failed') return `${kind} ${namespace}/${name} changed while mesh-bot was planning; run the command again.`;
    return `The dry run of the change failed: ${error.message}`;
  }

  /** A terminal stand-in under an absent request's name, so that request can never be created late. */
  function tombstone(id: string, namespace: string, virtualService: string, since: string): PromotionRequest {
    return {
      id,
      cluster: cluster.name,
      namespace,
      virtualService,
      apiVersion: '',
      requester: '',
      requestChannel: '',
      requestedAt: since,
      expiresAt: since,
      state: 'cancelled',
      card: null,
      decidedBy: null,
      decidedAt: null,
      plan: { host: '', stableSubset: '', canarySubset: '', currentWeight: 0, targetWeight: 0, resourceVersion: '', changes: [], patch: [] },
      preflight: { notes: [] },
      outcome: { message: 'The replica creating this request stopped before it was recorded; nothing was changed.', appliedAt: null, propagation: null },
      rolledBack: null,
    };
  }

  type Holder = { readonly state: 'terminal' } | { readonly state: 'active'; readonly request: PromotionRequest } | { readonly state: 'unknown'; readonly reason: string };

  /**
   * Whether the request a lock or the owner annotation names is provably done. Absent (404) counts as done
   * only once its name is taken by a tombstone; a read error proves nothing.
   */
  async function holderState(id: string, namespace: string, virtualService: string, since: string): Promise<Holder> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const read = await store.get(requestName(id), promotionRequestSchema);
      if (!read.ok) return { state: 'unknown', reason: read.error.message };
      const holder = read.value?.value;
      if (holder) {
        return TERMINAL_STATES.includes(holder.state) || isExpired(holder, deps.now()) ? { state: 'terminal' } : { state: 'active', request: holder };
      }
      const buried = await store.create(requestName(id), tombstone(id, namespace, virtualService, since), PROMOTION_LABELS);
      if (buried.ok) return { state: 'terminal' };
      // `exists`: the holder was created between the read and the tombstone; read it again.
      if (buried.error.kind !== 'exists') return { state: 'unknown', reason: buried.error.message };
    }
    return { state: 'unknown', reason: `promotion request ${id} kept changing` };
  }

  function busy(request: PromotionRequest, namespace: string, name: string): string {
    // Whose: on an ingress VirtualService of several services, a ratings promotion waits on a reviews request too.
    const of = (request.kind ?? 'VirtualService') === 'VirtualService' && request.plan.host !== '' ? ` for ${shortHost(serviceFqdn(request.plan.host, namespace), namespace)}` : '';
    return `A promotion of ${namespace}/${name} is already ${request.state} (request ${request.id} by <@${request.requester}>${of}: ${weightChange(request.plan)}). Let it be decided or expire first.`;
  }

  /** One promotion at a time per VirtualService: a lock record that names the request holding it. */
  async function acquireLock(namespace: string, name: string, kind: RouteKind, id: string): Promise<Result<Stored<{ requestId: string; since: string }>, string>> {
    const lock = { requestId: id, since: deps.now().toISOString() };
    const created = await store.create(lockName(namespace, name, kind), lock, LOCK_LABELS);
    if (created.ok) return created;
    if (created.error.kind !== 'exists') return fail(created.error.message);
    const current = await store.get(lockName(namespace, name, kind), lockSchema);
    if (!current.ok || !current.value) return fail('Another promotion of this VirtualService is starting right now; try again in a moment.');
    const holder = await holderState(current.value.value.requestId, namespace, name, current.value.value.since);
    if (holder.state === 'active') return fail(busy(holder.request, namespace, name));
    if (holder.state === 'unknown') return fail(`mesh-bot could not tell whether the earlier promotion of ${namespace}/${name} is finished (${holder.reason}); try again in a moment.`);
    const taken = await store.replace(current.value, lock);
    return taken.ok ? taken : fail('Another promotion of this VirtualService started at the same moment; try again.');
  }

  async function releaseLock(request: PromotionRequest): Promise<void> {
    const current = await store.get(lockName(request.namespace, request.virtualService, request.kind), lockSchema);
    if (current.ok && current.value && current.value.value.requestId === request.id) await store.remove(current.value.name, current.value.resourceVersion);
  }

  /** Step 3: the VirtualService names this request as the owner of its weights. */
  async function claimOwnership(request: PromotionRequest): Promise<Result<void, string>> {
    const { namespace, virtualService: name } = request;
    const provider = providerOf(request.kind);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const read = await provider.get(namespace, name);
      if (!read.ok) return fail(read.error.kind === 'not-found' ? `${provider.kind} ${namespace}/${name} no longer exists.` : read.error.message);
      const annotations = annotationsOf(read.value.object);
      const previous = annotations[OWNER_ANNOTATION];
      if (previous !== undefined && previous !== request.id) {
        const holder = await holderState(previous, namespace, name, request.requestedAt);
        if (holder.state === 'active') return fail(busy(holder.request, namespace, name));
        if (holder.state === 'unknown') return fail(`mesh-bot could not tell whether promotion ${previous} of ${namespace}/${name} is finished (${holder.reason}); try again in a moment.`);
      }
      const resourceVersion = (read.value.object.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
      const hasAnnotations = (read.value.object.metadata as { annotations?: unknown } | undefined)?.annotations !== undefined;
      const ops: JsonPatchOp[] = [
        { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion },
        hasAnnotations ? { op: 'add', path: annotationPath(OWNER_ANNOTATION), value: request.id } : { op: 'add', path: '/metadata/annotations', value: { [OWNER_ANNOTATION]: request.id } },
      ];
      const claimed = await provider.patch(namespace, name, read.value.version, ops, { dryRun: false });
      if (claimed.ok) return ok(undefined);
      if (claimed.error.kind !== 'test-failed') return fail(claimed.error.message);
    }
    return fail(`${provider.kind} ${namespace}/${name} kept changing while mesh-bot recorded the request; try again.`);
  }

  /** Gives the VirtualService's weights back, only if this request still owns them. Best effort: a stale owner of a terminal request is taken over. */
  async function releaseOwnership(request: PromotionRequest): Promise<Result<'released' | 'not-owner' | 'gone', KubeCallError>> {
    const released = await providerOf(request.kind).patch(
      request.namespace,
      request.virtualService,
      request.apiVersion,
      [
        { op: 'test', path: annotationPath(OWNER_ANNOTATION), value: request.id },
        { op: 'remove', path: annotationPath(OWNER_ANNOTATION) },
      ],
      { dryRun: false },
    );
    if (released.ok) return ok('released');
    if (released.error.kind === 'test-failed') return ok('not-owner');
    if (released.error.kind === 'not-found') return ok('gone');
    return err(released.error);
  }

  /** Ends a request that never wrote weights: its state, then the owner annotation and the lock. */
  async function finish(request: PromotionRequest): Promise<void> {
    const released = await releaseOwnership(request);
    if (!released.ok) logger.warn({ canary: { event: 'owner-not-released', id: request.id, reason: released.error.message } }, 'could not release the VirtualService; the next request takes it over');
    await releaseLock(request);
  }

  async function createRequest(prepared: PreparedPromotion, requester: string, requestChannel: string): Promise<Result<PromotionRequest, string>> {
    const id = newRequestId();
    const { vs, kind } = prepared.inspection;
    const namespace = vs.metadata.namespace ?? '';
    const locked = await acquireLock(namespace, vs.metadata.name, kind, id);
    if (!locked.ok) return locked;
    const now = deps.now();
    const request: PromotionRequest = {
      id,
      cluster: cluster.name,
      namespace,
      virtualService: vs.metadata.name,
      // Absent means VirtualService: requests stored before HTTPRoutes read the same.
      ...(kind === 'VirtualService' ? {} : { kind }),
      apiVersion: prepared.inspection.apiVersion,
      requester,
      requestChannel,
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + deps.ttlMs).toISOString(),
      state: 'pending',
      card: null,
      decidedBy: null,
      decidedAt: null,
      plan: planRecord(prepared.plan),
      ...(otherServicesSplit(prepared.inspection, prepared.plan) ? { otherServices: true } : {}),
      preflight: { notes: [...prepared.notes] },
      outcome: null,
      rolledBack: null,
    };
    const created = await store.create(requestName(id), request, PROMOTION_LABELS);
    if (!created.ok) {
      // The create may have landed all the same (an answer lost to a timeout): find out before letting go of the lock.
      const landed = created.error.kind === 'exists' ? { state: 'terminal' as const } : await holderState(id, namespace, vs.metadata.name, request.requestedAt);
      if (landed.state === 'unknown') return fail(`mesh-bot could not tell whether the request was recorded (${created.error.message}); the leader cleans it up within minutes, then ask again.`);
      if (landed.state === 'terminal') {
        await store.remove(locked.value.name, locked.value.resourceVersion);
        return fail(created.error.kind === 'exists' ? 'Another replica ended this request while it was being recorded; try again.' : created.error.message);
      }
    }
    const claimed = await claimOwnership(request);
    if (!claimed.ok) {
      await cancel(id, `mesh-bot could not record the request on the ${kind}: ${claimed.error}`);
      return claimed;
    }
    logger.info({ canary: { event: 'requested', id, cluster: cluster.name, namespace, vs: vs.metadata.name, requester, change: weightChange(request.plan) } }, 'promotion requested');
    return ok(request);
  }

  /** Read-modify-write with compare-and-swap; retried when someone else wrote in between. */
  async function update(id: string, change: (current: PromotionRequest) => PromotionRequest | null): Promise<Result<PromotionRequest, string>> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const read = await store.get(requestName(id), promotionRequestSchema);
      if (!read.ok) return fail(read.error.message);
      if (!read.value) return fail(`Promotion request ${id} no longer exists.`);
      const next = change(read.value.value);
      if (next === null) return ok(read.value.value);
      const written = await store.replace(read.value, next);
      if (written.ok) return ok(next);
      if (written.error.kind !== 'conflict') return fail(written.error.message);
    }
    return fail(`Promotion request ${id} kept changing; try again.`);
  }

  async function get(id: string): Promise<PromotionRequest | null> {
    const read = await store.get(requestName(id), promotionRequestSchema);
    return read.ok ? (read.value?.value ?? null) : null;
  }

  /** The audit Event on the VirtualService; one retry, and an Event that already exists is the one we meant. */
  async function recordEvent(target: Pick<PromotionRequest, 'namespace' | 'virtualService' | 'apiVersion' | 'kind'>, message: string, reason: string, id: string | null): Promise<void> {
    const provider = providerOf(target.kind);
    const now = deps.now();
    const body = {
      // Named per request and reason, so a retry after a lost answer, or the sweep confirming the same change, makes no second Event.
      metadata: id === null ? { generateName: `${eventNamePart(target.virtualService, GENERATED_NAME_BASE - 1)}.`, namespace: target.namespace } : { name: `${eventNamePart(target.virtualService, MAX_NAME - id.length - reason.length - 2)}.${id}.${reason.toLowerCase()}`, namespace: target.namespace },
      involvedObject: { apiVersion: `${provider.group}/${target.apiVersion}`, kind: provider.kind, name: target.virtualService, namespace: target.namespace },
      reason,
      message,
      type: 'Normal',
      source: { component: 'mesh-bot' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      try {
        await deps.core.createNamespacedEvent({ namespace: target.namespace, body });
        return;
      } catch (cause) {
        if (kubeStatusOf(cause)?.reason === 'AlreadyExists' && id !== null) return;
        if (attempt === 2) logger.warn({ err: cause, request: id }, 'could not record a Kubernetes Event');
      }
    }
  }

  /**
   * Polls proxy-status (data read after the write, never a cached answer from before) until `judge` calls a poll
   * done, or the deadline. A poll counts as proof only when taken once istiod can have pushed: before that every
   * proxy is still SYNCED, with the old configuration.
   */
  async function pollProxyStatus<T>(
    writtenAt: Date,
    judge: (report: ProxyStatusReport) => { readonly done: boolean; readonly value: T },
  ): Promise<Result<{ readonly value: T; readonly complete: boolean; readonly seconds: number }, { readonly message: string; readonly seconds: number }>> {
    const started = writtenAt.getTime();
    const settleMs = Math.min(deps.propagation.settleMs ?? ISTIOD_DEBOUNCE_MAX_MS, deps.propagation.timeoutMs);
    let since = writtenAt;
    for (;;) {
      const status = await deps.istioctl.proxyStatus(cluster, { notBefore: since });
      const seconds = Math.round((deps.now().getTime() - started) / 1000);
      if (!status.ok) return err({ message: status.error.message, seconds });
      const judged = judge(status.value.value);
      const late = status.value.asOf.getTime() - started >= settleMs;
      if ((judged.done && late) || deps.now().getTime() - started >= deps.propagation.timeoutMs) return ok({ value: judged.value, complete: judged.done && late, seconds });
      await deps.sleep(deps.propagation.intervalMs);
      since = deps.now();
    }
  }

  /**
   * Which proxies carry a VirtualService's routes: the sidecars (its namespace's, as mesh-bot has always counted
   * them) when it applies to the mesh (`gateways` absent or naming `mesh`), and the pods each named Gateway selects
   * (`pod.namespace`, as proxy-status names them), in any namespace, as Istio matches a Gateway's selector. A
   * VirtualService bound to an ingress gateway only is served by that gateway's Envoy alone.
   */
  async function virtualServiceProxies(namespace: string, name: string): Promise<Result<{ readonly mesh: boolean; readonly gatewayPods: readonly string[] }, string>> {
    const read = await virtualServices.get(namespace, name);
    if (!read.ok) return fail(read.error.message);
    // A delegate's own gateways are ignored by Istio: its routes are served where its roots are.
    const roots = isDelegate(read.value.object) ? await delegateRoots(namespace, name, read.value.version) : ok([read.value.object]);
    if (!roots.ok) return roots;
    const bindings = roots.value.map((root) => ({ namespace: typeof root.metadata?.['namespace'] === 'string' ? root.metadata['namespace'] : namespace, gateways: gatewaysOf(root) }));
    const mesh = bindings.some((binding) => binding.gateways.length === 0 || binding.gateways.includes('mesh'));
    const pods = new Set<string>();
    for (const gateway of bindings.flatMap((binding) => binding.gateways.filter((candidate) => candidate !== 'mesh').map((candidate) => ({ gateway: candidate, namespace: binding.namespace })))) {
      const [gatewayNamespace, gatewayName] = gateway.gateway.includes('/') ? (gateway.gateway.split('/', 2) as [string, string]) : [gateway.namespace, gateway.gateway];
      const listed = await istio.listCustom('networking.istio.io', read.value.version, 'gateways', gatewayNamespace);
      if (!listed.ok) return fail(`could not read Gateway ${gatewayNamespace}/${gatewayName}: ${listed.error.message}`);
      const found = listed.value.find((item) => (item.metadata as { name?: unknown } | undefined)?.name === gatewayName);
      const selector = (found?.spec as { selector?: Record<string, unknown> } | undefined)?.selector ?? {};
      const labelSelector = Object.entries(selector).filter((entry): entry is [string, string] => typeof entry[1] === 'string').map(([key, value]) => `${key}=${value}`).join(',');
      // A Gateway that does not exist, or selects nothing, is served by no proxy: nothing of it to wait for.
      if (labelSelector === '') continue;
      try {
        const list = await deps.core.listPodForAllNamespaces({ labelSelector, fieldSelector: 'status.phase=Running' });
        for (const pod of list.items) pods.add(`${pod.metadata?.name ?? ''}.${pod.metadata?.namespace ?? ''}`);
      } catch (cause) {
        return fail(`could not list the pods of Gateway ${gatewayNamespace}/${gatewayName}: ${describeKubeError(cause, `list pods with ${labelSelector}`, cluster.name)}`);
      }
    }
    return ok({ mesh, gatewayPods: [...pods].sort() });
  }

  /**
   * The VirtualServices whose `http[].delegate` names `namespace/name` (a delegate's namespace defaults to its
   * root's), in any namespace: Istio uses a VirtualService without hosts only through them.
   */
  async function delegateRoots(namespace: string, name: string, version: string): Promise<Result<KubeObject[], string>> {
    const listed = await istio.listCustom('networking.istio.io', version, 'virtualservices', undefined);
    if (!listed.ok) return fail(`could not list the VirtualServices that may delegate to ${namespace}/${name}: ${listed.error.message}`);
    return ok(
      listed.value.filter((candidate) => {
        const http = (candidate.spec as { http?: unknown } | undefined)?.http;
        return Array.isArray(http) && http.some((route) => {
          const delegate = (route as { delegate?: { name?: unknown; namespace?: unknown } } | null)?.delegate;
          return delegate?.name === name && (typeof delegate.namespace === 'string' && delegate.namespace !== '' ? delegate.namespace : candidate.metadata?.['namespace']) === namespace;
        });
      }),
    );
  }

  /**
   * A VirtualService's change is live once no proxy that carries its routes (see `virtualServiceProxies`) is STALE
   * (or ERROR) after istiod pushed; a gateway pod that is not connected to istiod at all proves nothing either.
   */
  async function proveSync(namespace: string, writtenAt: Date, route?: { readonly kind: RouteKind | undefined; readonly name: string; readonly generation: number | null }): Promise<Propagation> {
    if (route?.kind === 'HTTPRoute') return proveHttpRoute(namespace, route.name, route.generation, writtenAt);
    const serving = route ? await virtualServiceProxies(namespace, route.name) : ok({ mesh: true, gatewayPods: [] as readonly string[] });
    if (!serving.ok) return { total: 0, inSync: 0, stale: [], seconds: Math.round((deps.now().getTime() - writtenAt.getTime()) / 1000), complete: false, error: `could not tell which proxies serve the VirtualService: ${serving.error}` };
    const { mesh, gatewayPods } = serving.value;
    const polled = await pollProxyStatus(writtenAt, (report) => {
      const proxies = report.proxies.filter((proxy) => (mesh && proxy.namespace === namespace) || gatewayPods.includes(proxy.name));
      const stale = proxies.filter((proxy) => Object.values(proxy.states).some((state) => state === 'STALE' || state === 'ERROR')).map((proxy) => proxy.name);
      const unconnected = gatewayPods.filter((pod) => !report.proxies.some((proxy) => proxy.name === pod)).map((pod) => `${pod} (not connected to istiod)`);
      return { done: stale.length === 0 && unconnected.length === 0, value: { total: proxies.length + unconnected.length, stale: [...stale, ...unconnected] } };
    });
    if (!polled.ok) return { total: 0, inSync: 0, stale: [], seconds: polled.error.seconds, complete: false, error: polled.error.message };
    const { total, stale } = polled.value.value;
    return { total, inSync: total - stale.length, stale: stale.slice(0, 50), seconds: polled.value.seconds, complete: polled.value.complete, error: null };
  }

  /**
   * An HTTPRoute's change is live once every parent accepted it and, in ambient, every waypoint serving it is
   * SYNCED after istiod pushed (src/mesh/canary/waypoint-proof.ts). One deadline, counted from the write, for both.
   */
  async function proveHttpRoute(namespace: string, name: string, generation: number | null, writtenAt: Date): Promise<Propagation> {
    const accepted = await proveAccepted(namespace, name, generation, writtenAt);
    // Only a mesh-bot that reads HTTPRoutes (deps.gateway) gets here.
    if (!accepted.route || !deps.gateway) return accepted.propagation;
    const parents = accepted.propagation;
    const reads = kubeWaypointReads(deps.core, deps.gateway, cluster.name);
    const resolved = await resolveWaypoints(namespace, accepted.route.spec.parentRefs ?? [], reads);
    if (!resolved.ok) return { ...parents, complete: false, error: `could not tell which waypoint serves the route: ${resolved.error}` };
    if (resolved.value.length === 0) return { ...parents, waypoints: [] };
    const podsOf = new Map<WaypointRef, readonly string[]>();
    for (const waypoint of resolved.value) {
      const pods = await reads.waypointPods(waypoint);
      if (!pods.ok) return { ...parents, complete: false, error: `could not check waypoint ${waypoint.namespace}/${waypoint.name}: ${pods.error}` };
      podsOf.set(waypoint, pods.value);
    }
    const polled = await pollProxyStatus(writtenAt, (report) => {
      const progress = resolved.value.map((waypoint) => waypointProgress(waypoint, podsOf.get(waypoint) ?? [], report));
      return { done: progress.every((waypoint) => waypoint.pending.length === 0), value: progress };
    });
    if (!polled.ok) {
      const names = resolved.value.map((waypoint) => `${waypoint.namespace}/${waypoint.name}`).join(', ');
      return { ...parents, seconds: polled.error.seconds, complete: false, error: `could not check waypoint ${names}: ${polled.error.message}` };
    }
    const waypoints = polled.value.value.map((waypoint) => ({ ...waypoint, pending: waypoint.pending.slice(0, 50) }));
    return { ...parents, seconds: polled.value.seconds, complete: polled.value.complete, waypoints };
  }

  /**
   * Every parent (Gateway, or the Service of a mesh route) reports Accepted and ResolvedRefs True observed at the
   * written generation or later: the controller's own word, not a timer. With it, the route as read then.
   */
  async function proveAccepted(namespace: string, name: string, generation: number | null, writtenAt: Date): Promise<{ readonly propagation: Propagation; readonly route?: GatewayHttpRoute }> {
    const started = writtenAt.getTime();
    for (;;) {
      const read = await providerOf('HTTPRoute').get(namespace, name);
      const elapsed = Math.round((deps.now().getTime() - started) / 1000);
      const parsed = read.ok ? parseHttpRoute(read.value.object, namespace, name) : null;
      if (!parsed?.ok) return { propagation: { total: 0, inSync: 0, stale: [], seconds: elapsed, complete: false, error: read.ok ? (parsed?.ok === false ? parsed.error : 'unreadable') : read.error.message, of: 'parents' } };
      // After an unclear write the new generation is unknown; the one read now is at least it.
      const acceptance = parentAcceptance(parsed.value, generation ?? parsed.value.metadata.generation ?? 0);
      const complete = acceptance.total > 0 && acceptance.pending.length === 0;
      if (complete || deps.now().getTime() - started >= deps.propagation.timeoutMs) {
        const propagation: Propagation = { total: acceptance.total, inSync: acceptance.accepted, stale: acceptance.pending.slice(0, 50), seconds: elapsed, complete, error: null, of: 'parents' };
        return complete ? { propagation, route: parsed.value } : { propagation };
      }
      await deps.sleep(deps.propagation.intervalMs);
    }
  }

  /** Why the fenced weight patch was refused, from the VirtualService as it is now. */
  async function whyRefused(request: PromotionRequest): Promise<string> {
    const { namespace, virtualService: name } = request;
    const provider = providerOf(request.kind);
    const kind = provider.kind;
    const suffix = `so nothing was written. Check its current weights with \`/mesh canary status ${name} -n ${namespace}\` and ask again.`;
    const read = await provider.get(namespace, name);
    if (!read.ok) return `${kind} ${namespace}/${name} changed since the request was made, ${suffix}`;
    const retargeted = changedScope(request.plan.patch, read.value.object);
    if (retargeted.length > 0) {
      return `${kind} ${namespace}/${name} changed since the request was made: its ${retargeted.join(' and ')} (which traffic it routes) changed, so nothing was written. Check where it applies now with \`kubectl -n ${namespace} get ${provider.resource} ${name} -o yaml\` and ask again if the change is still wanted.`;
    }
    const http = provider.rules(read.value.object);
    for (const change of request.plan.changes) {
      const approved = request.plan.patch.find((op) => op.op === 'test' && op.path === provider.rulePath(change.index))?.value;
      const label = ruleLabel({ index: change.index, name: change.name ?? undefined }, kind);
      if (approved === undefined || sameJson(http[change.index], approved)) continue;
      const moved = http.findIndex((route) => sameJson(route, approved));
      const [rule, parts] = kind === 'HTTPRoute' ? ['rule', 'matches, backends'] : ['route', 'match, destinations'];
      if (moved >= 0) return `${kind} ${namespace}/${name} changed since the request was made: ${label} moved to position ${moved + 1} (a ${rule} was added or removed above it), ${suffix}`;
      return `${kind} ${namespace}/${name} changed since the request was made: ${label} is no longer the ${rule} that was approved (its ${parts} or weights changed), ${suffix}`;
    }
    if (annotationsOf(read.value.object)[OWNER_ANNOTATION] !== request.id) {
      return `This request no longer owns ${kind} ${namespace}/${name} (the leader settled it as interrupted, or annotation ${OWNER_ANNOTATION} was changed), ${suffix}`;
    }
    return `${kind} ${namespace}/${name} changed since the request was made, ${suffix}`;
  }

  type Settlement = { readonly landed: boolean } | { readonly landed: null; readonly reason: string };

  /**
   * Whether an approved request's weights landed, decided by winning its fence: remove the owner annotation
   * only if it still names the request. Won → the weight patch can never land. Lost → the annotation is gone,
   * and `applied-request` says whether the weight patch took it.
   */
  async function settleByFence(request: PromotionRequest): Promise<Settlement> {
    const released = await releaseOwnership(request);
    if (!released.ok) return { landed: null, reason: released.error.message };
    if (released.value !== 'not-owner') return { landed: false };
    const read = await providerOf(request.kind).get(request.namespace, request.virtualService);
    if (!read.ok) return read.error.kind === 'not-found' ? { landed: false } : { landed: null, reason: read.error.message };
    return { landed: annotationsOf(read.value.object)[APPLIED_ANNOTATION] === request.id };
  }

  async function markApplied(request: PromotionRequest, appliedAt: Date, approver: string, confirmed: string): Promise<Result<PromotionRequest, string>> {
    const change = weightChange(request.plan);
    // `kubectl describe` of an ingress VirtualService that splits several services: whose canary this raised.
    const of = request.otherServices === true ? ` of ${shortHost(serviceFqdn(request.plan.host, request.namespace), request.namespace)}` : '';
    await recordEvent(request, `weights ${change}${of} requested by <@${request.requester}>, approved by <@${approver}> via mesh-bot`, 'WeightsChanged', request.id);
    logger.info({ canary: { event: 'applied', id: request.id, cluster: cluster.name, namespace: request.namespace, vs: request.virtualService, change, requester: request.requester, approver } }, 'promotion applied');
    const applied = await update(request.id, (current) => (current.state === 'approved' ? { ...current, state: 'applied', outcome: { message: `Weights changed: ${change}${confirmed}.`, appliedAt: appliedAt.toISOString(), propagation: null } } : null));
    // The lock goes with the recorded end only: a request still "approved" is settled by the sweep from
    // `applied-request`, which a second promotion let in meanwhile would already have moved on.
    if (applied.ok && TERMINAL_STATES.includes(applied.value.state)) await releaseLock(request);
    return applied;
  }

  async function markFailed(request: PromotionRequest, message: string, reason: string): Promise<PromotionRequest> {
    const failed = await update(request.id, (current) => (current.state === 'approved' ? { ...current, state: 'failed', outcome: { message, appliedAt: null, propagation: null } } : null));
    if (failed.ok && TERMINAL_STATES.includes(failed.value.state)) await releaseLock(request);
    logger.warn({ canary: { event: 'failed', id: request.id, reason } }, 'promotion failed');
    return failed.ok ? failed.value : { ...request, state: 'failed', outcome: { message, appliedAt: null, propagation: null } };
  }

  /** Step 6 and 7: the fenced weight patch, then the request's outcome. */
  async function apply(request: PromotionRequest, approver: string, onChange: (request: PromotionRequest) => Promise<void>): Promise<PromotionRequest> {
    const ops: JsonPatchOp[] = [
      { op: 'test', path: annotationPath(OWNER_ANNOTATION), value: request.id },
      ...(request.plan.patch as CanaryPlan['patch']),
      ...roleOps(request.plan, request.kind ?? 'VirtualService'),
      { op: 'add', path: annotationPath(APPLIED_ANNOTATION), value: request.id },
      { op: 'remove', path: annotationPath(OWNER_ANNOTATION) },
    ];
    const provider = providerOf(request.kind);
    let patched = await patchThroughThrottling(provider, request.namespace, request.virtualService, request.apiVersion, ops);
    // An unclear answer (5xx, timeout, reset) is most often a passing blip. The patch tests that `mesh-bot/owner`
    // names this request and removes it, so sending it once more lands at most once; whatever that second answer
    // is, only the fence settles what happened (a refused `test` may mean the first one landed).
    const unclear = !patched.ok && ambiguous(patched.error) ? patched.error : null;
    if (unclear) {
      await deps.sleep(UNCLEAR_RETRY_MS);
      patched = await patchThroughThrottling(provider, request.namespace, request.virtualService, request.apiVersion, ops);
    }
    const appliedAt = deps.now();
    if (!patched.ok) {
      if (unclear) return settleUnclear(request, unclear, approver, onChange);
      const { kind } = patched.error;
      if (kind === 'test-failed') {
        // 422 is also the apiserver's answer to a field it refuses (schema, CEL, a policy), which names the object
        // ("… is invalid: …"); a failed `test` gets its generic sentence instead, and the route tells what changed.
        const invalid = / is invalid: /.test(patched.error.serverMessage);
        const message = invalid ? `The API server refused the weight change: ${patched.error.serverMessage}. Nothing was written; fix what it names, then ask again.` : await whyRefused(request);
        await releaseOwnership(request);
        return markFailed(request, message, kind);
      }
      if (kind === 'not-found') return markFailed(request, `${provider.kind} ${request.namespace}/${request.virtualService} no longer exists; nothing was written.`, kind);
      if (kind === 'throttled') {
        await releaseOwnership(request);
        // The approval cannot be clicked again: "try again in N seconds" would point nowhere.
        return markFailed(request, `The weight change was not applied: the Kubernetes API of cluster ${cluster.name} kept throttling mesh-bot (429) for ${THROTTLED_ATTEMPTS} tries, so nothing was written. Ask again with \`/mesh canary promote\` once the API server recovers.`, kind);
      }
      await releaseOwnership(request);
      return markFailed(request, `The weight change was not applied: ${patched.error.message}`, kind);
    }
    return landed(request, approver, onChange, appliedAt, patched.value, false);
  }

  /** After unclear answers: the fence says whether the weights landed (then as `landed`), else the request fails or waits for the sweep. */
  async function settleUnclear(request: PromotionRequest, error: KubeCallError, approver: string, onChange: (request: PromotionRequest) => Promise<void>): Promise<PromotionRequest> {
    const settled = await settleByFence(request);
    if (settled.landed === null) {
      const message = `The weight change may or may not have been written (${error.message}); mesh-bot could not tell (${settled.reason}). The leader settles it from the ${providerOf(request.kind).kind} within ${INTERRUPTED_AFTER_MS / 60_000} minutes.`;
      const unknown = await update(request.id, (current) => (current.state === 'approved' ? { ...current, outcome: { message, appliedAt: null, propagation: null } } : null));
      return unknown.ok ? unknown.value : request;
    }
    if (!settled.landed) return markFailed(request, `The weight change was not applied: ${error.message}`, error.kind);
    return landed(request, approver, onChange, deps.now(), null, true);
  }

  /** The weights landed: the request records it, then the proof. `written` is the API server's answer, when one came. */
  async function landed(request: PromotionRequest, approver: string, onChange: (request: PromotionRequest) => Promise<void>, appliedAt: Date, written: KubeObject | null, unclear: boolean): Promise<PromotionRequest> {
    const applied = await markApplied(request, appliedAt, approver, unclear ? ` (confirmed by reading the ${providerOf(request.kind).kind} after an unclear answer)` : '');
    if (applied.ok) await onChange(applied.value);
    const propagation = await proveSync(request.namespace, appliedAt, { kind: request.kind, name: request.virtualService, generation: written ? generationOf(written) : null });
    const withReport = await update(request.id, (current) => (current.outcome ? { ...current, outcome: { ...current.outcome, propagation } } : current));
    if (withReport.ok) return withReport.value;
    return applied.ok ? applied.value : request;
  }

  /**
   * A click on Approve or Reject. The actor's right to decide is checked by the caller (roles); here:
   * existence, expiry, four eyes, and the compare-and-swap that makes the decision happen exactly once.
   */
  async function decide(id: string, actor: string, decision: Decision, onChange: (request: PromotionRequest) => Promise<void> = async () => undefined): Promise<Result<DecisionOutcome, string>> {
    const request = await get(id);
    if (!request) return fail(`Promotion request ${id} is unknown (it may have been cleaned up after it expired).`);
    if (request.state !== 'pending') return fail(alreadyDecided(request));
    const now = deps.now();
    if (isExpired(request, now)) {
      await expire(request);
      return fail(`This promotion request expired at ${request.expiresAt.slice(11, 16)} UTC; nothing was changed. Ask again with \`/mesh canary promote\`.`);
    }
    if (decision === 'approve' && actor === request.requester) return fail('You asked for this promotion, so you cannot approve it: a second person has to.');
    if (decision === 'approve' && !testsScope(request.plan.patch)) {
      // Made by a mesh-bot from before the scope tests (a rolling upgrade): approving it could move traffic of a
      // scope the approver never saw, so it ends here, unwritten.
      const reason = `It was made by an older mesh-bot, whose plan does not check which traffic the ${providerOf(request.kind).kind} applies to, so nothing was changed.`;
      const cancelled = await cancel(id, reason);
      if (cancelled !== null && cancelled.state !== 'cancelled') return fail(alreadyDecided(cancelled));
      return fail(`This promotion request was cancelled: ${reason} Ask again with \`/mesh canary promote\`.`);
    }

    if (decision === 'approve') {
      const owner = await ownerNow(request);
      if (owner) {
        const refusal = ownerRefusal(owner, providerOf(request.kind).kind, request.namespace, request.virtualService);
        const cancelled = await cancel(id, `${refusal} (Found when <@${actor}> approved it.)`);
        if (cancelled !== null && cancelled.state !== 'cancelled') return fail(alreadyDecided(cancelled));
        return fail(`Not approved: ${refusal} The request was cancelled; nothing was changed.`);
      }
      const broken = await receiverGone(request);
      if (broken !== undefined) {
        return fail(`Not approved: ${broken}, so the approved weights would send traffic nowhere. Nothing was changed; the request stays pending until it expires at ${request.expiresAt.slice(11, 16)} UTC, so it can still be approved once that is fixed.`);
      }
    }

    // Decided per attempt: a compare-and-swap retry after a conflict must see the other click's decision.
    let won = false;
    const decided = await update(id, (current) => {
      won = current.state === 'pending';
      return won ? { ...current, state: decision === 'approve' ? 'approved' : 'rejected', decidedBy: actor, decidedAt: now.toISOString() } : null;
    });
    if (!decided.ok) return fail(decided.error);
    if (!won) return fail(alreadyDecided(decided.value));
    if (decision === 'reject') {
      await finish(decided.value);
      logger.info({ canary: { event: 'rejected', id, by: actor } }, 'promotion rejected');
      return ok({ request: decided.value, applied: false });
    }
    await onChange(decided.value);
    const result = await apply(decided.value, actor, onChange);
    const applied = result.state === 'applied';
    return ok({ request: result, applied, superseded: applied ? await supersede(result) : [] });
  }

  /**
   * The pre-flight's "selects running pods" again, at the click: the route is fenced by the patch, but the subsets
   * and pods it sends traffic to are not, and up to the TTL may have passed since the request. Says what is gone
   * when it is known gone; an unreadable DestinationRule, Service or pod list proves nothing and does not block.
   */
  async function receiverGone(request: PromotionRequest): Promise<string | undefined> {
    const { plan, namespace } = request;
    const receiving = [...receivingSubsets(plan)];
    if (request.kind === 'HTTPRoute') {
      // A ReferenceGrant removed since the request: the parent stops resolving the backend, and its share gets 500s.
      const read = await providerOf('HTTPRoute').get(namespace, request.virtualService);
      const route = read.ok ? parseHttpRoute(read.value.object, namespace, request.virtualService) : null;
      const unresolved = route?.ok ? unresolvedBackends(route.value) : [];
      if (unresolved.length > 0) return `HTTPRoute ${namespace}/${request.virtualService} cannot resolve its backends (${unresolved.join('; ')}) (checked at approval)`;
      // A parent that stopped accepting the route (its listeners narrowed since the request) programs none of it.
      const rejecting = route?.ok ? rejectingParents(route.value) : [];
      if (route?.ok && rejecting.length > 0 && rejecting.length === (route.value.status?.parents ?? []).length) {
        return `No parent of HTTPRoute ${namespace}/${request.virtualService} accepts it any more (${rejecting.map(({ parent, why }) => `${parent}: ${why}`).join('; ')}) (checked at approval)`;
      }
      const refs = plan.changes.flatMap((change) => change.readRoute.map((ref) => ref as { name?: unknown; namespace?: unknown }));
      // Every namespace a receiving Service is named in, not only the first rule's.
      const wanted = [...new Set(refs.filter((ref) => typeof ref.name === 'string' && receiving.includes(ref.name)).map((ref) => `${typeof ref.namespace === 'string' ? ref.namespace : namespace}/${String(ref.name)}`))].map((key) => {
        const [refNamespace = namespace, name = ''] = key.split('/');
        return { name, namespace: refNamespace };
      });
      const { subsets } = await backendsOf(wanted);
      const empty = subsets.find((backend) => backend.pods === 0);
      return empty ? `Service ${empty.namespace ?? namespace}/${empty.name} no longer selects running pods or no longer exists (checked at approval)` : undefined;
    }
    // A delegate as read at the request (its `hosts` are fenced by the patch, so it still is one): a root that
    // stopped delegating to it since leaves its weights routing nothing. Unreadable VirtualServices prove nothing.
    if (plan.patch.some((op) => op.op === 'test' && op.path === '/spec/hosts' && (op.value === null || (Array.isArray(op.value) && op.value.length === 0)))) {
      const roots = await delegateRoots(namespace, request.virtualService, request.apiVersion);
      if (roots.ok && roots.value.length === 0) return `no VirtualService delegates to ${namespace}/${request.virtualService} any more, so its weights route no traffic (checked at approval)`;
    }
    const { rule, subsets, readable } = await subsetsOf(namespace, plan.host);
    if (!readable) return undefined;
    if (!rule) return `no DestinationRule defines subsets for ${plan.host} any more (checked at approval)`;
    for (const name of receiving) {
      const found = subsets.find((subset) => subset.name === name);
      if (!found) return `subset ${name} is no longer defined in DestinationRule ${rule.metadata.namespace ?? namespace}/${rule.metadata.name} (checked at approval)`;
      if (found.pods === 0) return `subset ${name} no longer selects running pods in ${kubernetesService(plan.host, namespace)?.namespace ?? namespace} (checked at approval)`;
    }
    return undefined;
  }

  /** Whether a plan's patch tests the spec fields that decide which traffic its rules apply to (`/spec/FIELD`). */
  function testsScope(patch: PromotionRequest['plan']['patch']): boolean {
    return patch.some((op) => op.op === 'test' && /^\/spec\/[^/]+$/.test(op.path));
  }

  function alreadyDecided(request: PromotionRequest): string {
    switch (request.state) {
      case 'approved':
        return `This promotion was already approved by <@${request.decidedBy ?? '?'}> and is being applied.`;
      case 'applied':
        return `This promotion was already approved by <@${request.decidedBy ?? '?'}> and applied.`;
      case 'rejected':
        return request.decidedBy === request.requester ? 'This promotion request was withdrawn by its requester.' : `This promotion was already rejected by <@${request.decidedBy ?? '?'}>.`;
      case 'expired':
        return 'This promotion request expired; nothing was changed. Ask again with `/mesh canary promote`.';
      case 'failed':
        return `This promotion was approved by <@${request.decidedBy ?? '?'}> but failed: ${request.outcome?.message ?? 'unknown error'}`;
      case 'cancelled':
        return `This promotion request was cancelled: ${request.outcome?.message ?? 'it never reached an approver'} Ask again with \`/mesh canary promote\`.`;
      default:
        return 'This promotion request is still pending.';
    }
  }

  async function expire(request: PromotionRequest): Promise<PromotionRequest> {
    const expired = await update(request.id, (current) => (current.state === 'pending' ? { ...current, state: 'expired' } : null));
    // Only a request recorded as ended lets go of the VirtualService; otherwise the next sweep tries again.
    const stored = expired.ok ? expired.value : await get(request.id);
    if (stored && TERMINAL_STATES.includes(stored.state)) await finish(stored);
    return stored ?? request;
  }

  /** Ends a pending request no approver can see (its card could not be posted): nothing stays pending. */
  async function cancel(id: string, reason: string): Promise<PromotionRequest | null> {
    const cancelled = await update(id, (current) => (current.state === 'pending' ? { ...current, state: 'cancelled', outcome: { message: reason, appliedAt: null, propagation: null } } : null));
    if (!cancelled.ok) return null;
    // Decided meanwhile (a click on another replica): that decision owns the route now; releasing it here would
    // pull the fence from under its weight patch.
    if (cancelled.value.state !== 'cancelled') return cancelled.value;
    await finish(cancelled.value);
    logger.info({ canary: { event: 'cancelled', id, reason } }, 'promotion request cancelled');
    return cancelled.value;
  }

  /** The rollback plan: canary to 0 %, the stable subset from `--to` or the record on the VirtualService. */
  /**
   * `host` (`--host`): only the routes of that service change. `requestHost`: the service of the request a Roll back
   * button names, meant when the routes split several services' subsets and the VirtualService keeps no record of it.
   */
  async function planRollback(namespace: string, name: string, options: RollbackTarget = {}): Promise<Result<{ inspection: CanaryInspection; plan: CanaryPlan }, string>> {
    const { to, kind, host } = options;
    const inspected = await inspect(namespace, name, kind);
    if (!inspected.ok) return inspected;
    const inspection = inspected.value;
    const provider = providerOf(inspection.kind);
    if (inspection.owner) return fail(ownerRefusal(inspection.owner, inspection.kind, namespace, name));
    // A record of another service's subsets (`--host` names a different one) says nothing about this one's; that
    // service's own last applied promotion does (the record holds the last change's service only).
    // A record from before the service was kept may be either service's when the routes split several.
    const otherRecord = host !== undefined && inspection.roles !== undefined && (inspection.roles.host === undefined ? splitsOtherThanTyped(inspection, host) : !hostsMeant(host, namespace).has(serviceFqdn(inspection.roles.host, namespace)));
    const ownLast = !otherRecord || host === undefined ? undefined : [...(inspection.applied ?? [])].reverse().find((request) => request.plan.host !== '' && hostsMeant(host, namespace).has(serviceFqdn(request.plan.host, namespace)));
    const recorded: RecordedRoles | undefined = otherRecord ? (ownLast ? { stableSubset: ownLast.plan.stableSubset, canarySubset: ownLast.plan.canarySubset, host: ownLast.plan.host } : undefined) : inspection.roles;
    const noun = provider.noun;
    if (to !== undefined && recorded && to === recorded.canarySubset && to !== recorded.stableSubset) {
      // Rollback is the safety exit: it never raises the canary. A stale record is corrected by a promotion, not here.
      // With several services split, the record is one service's: another's stable may carry the same name.
      const severalServices = recorded.host !== undefined && host === undefined && otherServicesSplit(inspection, { host: recorded.host });
      if (severalServices) {
        const service = shortHost(serviceFqdn(recorded.host as string, namespace), namespace);
        return fail(
          `--to ${to} names the canary of ${service} on ${namespace}/${name} (mesh-bot's record: stable ${noun} ${recorded.stableSubset}), and a rollback never sends traffic to the canary. Run \`canary rollback ${name} -n ${namespace}\` to send ${service} back to ${recorded.stableSubset}; if ${to} is another service's stable, name that service with --host.`,
        );
      }
      return fail(
        `--to ${to} names the canary of ${namespace}/${name} (mesh-bot's record: stable ${noun} is ${recorded.stableSubset}), and a rollback never sends traffic to the canary. Run \`canary rollback ${name} -n ${namespace}\` to send it back to ${recorded.stableSubset}, or \`canary promote\` to shift traffic to ${to}.`,
      );
    }
    // How to take the safety exit anyway: name the stable with --to, among the destinations the routes split.
    const askForTo = (say: 'Say' | 'say') => {
      const subsets = provider.splitNames(inspection.vs);
      const kindFlag = inspection.kind === 'HTTPRoute' ? ' --kind httproute' : '';
      return `${say} which ${noun} gets 100 % with --to, e.g. \`canary rollback ${name} -n ${namespace}${kindFlag} --to ${subsets[0] ?? 'SUBSET'}\`${subsets.length > 0 ? ` (${noun}s: ${subsets.join(', ')})` : ''}.`;
    };
    // A record of a service the routes no longer split (its routes removed or sent to one subset by hand) says
    // nothing about the canaries they carry now: planning with it would roll back another service's canary.
    if (to === undefined && host === undefined && recorded?.host !== undefined && inspection.kind === 'VirtualService') {
      const recordedService = serviceFqdn(recorded.host, namespace);
      const split = inspection.routes.filter((route) => route.destinations.length > 1);
      if (!split.some((route) => route.destinations.some((destination) => serviceFqdn(destination.host, namespace) === recordedService))) {
        const services = [...new Set(split.flatMap((route) => route.destinations.map((destination) => shortHost(serviceFqdn(destination.host, namespace), namespace))))];
        const subsets = provider.splitNames(inspection.vs);
        return fail(
          `mesh-bot's record (stable ${recorded.stableSubset}, canary ${recorded.canarySubset} of ${shortHost(recordedService, namespace)}) is out of date: no route of ${name} splits ${shortHost(recordedService, namespace)} any more. Say which service to roll back with --host and which subset gets 100 % with --to, e.g. \`canary rollback ${name} -n ${namespace} --host ${services[0] ?? 'HOST'} --to ${subsets[0] ?? 'SUBSET'}\`${services.length > 0 ? ` (split services: ${services.join(', ')})` : ''}.`,
        );
      }
    }
    // A --host no split route sends traffic to is the answer, before any talk of records or --to.
    const unknownHost = host === undefined || inspection.kind !== 'VirtualService' ? undefined : hostNotSplit(inspection.vs as VirtualService, host);
    if (unknownHost !== undefined) return fail(unknownHost);
    const stable = to ?? recorded?.stableSubset;
    if (stable === undefined) {
      return fail(`mesh-bot has no record of which ${noun} of ${namespace}/${name} is stable (it keeps one on the ${inspection.kind} once it has changed the weights). ${askForTo('Say')}`);
    }
    // Without --to the record decides, so its service does too: were that service's routes to the canary all
    // three-way, the one route left to shift could be another service's, rolled back with this service's subsets.
    const recordedHost = to === undefined && inspection.kind === 'VirtualService' ? recorded?.host : undefined;
    const planned = provider.plan(inspection.vs, { weight: 0, stableSubset: stable, host: host ?? recordedHost, defaultHost: recorded?.host ?? options.requestHost });
    if (!planned.ok && to === undefined && recorded && !isNothingToChange(planned.error)) {
      // The routes were edited since mesh-bot's last change.
      return fail(`${planned.error}. mesh-bot's record (stable ${recorded.stableSubset}, canary ${recorded.canarySubset}) is out of date: ${askForTo('say')}`);
    }
    if (!planned.ok && isNothingToChange(planned.error)) {
      // "Already 0 %" of the split routes is not the whole answer while another route still sends the canary traffic.
      const target = rollbackTarget(inspection, stable, host ?? recordedHost);
      const left = target === undefined ? [] : leftOnCanary(inspection, target);
      if (left.length > 0) return fail(`${planned.error}. ${left.join(' ')}`);
    }
    if (!planned.ok) return planned;
    // The exit must lead somewhere: all traffic onto a stable known to run no pods is an outage, not a rollback.
    const { subsets, destinationRule, subsetsUnreadable } = await subsetsOfPlan(inspection, planned.value);
    const receivers = receivingSubsets(planned.value);
    // A subset no DestinationRule defines routes nowhere (Istio answers 503). Unreadable rules prove nothing: the exit stays open.
    const undefinedSubset = inspection.kind === 'VirtualService' && subsetsUnreadable === undefined ? [...receivers].find((subset) => !subsets.some((candidate) => candidate.name === subset)) : undefined;
    if (undefinedSubset !== undefined) {
      const [where, fix] = destinationRule
        ? [`which DestinationRule ${destinationRule.metadata.namespace ?? namespace}/${destinationRule.metadata.name} does not define`, `Add ${undefinedSubset} to it first`]
        : [`which no DestinationRule defines for ${planned.value.host}`, `Create a DestinationRule with subset ${undefinedSubset} first`];
      return fail(`Rolling back would send all traffic of ${namespace}/${name} to ${noun} ${undefinedSubset}, ${where}; nothing was changed. ${fix}, or ${askForTo('say')}`);
    }
    const empty = subsets.find((subset) => receivers.has(subset.name) && subset.pods === 0);
    if (empty) {
      return fail(`Rolling back would send all traffic of ${namespace}/${name} to ${noun} ${empty.name}, which selects no running pods${empty.namespace && empty.namespace !== namespace ? ` in ${empty.namespace}` : ''}; nothing was changed. Scale ${empty.name} up first, or ${askForTo('say')}`);
    }
    return ok({ inspection, plan: planned.value });
  }

  /** Canary to 0 %: the safety exit, without a second approval. `to` names the stable subset. */
  async function rollback(namespace: string, name: string, actor: string, options: RollbackTarget & { readonly requestId?: string | undefined } = {}): Promise<Result<RollbackOutcome, string>> {
    // A card's Roll back button names its request: roll back the kind (and service) that request changed.
    const request = options.requestId === undefined ? null : await get(options.requestId);
    const kind = options.kind ?? (options.requestId === undefined ? undefined : (request?.kind ?? 'VirtualService'));
    const requestHost = options.requestHost ?? (request !== null && (request.kind ?? 'VirtualService') === 'VirtualService' && request.plan.host !== '' ? request.plan.host : undefined);
    // The button rolls back its own request's service, even when the record on the VirtualService names another
    // (a later promotion or rollback of the other service wrote it): the record's host would roll back the wrong one.
    const host = options.host ?? (options.requestId === undefined ? undefined : requestHost);
    for (let attempt = 1; ; attempt += 1) {
      const planned = await planRollback(namespace, name, { ...options, kind, host, requestHost });
      if (!planned.ok) return planned;
      const { inspection, plan } = planned.value;
      const undone = await undoneBy(inspection, options.requestId, plan);
      // Written with the weights, so a rollback that stops before marking the request leaves the sweep enough to
      // finish it (sweepExpired); otherwise that card would go on saying its weights are in force.
      const record = undone ? { [ROLLED_BACK_ANNOTATION]: JSON.stringify({ request: undone, by: actor, at: deps.now().toISOString(), message: rollbackNote(plan) } satisfies RolledBackRecord) } : {};
      const hasAnnotations = inspection.vs.metadata.annotations !== undefined;
      const ops: JsonPatchOp[] = [
        { op: 'test', path: '/metadata/resourceVersion', value: inspection.vs.metadata.resourceVersion },
        ...plan.patch,
        ...(hasAnnotations
          ? [...roleOps(plan, inspection.kind), ...Object.entries(record).map(([key, value]) => ({ op: 'add' as const, path: annotationPath(key), value }))]
          : [{ op: 'add' as const, path: '/metadata/annotations', value: { ...roleAnnotations(plan, inspection.kind), ...record } }]),
      ];
      const provider = providerOf(inspection.kind);
      const patched = await patchThroughThrottling(provider, namespace, name, inspection.apiVersion, ops);
      if (!patched.ok) {
        if (patched.error.kind === 'test-failed' && attempt < ROLLBACK_ATTEMPTS) continue;
        if (patched.error.kind === 'test-failed') return fail(`${inspection.kind} ${namespace}/${name} kept changing while rolling back; nothing was written. Run the rollback again.`);
        if (!ambiguous(patched.error) || !(await landedWeights(provider, namespace, name, plan))) return fail(`The rollback was not applied: ${patched.error.message}`);
      }
      return ok(await afterRollback(inspection, plan, actor, undone, patched.ok ? generationOf(patched.value) : null));
    }
  }

  /** After an unclear answer: whether the VirtualService now has exactly the planned weights. */
  async function landedWeights(provider: TrafficProvider, namespace: string, name: string, plan: CanaryPlan): Promise<boolean> {
    const read = await provider.get(namespace, name);
    if (!read.ok) return false;
    const rules = provider.rules(read.value.object);
    return plan.changes.every((change) => change.after.every((destination, position) => provider.weightAt(rules[change.index], position) === destination.weight));
  }

  /**
   * The id of the promotion a rollback undoes: the one its card's button names, else the one whose weights the
   * route carries. The route names that one (`applied-request`, written with the weights); the last request
   * recorded as applied is not it while an approval that already wrote its weights has yet to record it: then
   * that approval is what the rollback undoes, and its card must not go on to claim "Now". A request that cannot
   * be read is still named: the rollback goes ahead, and its record on the route lets the sweep mark it later.
   */
  async function undoneBy(inspection: CanaryInspection, requestId: string | undefined, plan: CanaryPlan): Promise<string | null> {
    const inForce = annotationsOf(inspection.vs)[APPLIED_ANNOTATION];
    const namespace = inspection.vs.metadata.namespace ?? '';
    // The route names the request whose weights landed last; when that was another service's (ratings promoted after
    // reviews), the one undone is this service's last applied promotion still in force.
    const latestOfService = inForce === undefined || requestId !== undefined || (inspection.applied ?? []).every((request) => request.id !== inForce || sameService(inspection.kind, namespace, request.plan, plan))
      ? undefined
      : [...(inspection.applied ?? [])].reverse().find((request) => !request.rolledBack && !request.supersededBy && sameService(inspection.kind, namespace, request.plan, plan));
    const id = requestId ?? latestOfService?.id ?? inForce ?? inspection.lastApplied?.id;
    if (id === undefined) return null;
    const read = await store.get(requestName(id), promotionRequestSchema);
    if (!read.ok) return id;
    const named = read.value?.value;
    if (!named || named.rolledBack) return null;
    // Rolling back ratings does not undo the reviews promotion that landed last: its card would say "rolled back"
    // while its canary keeps its share.
    if (!sameService(inspection.kind, inspection.vs.metadata.namespace ?? '', named.plan, plan)) return null;
    return named.state === 'applied' || (named.state === 'approved' && named.id === inForce) ? id : null;
  }

  /** What the undone promotion's card says happened to its canary. */
  const rollbackNote = (plan: CanaryPlan) => `${plan.canarySubset} back to 0% (${weightChange(planRecord(plan))}).`;

  /** Audit, then the promotion it undid is marked rolled back. */
  async function afterRollback(inspection: CanaryInspection, plan: CanaryPlan, actor: string, undone: string | null, generation: number | null): Promise<RollbackOutcome> {
    const namespace = inspection.vs.metadata.namespace ?? '';
    const name = inspection.vs.metadata.name;
    const rolledBackAt = deps.now();
    const change = weightChange(planRecord(plan));
    // `kubectl describe` of an ingress VirtualService that splits several services: which one went back.
    const of = otherServicesSplit(inspection, plan) ? ` of ${shortHost(serviceFqdn(plan.host, namespace), namespace)}` : '';
    await recordEvent({ namespace, virtualService: name, apiVersion: inspection.apiVersion, kind: inspection.kind }, `weights ${change}${of} (rollback) by <@${actor}> via mesh-bot`, 'WeightsRolledBack', null);
    logger.info({ canary: { event: 'rolled-back', cluster: cluster.name, namespace, vs: name, change, by: actor } }, 'canary rolled back');
    // On record before the proof, which may take the whole propagation timeout: a replica stopped during it leaves
    // records the sweep can render on the cards, not an undone promotion still offering its Roll back.
    const rolledBack = undone ? await markRolledBack(undone, actor, rollbackNote(plan)) : null;
    const cancelled: PromotionRequest[] = [];
    for (const pending of inspection.pending) {
      // A pending request for another service's routes still applies as planned (its patch tests only its routes).
      if (!sameService(inspection.kind, namespace, pending.plan, plan)) continue;
      const ended = await cancel(pending.id, `${inspection.kind} ${namespace}/${name} was rolled back by <@${actor}> after this request was made, so its plan no longer applies. Ask again if it is still wanted.`);
      // Approved meanwhile on another replica: not cancelled, and that approval tells its own outcome on its card.
      if (ended?.state === 'cancelled') cancelled.push(ended);
    }
    const propagation = await proveSync(namespace, rolledBackAt, { kind: inspection.kind, name, generation });
    return { kind: inspection.kind, plan, propagation, rolledBack, cancelled, leftOnCanary: leftOnCanary(inspection, plan) };
  }

  /** Marks the earlier applied promotions of the same VirtualService as history, so their cards stop claiming "Now". */
  async function supersede(latest: PromotionRequest): Promise<PromotionRequest[]> {
    const listed = await listRequests(latest.namespace, latest.virtualService, latest.kind ?? 'VirtualService');
    if (!listed.ok) return [];
    const superseded: PromotionRequest[] = [];
    for (const earlier of listed.value) {
      if (earlier.id === latest.id || earlier.state !== 'applied' || earlier.rolledBack || earlier.supersededBy) continue;
      // A promotion of another service on the same VirtualService left this one's weights as they were.
      if (!sameService(latest.kind ?? 'VirtualService', latest.namespace, earlier.plan, latest.plan)) continue;
      const marked = await update(earlier.id, (current) => (current.supersededBy ? null : { ...current, supersededBy: { id: latest.id, at: deps.now().toISOString() } }));
      if (marked.ok) superseded.push(marked.value);
    }
    return superseded;
  }

  /**
   * Marks overdue pending requests expired, cancels pending requests nobody can see, settles interrupted
   * approvals, frees locks whose holder is done, and returns the requests it changed (their cards need
   * updating); deletes decided requests older than the retention: their story stays in the card, the
   * Events and the audit log.
   */
  async function sweepExpired(): Promise<PromotionRequest[]> {
    const listed = await store.list('mesh-bot/kind=promotion', promotionRequestSchema);
    if (!listed.ok) return [];
    const now = deps.now();
    const changed: PromotionRequest[] = [];
    for (const record of listed.value) {
      const request = record.value;
      if (request.cluster !== cluster.name) continue;
      if (request.state === 'applied' && !request.rolledBack && !request.supersededBy) {
        const finished = await finishRollback(request);
        if (finished) changed.push(finished);
      }
      if (isExpired(request, now)) changed.push(await expire(request));
      else if (request.state === 'pending' && request.card === null && now.getTime() - Date.parse(request.requestedAt) > CARDLESS_AFTER_MS) {
        const cancelled = await cancel(request.id, 'No approval card was ever posted for this request (mesh-bot stopped while asking); nothing was changed.');
        if (cancelled) changed.push(cancelled);
      } else if (request.state === 'approved' && now.getTime() - Date.parse(request.decidedAt ?? request.requestedAt) > INTERRUPTED_AFTER_MS) {
        changed.push(...(await settleInterrupted(request)));
      } else if (TERMINAL_STATES.includes(request.state) && now.getTime() - Date.parse(request.requestedAt) > DECIDED_RETENTION_MS) await store.remove(record.name, record.resourceVersion);
    }
    await freeStaleLocks(now);
    await repairCards();
    // As stored now, not as this sweep last saw them: whoever re-renders these cards must not show an older state.
    const fresh: PromotionRequest[] = [];
    for (const request of changed) {
      const current = await get(request.id);
      if (current) fresh.push(current);
    }
    return fresh;
  }

  /** An applied request a rollback undid without recording it (it stopped after its weight patch): marked now. */
  async function finishRollback(request: PromotionRequest): Promise<PromotionRequest | null> {
    const read = await providerOf(request.kind).get(request.namespace, request.virtualService);
    if (!read.ok) return null;
    const record = rolledBackRecordOf(read.value.object);
    if (record?.request !== request.id) return null;
    return markRolledBack(request.id, record.by, record.message, record.at);
  }

  /** Locks whose holder is terminal (its replica died before freeing it) or never came to exist. */
  async function freeStaleLocks(now: Date): Promise<void> {
    const locks = await store.list('mesh-bot/kind=lock', lockSchema);
    if (!locks.ok) return;
    for (const lock of locks.value) {
      const holder = await store.get(requestName(lock.value.requestId), promotionRequestSchema);
      if (!holder.ok) continue;
      const request = holder.value?.value;
      if (request && request.cluster !== cluster.name) continue;
      const done = request ? TERMINAL_STATES.includes(request.state) : now.getTime() - Date.parse(lock.value.since) > ORPHAN_LOCK_AFTER_MS && (await holderState(lock.value.requestId, '', '', lock.value.since)).state === 'terminal';
      if (done) await store.remove(lock.name, lock.resourceVersion);
    }
  }

  /**
   * An approval whose replica died before it recorded the outcome: settled only by winning the same fence as
   * the weight patch (see the top of this file), so the request ends as applied or failed and its lock is
   * freed; when the VirtualService cannot be reached it is left for the next sweep.
   */
  async function settleInterrupted(request: PromotionRequest): Promise<PromotionRequest[]> {
    const settled = await settleByFence(request);
    if (settled.landed === null) {
      logger.warn({ canary: { event: 'settle-deferred', id: request.id, reason: settled.reason } }, 'could not settle an interrupted promotion yet');
      return [];
    }
    logger.warn({ canary: { event: 'settled-after-interruption', id: request.id, landed: settled.landed } }, 'settled an interrupted promotion');
    if (settled.landed) {
      const applied = await markApplied(request, new Date(request.decidedAt ?? request.requestedAt), request.decidedBy ?? '?', ' (confirmed after mesh-bot restarted while applying)');
      return applied.ok ? [applied.value, ...(await supersede(applied.value))] : [request];
    }
    return [await markFailed(request, 'mesh-bot stopped before the change was written; nothing was changed. Ask again with `/mesh canary promote`.', 'interrupted')];
  }

  async function markRolledBack(id: string, actor: string, message: string, at = deps.now().toISOString()): Promise<PromotionRequest | null> {
    // Only weights that were in force can be rolled back: an applied request, or an approved one whose weights landed.
    const updated = await update(id, (current) => (current.rolledBack || (current.state !== 'applied' && current.state !== 'approved') ? null : { ...current, rolledBack: { by: actor, at, message } }));
    return updated.ok && updated.value.rolledBack ? updated.value : null;
  }

  /**
   * Records where the card is and what it showed (`shown`: the request as rendered). When the request moved on
   * meanwhile (the sweep cancelled it while the post was slow), the card is rewritten at once.
   */
  async function attachCard(id: string, card: { channel: string; ts: string }, shown?: PromotionRequest): Promise<Result<PromotionRequest, string>> {
    const attached = await update(id, (current) => ({ ...current, card, ...(shown ? { cardShows: cardKey(shown, deps.now()) } : {}) }));
    if (attached.ok && shown && attached.value.state !== shown.state) return ok(await showCard(attached.value));
    return attached;
  }

  /**
   * Renders the request's card (or the card at `at`, a stray copy someone clicked) and records what it shows,
   * When the request changed while it was drawn, the newer state is drawn over it (up to CARD_REDRAWS times; past
   * that it stays marked stale and the sweep renders it again).
   */
  async function showCard(request: PromotionRequest, at?: { readonly channel: string; readonly ts: string }): Promise<PromotionRequest> {
    if (!deps.cards) return request;
    if (at && (at.channel !== request.card?.channel || at.ts !== request.card.ts)) {
      await deps.cards.update({ ...request, card: at });
      return request;
    }
    return drawCard(request, 0);
  }

  async function drawCard(request: PromotionRequest, redraws: number): Promise<PromotionRequest> {
    const key = cardKey(request, deps.now());
    if (!request.card || !(await deps.cards?.update(request))) return request;
    const marked = await update(request.id, (current) => (current.cardShows === key || cardKey(current, deps.now()) !== key ? null : { ...current, cardShows: key }));
    // The request moved on while this card was drawn (another replica decided, failed or rolled it back, and may
    // have drawn its card first): what was drawn here is older than the request, so the newer state is drawn over it.
    if (marked.ok && marked.value.card !== null && cardKey(marked.value, deps.now()) !== key && redraws < CARD_REDRAWS) return drawCard(marked.value, redraws + 1);
    return marked.ok ? marked.value : request;
  }

  /** Cards whose recorded view lags their request (a crash or a failed chat.update after a change), rendered again. */
  async function repairCards(): Promise<void> {
    if (!deps.cards) return;
    const listed = await store.list('mesh-bot/kind=promotion', promotionRequestSchema);
    if (!listed.ok) return;
    const now = deps.now();
    for (const { value: request } of listed.value) {
      if (request.cluster !== cluster.name || !request.card || request.cardShows === undefined || request.cardShows === cardKey(request, now)) continue;
      await showCard(request);
    }
  }

  return { inspect, prepare, createRequest, attachCard, showCard, cancel, decide, planRollback, rollback, sweepExpired, get, markRolledBack, servingProxies: virtualServiceProxies };
}

export type CanaryService = ReturnType<typeof createCanaryService>;
