/**
 * Runs one operation under one fault and judges the outcome: the operation on replica A (faulted), then what
 * the people and the leader do next on a healthy replica B — the same action again, then one sweep a minute after
 * the last request's TTL (I2's bound) — then every invariant.
 */
import { APPROVE_ACTION } from '../../commands/canary.render.ts';
import { checkEnd, checkHistory, type Truth, type Violation } from './faults-check.ts';
import { describeFault, FAILURE_KINDS, AMBIGUOUS_KINDS, READ_FAILURE_KINDS, Interleaver, seeded, type CallRecord, type Fault } from './faults.ts';
import { World, type Actor, type Frozen, type Seed } from './faults-world.ts';

export interface Context {
  readonly requestId?: string;
}

/** A seeded share of a large product of cases, to bound the suite's time. */
export interface Sample {
  readonly fraction: number;
  readonly seed: number;
}

/** A call that reads or writes the VirtualService or HTTPRoute itself. */
function touchesRoute(call: CallRecord | undefined): boolean {
  return call !== undefined && /virtualservices|httproutes/.test(call.site);
}

export interface Operation {
  readonly name: string;
  readonly seed?: Seed;
  readonly truth: Truth;
  /** Healthy history before the operation under test, played by an earlier replica. */
  prefix?(world: World): Promise<Context>;
  run(world: World, actor: Actor, context: Context): Promise<unknown>;
  /** What a person does next, on another replica (clicks again, runs the command again). */
  retry?(world: World, actor: Actor, context: Context): Promise<unknown>;
}

/** Something that happens while replica A is stalled at a call, before it continues. */
export type Interference = (world: World, other: Actor, context: Context) => Promise<void>;

/** While A hangs: five minutes pass and the leader (B) sweeps — it may settle what A is still doing. */
export const sweepMeanwhile: Interference = async (world, other) => {
  world.advance(6 * 60_000);
  await world.sweep(other);
};

export interface RunResult {
  readonly calls: readonly CallRecord[];
  readonly violations: readonly Violation[];
  readonly outcome: 'done' | 'crashed' | 'stalled';
}

export async function setupRequest(world: World): Promise<Context> {
  const setup = world.actor('setup');
  const answer = await world.promote(setup);
  const requestId = /request (pr-[0-9a-f]{12})/.exec(answer.text)?.[1] ?? [...world.requests().keys()][0];
  if (!requestId) throw new Error(`setup promotion failed: ${answer.text}`);
  return { requestId };
}

/** Invariants that need no sweep: once operations have answered, every pending request has a visible card. */
function invisiblePending(world: World, after: string): Violation[] {
  return [...world.requests().values()]
    .filter((request) => request.state === 'pending' && world.cards(request.id).length === 0)
    .map((request) => ({ invariant: 'I3' as const, detail: `request ${request.id} is pending but no card shows it after ${after} answered` }));
}

/** What the leader does after any run: one sweep a minute after the last request's TTL; then I1–I5. */
async function settleAndJudge(world: World, leader: Actor, truth: Truth, landedBefore: ReadonlySet<string> = new Set(), cardAnswerLost = false): Promise<Violation[]> {
  const lastExpiry = Math.max(world.now.getTime(), ...[...world.requests().values()].map((request) => Date.parse(request.expiresAt)));
  world.advance(lastExpiry - world.now.getTime() + 60_000);
  await world.sweep(leader);
  if (cardAnswerLost) {
    // The README's one card window: Slack took the card but its answer was lost, so mesh-bot cannot know where it
    // is; it may say "waiting for approval" until someone clicks it, and that click rewrites it at once.
    for (const request of world.requests().values()) {
      for (const card of world.cards(request.id)) {
        if (card.ts !== request.card?.ts && !card.text.startsWith(world.headline(request.id) ?? '')) await world.click(leader, APPROVE_ACTION, request.id, 'U0BOB', card.ts);
      }
    }
  }
  world.record('end', false);
  const history = checkHistory(world.history, truth);
  return [...history.violations, ...checkEnd(world, new Set([...landedBefore, ...history.landed]))];
}

interface Prefix {
  readonly frozen: Frozen;
  readonly context: Context;
  /** Requests whose plan reached the VirtualService during the prefix. */
  readonly landed: ReadonlySet<string>;
}

const prefixes = new WeakMap<Operation, Promise<Prefix>>();

