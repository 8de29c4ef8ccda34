/**
 * Runs one operation under one fault and judges the outcome: the operation on replica A (faulted), then what
 * the people and the leader do next on a healthy replica B — the same action again, the sweep after five
 * minutes, and one sweep after the last request's TTL — then every invariant.
 */
import { checkEnd, checkHistory, type Truth, type Violation } from './faults-check.ts';
import { describeFault, FAILURE_KINDS, AMBIGUOUS_KINDS, type CallRecord, type Fault } from './faults.ts';
import { World, type Actor, type Seed } from './faults-world.ts';

export interface Context {
  readonly requestId?: string;
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

export async function runOnce(operation: Operation, fault: Fault | null, interference: Interference = sweepMeanwhile): Promise<RunResult> {
  const world = await World.start(operation.seed);
  try {
    const context = (await operation.prefix?.(world)) ?? {};
    world.advance(60_000);
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
    if (outcome !== 'crashed') {
      // Nothing may stay pending that no one can see: once an operation has answered, every pending request has its card.
      for (const request of world.requests().values()) {
        if (request.state === 'pending' && world.cards(request.id).length === 0) violations.push({ invariant: 'I3', detail: `request ${request.id} is pending but no card shows it after ${operation.name} answered` });
      }
    }
    world.advance(60_000);
    await operation.retry?.(world, b, context);
    world.advance(6 * 60_000);
    await world.sweep(b);
    const lastExpiry = Math.max(world.now.getTime(), ...[...world.requests().values()].map((request) => Date.parse(request.expiresAt)));
    world.advance(lastExpiry - world.now.getTime() + 60_000);
    await world.sweep(b);
    world.record('end', false);
    const history = checkHistory(world.history, operation.truth);
    violations.push(...history.violations, ...checkEnd(world, history.landed));
    return { calls: a.replica.calls, violations, outcome };
  } finally {
    await world.close();
  }
}

export interface MatrixOptions {
  /** Also stall at every call while the leader sweeps (races with the sweep). */
  readonly stall: boolean;
}

/**
 * Every fault of the model at every call of a clean run. A crash is placed after each write (a crash after a
 * read leaves the same world as a crash after the write before it); a stall before each write (the window
 * between what a replica read and what it writes); every failure at every call; the ambiguous failures at writes.
 */
export function faultMatrix(calls: readonly CallRecord[], options: MatrixOptions): Fault[] {
  const faults: Fault[] = [];
  for (const call of calls) {
    if (call.write) faults.push({ kind: 'crash', at: call.n });
    if (call.write && options.stall) faults.push({ kind: 'stall', at: call.n });
    for (const failure of FAILURE_KINDS) faults.push({ kind: 'fail', at: call.n, failure, applied: false, persistent: true });
    if (!call.write) continue;
    for (const failure of AMBIGUOUS_KINDS) {
      faults.push({ kind: 'fail', at: call.n, failure, applied: true, persistent: true });
      // A Slack client retries: a first attempt that landed and lost its answer is retried (a duplicate post?).
      if (call.site.startsWith('slack ')) faults.push({ kind: 'fail', at: call.n, failure, applied: true, persistent: false });
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
  const faults = faultMatrix(clean.calls, options);
  const results = await pool(faults, 4, (fault) => runOnce(operation, fault));
  for (const [index, result] of results.entries()) {
    const fault = faults[index] ?? null;
    const site = clean.calls.find((call) => call.n === fault?.at)?.site ?? '?';
    for (const violation of result.violations) findings.push({ operation: operation.name, fault: describeFault(fault), site, violation });
  }
  return { runs: faults.length + 1, faultPoints: clean.calls.length, findings };
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
