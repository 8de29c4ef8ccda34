/**
 * The invariants of issue #9, judged from a world's history (every state after every API request) and its end:
 *   I1 the VirtualService's weights are only ever the pre-state or exactly an approved plan on the planned route;
 *   I2 every request is terminal and every lock freed within TTL + one sweep;
 *   I3 request state, card text, Event and VirtualService agree (a card that says its weights are in force is right);
 *   I4 at most one pending request per VirtualService;
 *   I5 rollback never raises a subset's weight (other than the stable one it returns traffic to).
 */
import { stableJson, type RequestView, type Route, type Snapshot, type World } from './faults-world.ts';

export type Invariant = 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6';

export interface Violation {
  readonly invariant: Invariant;
  readonly detail: string;
}

export interface Truth {
  /** A rollback runs in this scenario: weight changes no approved plan explains are judged as rollbacks (I5). */
  readonly rollback: boolean;
  /** The subset a rollback may raise; null when nothing says which subset is stable. */
  readonly stable: string | null;
}

const LIVE_STATES = new Set(['pending', 'approved']);

function weights(http: readonly Route[] | null): string {
  if (http === null) return 'no VirtualService';
  return http.map((route, index) => `${route.name ?? `#${index}`}: ${route.route.map((destination) => `${destination.destination.subset} ${destination.weight}`).join('/')}`).join(', ');
}

/** The routes after `request`'s plan, applied to the exact routes the approver saw, or null when they are gone. */
function afterPlan(current: readonly Route[], seen: readonly Route[] | null | undefined, request: RequestView): Route[] | null {
  if (!seen) return null;
  const next = structuredClone(current) as Route[];
  for (const change of request.changes) {
    const route = seen[change.index];
    if (!route || stableJson(current[change.index]) !== stableJson(route)) return null;
    const changed = structuredClone(route);
    for (const destination of changed.route) {
      const after = change.after.find((candidate) => candidate.subset === destination.destination.subset);
      if (after) destination.weight = after.weight;
    }
    next[change.index] = changed;
  }
  return next;
}

/** A rollback's change: same routes and destinations, and only the stable subset's weight may rise. */
function rollbackProblem(before: readonly Route[], after: readonly Route[], stable: string | null): string | null {
  if (before.length !== after.length) return `the rollback added or removed routes (${weights(before)} → ${weights(after)})`;
  for (const [index, route] of after.entries()) {
    const old = before[index];
    if (!old || stableJson({ ...old, route: old.route.map((d) => d.destination) }) !== stableJson({ ...route, route: route.route.map((d) => d.destination) })) {
      return `the rollback changed more than weights on route ${route.name ?? `#${index}`}`;
    }
    for (const [position, destination] of route.route.entries()) {
      const was = old.route[position]?.weight ?? 0;
      if (destination.weight > was && destination.destination.subset !== stable) {
        return `the rollback raised subset ${destination.destination.subset} from ${was}% to ${destination.weight}% (${stable === null ? 'nothing records which subset is stable' : `stable is ${stable}`})`;
      }
    }
  }
  return null;
}

export interface HistoryVerdict {
  readonly violations: Violation[];
  /** Requests whose plan reached the VirtualService. */
  readonly landed: ReadonlySet<string>;
}

export function checkHistory(history: readonly Snapshot[], truth: Truth): HistoryVerdict {
  const violations: Violation[] = [];
  const seenBy = new Map<string, Route[] | null>();
  const landed = new Set<string>();
  let reportedI4 = false;
  for (let index = 1; index < history.length; index += 1) {
    const previous = history[index - 1];
    const current = history[index];
    if (!previous || !current) continue;
    for (const id of current.requests.keys()) if (!seenBy.has(id)) seenBy.set(id, previous.http);
    const live = [...current.requests.values()].filter((request) => request.state === 'pending' && Date.parse(request.expiresAt) > current.at);
    if (live.length > 1 && !reportedI4) {
      reportedI4 = true;
      violations.push({ invariant: 'I4', detail: `${live.length} pending requests for the VirtualService at once (${live.map((request) => request.id).join(', ')}) after ${current.cause}` });
    }
    if (current.external || stableJson(previous.http) === stableJson(current.http)) continue;
    if (previous.http === null || current.http === null) {
      violations.push({ invariant: 'I1', detail: `mesh-bot ${current.http === null ? 'deleted' : 'created'} the VirtualService (${current.cause})` });
      continue;
    }
    const candidates = [...previous.requests.values()].sort((a, b) => Number(b.state === 'approved') - Number(a.state === 'approved'));
    const byPlan = candidates.find((request) => stableJson(afterPlan(previous.http ?? [], seenBy.get(request.id), request)) === stableJson(current.http));
    if (byPlan) {
      landed.add(byPlan.id);
      if (byPlan.state !== 'approved') violations.push({ invariant: 'I1', detail: `the plan of request ${byPlan.id} landed while it was ${byPlan.state}, not approved (${current.cause})` });
      continue;
    }
    if (truth.rollback) {
      const problem = rollbackProblem(previous.http, current.http, truth.stable);
      if (problem) violations.push({ invariant: 'I5', detail: `${problem} (${current.cause})` });
      continue;
    }
    violations.push({ invariant: 'I1', detail: `weights ${weights(previous.http)} → ${weights(current.http)} match no approved plan on its planned route (${current.cause})` });
  }
  return { violations, landed };
}


/** I2 and I3, once the world has been given TTL + one sweep. */
export function checkEnd(world: World, landed: ReadonlySet<string>): Violation[] {
  const violations: Violation[] = [];
  const requests = [...world.requests().values()];
  for (const request of requests) {
    if (LIVE_STATES.has(request.state)) violations.push({ invariant: 'I2', detail: `request ${request.id} is still ${request.state} after its TTL and one sweep` });
  }
  for (const lock of world.locks()) violations.push({ invariant: 'I2', detail: `lock ${lock} is still held after the TTL and one sweep` });

  for (const request of requests) {
    const cards = world.cards(request.id);
    if (request.card && !cards.some((card) => card.ts === request.card?.ts)) violations.push({ invariant: 'I3', detail: `request ${request.id} names card ${request.card.ts}, which is not in the channel` });
    // The card's top-level text is its headline, rendered from the request: a card that agrees starts with it.
    const headline = world.headline(request.id);
    for (const card of cards) {
      if (headline !== null && !card.text.startsWith(headline)) violations.push({ invariant: 'I3', detail: `the card of request ${request.id} says "${card.text.replace(/^Canary promotion of \S+ on \S+ /, '')}" while the request is ${request.state}` });
    }
    for (const reply of world.replies(request.id)) {
      if (reply.text.startsWith('Cancelled:') && request.state !== 'cancelled') violations.push({ invariant: 'I3', detail: `the thread of request ${request.id} says "${reply.text}" while the request is ${request.state}` });
    }
    if (request.state === 'applied' && !landed.has(request.id)) violations.push({ invariant: 'I3', detail: `request ${request.id} says applied but its plan never reached the VirtualService` });
    if (request.state !== 'applied' && landed.has(request.id)) violations.push({ invariant: 'I3', detail: `request ${request.id} is ${request.state} but its plan reached the VirtualService` });
  }

  // A card saying "Now" is a claim about the route: when only mesh-bot wrote it, that claim must be true at the end.
  const end = world.history.at(-1)?.http ?? null;
  // (The first snapshot, the world as seeded, counts as written by the test too.)
  if (end !== null && !world.history.slice(1).some((snapshot) => snapshot.external)) {
    for (const request of requests) {
      if (!request.claimsLive) continue;
      const inForce = request.changes.every((change) => change.after.every((after) => end[change.index]?.route.find((destination) => destination.destination.subset === after.subset)?.weight === after.weight));
      if (!inForce) violations.push({ invariant: 'I3', detail: `the card of request ${request.id} says its weights (${request.change}) are in force while the VirtualService has ${weights(end)}` });
    }
  }

  const eventMessages = world
    .events()
    .filter((event) => event.reason === 'WeightsChanged')
    .map((event) => event.message ?? '');
  const expected = new Map<string, number>();
  for (const request of requests) {
    if (request.state !== 'applied') continue;
    const key = `weights ${request.change} requested by <@${request.requester}>, approved by <@${request.decidedBy ?? '?'}> via mesh-bot`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  for (const [key, count] of expected) {
    const found = eventMessages.filter((message) => message === key).length;
    if (found < count) violations.push({ invariant: 'I3', detail: `an applied promotion has no WeightsChanged Event ("${key}")` });
  }
  for (const message of new Set(eventMessages)) {
    const found = eventMessages.filter((candidate) => candidate === message).length;
    if (found > (expected.get(message) ?? 0)) violations.push({ invariant: 'I3', detail: `${found} WeightsChanged Events "${message}" for ${expected.get(message) ?? 0} applied promotion(s)` });
  }
  return violations;
}