/** The operation's prefix, played once by the production code; every run starts from a copy of its end. */
function prefixOf(operation: Operation): Promise<Prefix> {
  let made = prefixes.get(operation);
  if (!made) {
    made = (async () => {
      const world = await World.start(operation.seed);
      try {
        const context = (await operation.prefix?.(world)) ?? {};
        world.advance(60_000);
        world.record('prefix done', false);
        return { frozen: world.freeze(), context, landed: checkHistory(world.history, operation.truth).landed };
      } finally {
        await world.close();
      }
    })();
    prefixes.set(operation, made);
  }
  return made;
}

export async function runOnce(operation: Operation, fault: Fault | null, interference: Interference = sweepMeanwhile): Promise<RunResult> {
  const { frozen, context, landed } = await prefixOf(operation);
  const world = await World.start(operation.seed, frozen);
  try {
    const a = world.actor('A', fault);
    const b = world.actor('B');
    const violations: Violation[] = [];
    const done = operation.run(world, a, context).then(() => 'done' as const);
    let outcome: RunResult['outcome'] = await Promise.race([done, a.replica.crashed.then(() => 'crashed' as const), a.replica.stalled.then(() => 'stalled' as const)]);
    if (outcome === 'stalled') {
      await interference(world, b, context);
      a.replica.release();
      const resumed = await Promise.race([done, a.replica.crashed.then(() => 'crashed' as const)]);
      if (resumed === 'crashed') outcome = 'crashed';
    }
    // Nothing may stay pending that no one can see (a crashed replica's request is the sweep's to clean up).
    if (outcome !== 'crashed') violations.push(...invisiblePending(world, operation.name));
    world.advance(60_000);
    await operation.retry?.(world, b, context);
    const faulted = a.replica.calls.find((call) => call.n === fault?.at);
    const cardAnswerLost = faulted?.site === 'slack chat.postMessage' && (fault?.kind === 'crash' || (fault?.kind === 'fail' && fault.applied));
    violations.push(...(await settleAndJudge(world, b, operation.truth, landed, cardAnswerLost)));
    return { calls: a.replica.calls, violations, outcome };
  } finally {
    await world.close();
  }
}

export interface MatrixOptions {
  /** Also stall at every call while the leader sweeps (races with the sweep). */
  readonly stall: boolean;
  /**
   * Run only a seeded share of the failures at calls that do not touch the route (its crashes, stalls and every
   * failure at its own calls always run): for a second route kind, whose other calls the first kind covers in full.
   */
  readonly sample?: Sample;
}

/**
 * Every fault of the model at every call of a clean run. A crash is placed after each write (a crash after a
 * read leaves the same world as a crash after the write before it); a stall before each write (the window
 * between what a replica read and what it writes); each failure a call of its kind can meet; the ambiguous
 * failures at writes.
 */
export function faultMatrix(calls: readonly CallRecord[], options: MatrixOptions): Fault[] {
  const faults: Fault[] = [];
  for (const call of calls) {
    const slack = call.site.startsWith('slack ');
    if (call.write) faults.push({ kind: 'crash', at: call.n });
    if (call.write && options.stall) faults.push({ kind: 'stall', at: call.n });
    for (const failure of call.write ? FAILURE_KINDS : READ_FAILURE_KINDS) faults.push({ kind: 'fail', at: call.n, failure, applied: false, persistent: true });
    if (!call.write) continue;
    for (const failure of slack ? AMBIGUOUS_KINDS.slack : AMBIGUOUS_KINDS.kube) {
      faults.push({ kind: 'fail', at: call.n, failure, applied: true, persistent: true });
      // A Slack client retries: a first post that landed and lost its answer is retried (a duplicate post?).
      // Updates are idempotent, so only posts get this case.
      if (call.site === 'slack chat.postMessage') faults.push({ kind: 'fail', at: call.n, failure, applied: true, persistent: false });
    }
  }
  return faults;
}

export interface Finding {
  readonly operation: string;
  readonly fault: string;
  readonly site: string;
  readonly violation: Violation;
}

export interface MatrixReport {
  readonly runs: number;
  readonly faultPoints: number;
  readonly findings: readonly Finding[];
}

/** Runs tasks a few at a time: each run is isolated (own servers, own clock), so the order does not matter. */
export async function pool<T, R>(items: readonly T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      for (let index = next++; index < items.length; index = next++) results[index] = await task(items[index] as T);
    }),
  );
  return results;
}

export async function runMatrix(operation: Operation, options: MatrixOptions): Promise<MatrixReport> {
  const clean = await runOnce(operation, null);
  const findings: Finding[] = clean.violations.map((violation) => ({ operation: operation.name, fault: 'no fault', site: '-', violation }));
  const random = seeded(options.sample?.seed ?? 0);
  const sampled = (fault: Fault) => fault.kind !== 'fail' || touchesRoute(clean.calls.find((call) => call.n === fault.at)) || random() < (options.sample?.fraction ?? 1);
  const faults = faultMatrix(clean.calls, options).filter((fault) => !options.sample || sampled(fault));
  const results = await pool(faults, 4, (fault) => runOnce(operation, fault));
  for (const [index, result] of results.entries()) {
    const fault = faults[index] ?? null;
    const site = clean.calls.find((call) => call.n === fault?.at)?.site ?? '?';
    for (const violation of result.violations) findings.push({ operation: operation.name, fault: describeFault(fault), site, violation });
  }
  return { runs: faults.length + 1, faultPoints: new Set(faults.map((fault) => fault.at)).size, findings };
}

/** Findings grouped by what went wrong (request ids and times stripped), each with one fault that shows it. */
export function summarize(findings: readonly Finding[]): string[] {
  const groups = new Map<string, { count: number; example: Finding }>();
  for (const finding of findings) {
    const key = `${finding.violation.invariant} ${finding.operation}: ${finding.violation.detail.replace(/pr-[0-9a-f]{12}/g, 'pr-…').replace(/\d{10,}\.\d+/g, 'ts')}`;
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { count: 1, example: finding });
  }
  return [...groups].map(([key, group]) => `${key} — ${group.count} run(s), e.g. ${group.example.fault} [${group.example.site}]`);
}

/** Two replicas (or two clicks on one) running at once, one Kubernetes/Slack call at a time in a seeded order. */
export interface Race {
  readonly name: string;
  readonly seed?: Seed;
  readonly truth: Truth;
  prefix?(world: World): Promise<Context>;
  lanes(world: World, actors: { readonly a: Actor; readonly b: Actor }, context: Context): ReadonlyMap<string, () => Promise<unknown>>;
  /** Virtual time that passes at a seeded moment of the race (a slow replica, the minute turning over). */
  readonly jumpMs?: number;
}

export async function runRace(race: Race, seed: number): Promise<RunResult> {
  const world = await World.start(race.seed);
  try {
    const context = (await race.prefix?.(world)) ?? {};
    world.advance(60_000);
    const random = seeded(seed);
    const a = world.actor('A');
    const b = world.actor('B');
    const interleaver = new Interleaver(random);
    a.replica.interleaver = interleaver;
    b.replica.interleaver = interleaver;
    const jumpAt = race.jumpMs === undefined ? -1 : 1 + Math.floor(random() * 24);
    await interleaver.run(race.lanes(world, { a, b }, context), () => false, (step) => {
      if (step === jumpAt && race.jumpMs !== undefined) world.advance(race.jumpMs);
    });
    a.replica.interleaver = null;
    b.replica.interleaver = null;
    const violations = [...invisiblePending(world, race.name), ...(await settleAndJudge(world, b, race.truth))];
    return { calls: [...a.replica.calls, ...b.replica.calls], violations, outcome: 'done' };
  } finally {
    await world.close();
  }
}

/** Someone else changes the VirtualService while replica A waits at a call. */
export interface Change {
  readonly name: string;
  apply(world: World): Promise<void>;
}

/**
 * Each change at each call of `operation` that reads or writes state (A pauses there, the change lands, A goes on),
 * or a seeded `sample` of those cases (the route's writes always).
 */
export async function runChanges(operation: Operation, changes: readonly Change[], sample?: Sample): Promise<MatrixReport> {
  const clean = await runOnce(operation, null);
  const points = clean.calls.filter((call) => call.write || touchesRoute(call));
  const random = seeded(sample?.seed ?? 0);
  const routeWrite = (call: CallRecord) => call.write && touchesRoute(call);
  const cases = points.flatMap((call) => changes.map((change) => ({ call, change }))).filter(({ call }) => !sample || routeWrite(call) || random() < sample.fraction);
  const results = await pool(cases, 4, ({ call, change }) => runOnce(operation, { kind: 'stall', at: call.n }, (world) => change.apply(world)));
  const findings: Finding[] = clean.violations.map((violation) => ({ operation: operation.name, fault: 'no change', site: '-', violation }));
  for (const [index, result] of results.entries()) {
    const item = cases[index];
    if (!item) continue;
    for (const violation of result.violations) findings.push({ operation: operation.name, fault: `${item.change.name} before call ${item.call.n}`, site: item.call.site, violation });
  }
  return { runs: cases.length + 1, faultPoints: new Set(cases.map(({ call }) => call.n)).size, findings };
}
