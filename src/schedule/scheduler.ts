import { Cron } from 'croner';
import { z } from 'zod';
import { recordName, type StateStore, type StoreError, type Stored } from '../kube/state-store.ts';
import type { Logger } from '../log.ts';
import { monotonic, type Clock } from './clock.ts';

/**
 * What a running job holds while its fire is claimed. A job with a side effect that must happen once (posting a
 * digest) performs it through `commit`, which refuses once the claim can no longer be trusted.
 */
export interface RunFence {
  /** Aborts when the scheduler stops or the claim is lost; work not yet committed should give up. */
  readonly signal: AbortSignal;
  /**
   * Runs `effect` only while this replica still holds the claim (its heartbeat is fresh and nobody took it over),
   * else rejects with ClaimLostError. A stopping scheduler waits for an effect in progress instead of abandoning it.
   */
  commit<T>(effect: () => Promise<T>): Promise<T>;
}

export class ClaimLostError extends Error {
  override readonly name = 'ClaimLostError';
}

export interface ScheduledJob {
  /** Stable across replicas and restarts: the fire record is keyed by it. */
  readonly id: string;
  readonly schedule: string;
  readonly timezone: string;
  /** Resolves when the fire is done; a rejection leaves the fire to be retried within the catch-up window. */
  run(firedAt: Date, fence: RunFence): Promise<void>;
}

export interface SchedulerOptions {
  readonly jobs: readonly ScheduledJob[];
  readonly clock: Clock;
  readonly isLeader: () => boolean;
  /** Names this replica in claims (the leader election identity). */
  readonly identity: string;
  readonly store: StateStore;
  readonly logger: Logger;
  /** A fire missed by at most this much (leader changed over at that moment) still runs, late. */
  readonly graceMs?: number;
  /** How often a replica looks again (it may become leader; a claim may go stale). */
  readonly checkEveryMs?: number;
  /** How often the owner of a claim proves it is alive by rewriting the claim. */
  readonly heartbeatMs?: number;
  /** A running claim unchanged for this long (on the observer's clock) belongs to a dead or cut-off owner. */
  readonly staleMs?: number;
  /** A failed run is retried once its record stayed unchanged this long. */
  readonly retryMs?: number;
}

export interface Scheduler {
  start(): void;
  /** Abandons runs that have not committed their effect (the next leader re-runs them at once) and waits for those that have. */
  stop(): Promise<void>;
}

/**
 * `lastFired`: every fire at or before it is done. `claim`: the fire being worked on — `running` by `owner` (whose
 * heartbeat `beat` changes while it lives), `failed` (retried after a pause), or `abandoned` by a replica that was
 * stopping before it posted (re-run at once). Records written before claims existed hold `lastFired` only.
 */
const claimSchema = z.object({
  firedAt: z.string(),
  owner: z.string(),
  state: z.enum(['running', 'failed', 'abandoned']),
  beat: z.number().int(),
});
const fireRecord = z.object({ lastFired: z.string(), claim: claimSchema.optional() });
type FireRecord = z.output<typeof fireRecord>;
type Claim = z.output<typeof claimSchema>;

/** The five cron fields, what each takes, and names the library reads in place of numbers. */
const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59, words: '' },
  { name: 'hour', min: 0, max: 23, words: '' },
  { name: 'day-of-month', min: 1, max: 31, words: '' },
  { name: 'month', min: 1, max: 12, words: ' or jan-dec' },
  { name: 'day-of-week', min: 0, max: 7, words: ' or sun-sat (0 and 7 are Sunday)' },
] as const;

/**
 * Which field is wrong, in cron's own terms. The library's messages name its internal fields and, for day-of-month
 * and month, a value one less than the one written ("Invalid value for day: 31" for 32), and replace names by
 * numbers ("1-FRY" for "MON-FRY"): each field is therefore checked alone, its numbers against cron's ranges.
 */
function cronFieldProblem(fields: readonly string[]): string | null {
  for (const [index, field] of CRON_FIELDS.entries()) {
    const text = fields[index] ?? '';
    for (const part of text.split(',')) {
      const [base = ''] = part.split('/');
      for (const number of base.split('-').filter((bound) => /^\d+$/.test(bound)).map(Number)) {
        if (number < field.min || number > field.max) return `${field.name} ${number} is outside ${field.min}-${field.max}`;
      }
    }
    try {
      new Cron(CRON_FIELDS.map((_, other) => (other === index ? text : '*')).join(' '), { paused: true });
    } catch {
      return `the ${field.name} field "${text}" is not cron: it takes ${field.min}-${field.max}${field.words}, lists (1,3), ranges (1-5) and steps (*/15)`;
    }
  }
  return null;
}

/**
 * Cron patterns are checked at start so a typo stops the process instead of silently never firing: a pattern no
 * date matches (31 February) is refused like a malformed one.
 */
export function cronProblem(schedule: string, timezone: string): string | null {
  // The cron library also takes six or seven fields, seconds first: "* * * * * *" would post every second, and a
  // five-field pattern with a year appended as AWS writes it ("0 9 * * 1-5 *") at :09 of every hour, January to May.
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return `cron takes five fields (minute hour day-of-month month day-of-week), this has ${fields.length}`;
  const fieldProblem = cronFieldProblem(fields);
  if (fieldProblem) return fieldProblem;
  try {
    const cron = new Cron(schedule, { timezone, paused: true });
    return cron.nextRun() ? null : 'it never fires: no date matches it (e.g. 31 February)';
  } catch (cause) {
    return cause instanceof Error ? cause.message : String(cause);
  }
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** `2026-10-25, 02:30` in `timeZone`. */
function wallClock(at: Date, timeZone: string): string {
  let format = wallClocks.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    wallClocks.set(timeZone, format);
  }
  return format.format(at);
}

/**
 * The second time a wall-clock minute happens, when summer time ends (02:00-02:59 twice in Europe/Berlin; shifts are
 * 30 minutes to 2 hours). The cron library fires "0,30 2 * * *" in both, but cron runs a job at a fixed hour once then.
 */
function repeatsWallClock(at: Date, timeZone: string): boolean {
  const local = wallClock(at, timeZone);
  return [30, 60, 120].some((minutes) => wallClock(new Date(at.getTime() - minutes * 60_000), timeZone) === local);
}

/** Cron runs a job whose hour field is a wildcard (`*`, a step of it, `@hourly`) every real hour, also in a repeated one. */
function hourIsWildcard(schedule: string): boolean {
  const fields = schedule.trim().split(/\s+/);
  if (fields[0]?.startsWith('@')) return /^@(hourly|minutely)$/i.test(fields[0]);
  // Five fields (cronProblem refuses the library's six- and seven-field forms): the hour is the second.
  return fields[1]?.startsWith('*') ?? true;
}

/** Skipped fire times named in the warning, and counted at most. */
const SKIPPED_LISTED = 20;
const SKIPPED_COUNTED = 1000;

/** One claimed fire on this replica, from claim to completion. */
interface ActiveRun {
  readonly firedAt: Date;
  readonly controller: AbortController;
  /** Resolves once the run's outcome is recorded (or abandoned). */
  settled: Promise<void>;
  /** The job entered `commit`: a stopping scheduler waits for it rather than handing the fire back. */
  committing: boolean;
}

/**
 * Runs jobs on their cron schedules, on the leader only. Each fire is claimed, run and completed in a per-job
 * record (a ConfigMap, compare-and-swap on resourceVersion): the claim names its owner and is kept alive by a
 * heartbeat; completion moves `lastFired`. A fire whose owner died, was cut off or stopped before posting is re-run
 * by the leader within the catch-up window, and a failed run is retried, so a fire is never consumed without
 * being done. See the README (Running in a cluster) for the one window that can still post twice.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const graceMs = options.graceMs ?? 10 * 60_000;
  const checkEveryMs = options.checkEveryMs ?? 5_000;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const staleMs = options.staleMs ?? 30_000;
  const retryMs = options.retryMs ?? 60_000;
  const { clock, store, logger, identity } = options;
  const elapsed = monotonic(clock);
  const stopping = new AbortController();
  const loops: Promise<void>[] = [];
  const active = new Map<string, ActiveRun>();

  const nameOf = (job: ScheduledJob) => recordName('mesh-bot-schedule', job.id);

  /** The fire times after `from` up to and including `until` (a wall-clock time repeated by DST counts once), at most `limit`. */
  function firesBetween(job: ScheduledJob, cron: Cron, from: number, until: number, limit = Number.POSITIVE_INFINITY): Date[] {
    const wildcardHour = hourIsWildcard(job.schedule);
    const fires: Date[] = [];
    for (let next = cron.nextRun(new Date(from)); next && next.getTime() <= until && fires.length < limit; next = cron.nextRun(next)) {
      if (wildcardHour || !repeatsWallClock(next, job.timezone)) fires.push(next);
    }
    return fires;
  }

  /** The most recent scheduled time within the grace window, if any. */
  function latestDue(job: ScheduledJob, cron: Cron, now: number): Date | null {
    return firesBetween(job, cron, now - graceMs, now).at(-1) ?? null;
  }

  /**
   * Only the latest fire is run: fires that came and went while the previous run was still gathering, or while no
   * replica could lead, are not posted late one after another. They are named, so a missing digest leaves a trace.
   */
  const skipReported = new Map<string, number>();
  function reportSkipped(job: ScheduledJob, cron: Cron, record: FireRecord, due: Date): void {
    // A failed run of `due` is claimed again a minute later: its skipped predecessors were said the first time.
    if (skipReported.get(job.id) === due.getTime()) return;
    skipReported.set(job.id, due.getTime());
    // Every fire after lastFired went unposted, including one a failed or taken-over claim was working on.
    const after = Date.parse(record.lastFired);
    if (Number.isNaN(after)) return;
    // Bounded: after a week down, an every-minute schedule has 10 000 of them; the first ones and a count will do.
    const skipped = firesBetween(job, cron, after, due.getTime() - 1, SKIPPED_COUNTED);
    if (skipped.length === 0) return;
    logger.warn(
      {
        job: job.id,
        firedAt: due.toISOString(),
        skipped: skipped.slice(0, SKIPPED_LISTED).map((at) => at.toISOString()),
        skippedCount: skipped.length,
        ...(skipped.length === SKIPPED_COUNTED ? { skippedCountIsAtLeast: true } : {}),
      },
      'scheduled runs skipped: these fire times passed without a run (the previous run was still going, or no replica could lead), and only the latest one is run',
    );
  }

  /** Per job: the claim as last seen and the local (monotonic) time it was first seen like that. */
  const seen = new Map<string, { key: string; at: number }>();
  function unchangedFor(job: ScheduledJob, claim: Claim | undefined): number {
    const key = JSON.stringify(claim ?? null);
    const now = elapsed();
    const last = seen.get(job.id);
    if (!last || last.key !== key) {
      seen.set(job.id, { key, at: now });
      return 0;
    }
    return now - last.at;
  }

  /** Whether the leader may claim `due` now, given the record as read. */
  function claimable(job: ScheduledJob, record: FireRecord, due: Date): boolean {
    if (Date.parse(record.lastFired) >= due.getTime()) return false;
    const claim = record.claim;
    const quiet = unchangedFor(job, claim);
    if (!claim) return true;
    if (claim.state === 'abandoned') return true;
    if (claim.state === 'failed') return Date.parse(claim.firedAt) < due.getTime() || quiet >= retryMs;
    // Running: ours is in progress here; anyone's is left alone while its heartbeat still changes the record.
    if (claim.owner === identity && active.has(job.id)) return false;
    return quiet >= staleMs;
  }

  /**
   * A fire cannot run without its record (the claim is what keeps two replicas from posting it twice), so a record
   * that cannot be read or written stops the job. Said once per fire and problem, at error level: retrying every
   * few seconds must neither stay silent (a digest missing with no trace) nor flood the log.
   */
  const reported = new Map<string, string>();
  function reportBlocked(job: ScheduledJob, due: Date | null, error: StoreError, what: string): void {
    const key = `${due?.toISOString() ?? ''} ${error.kind} ${what}`;
    if (reported.get(job.id) === key) return;
    reported.set(job.id, key);
    logger.error(
      { job: job.id, ...(due ? { firedAt: due.toISOString() } : {}), record: `${store.namespace}/${nameOf(job)}`, err: error.message },
      `scheduled run blocked: mesh-bot could not ${what} the job's schedule record, and runs only through it so that replicas never post twice; trying again every few seconds`,
    );
  }

  /**
   * A job seen for the first time records "nothing missed so far": a new deployment starting at 09:05 has not
   * missed the 09:00 digest. Only runs missed after that (a leader change at fire time) are caught up.
   */
  async function prime(job: ScheduledJob, due: Date | null, now: number, blockedFire: Date | null): Promise<boolean> {
    const current = await store.get(nameOf(job), fireRecord);
    if (!current.ok) {
      reportBlocked(job, blockedFire, current.error, 'read');
      return false;
    }
    if (current.value !== null) return true;
    const created = await store.create(nameOf(job), { lastFired: (due ?? new Date(now)).toISOString() }, { 'mesh-bot/kind': 'schedule' });
    if (created.ok || created.error.kind === 'exists') return true;
    reportBlocked(job, blockedFire, created.error, 'create');
    return false;
  }

  /** The claimed record and the local time the claim was sent (its first heartbeat). */
  async function tryClaim(job: ScheduledJob, cron: Cron, due: Date): Promise<{ record: Stored<FireRecord>; sentAt: number } | null> {
    const current = await store.get(nameOf(job), fireRecord);
    if (!current.ok) {
      reportBlocked(job, due, current.error, 'read');
      return null;
    }
    if (current.value === null || !claimable(job, current.value.value, due)) return null;
    const previous = current.value.value.claim;
    if (previous && previous.state === 'running') logger.warn({ job: job.id, firedAt: previous.firedAt, owner: previous.owner }, 'taking over a scheduled run whose owner stopped renewing its claim');
    const claim: Claim = { firedAt: due.toISOString(), owner: identity, state: 'running', beat: 0 };
    const sentAt = elapsed();
    const written = await store.replace(current.value, { lastFired: current.value.value.lastFired, claim });
    if (written.ok) {
      reportSkipped(job, cron, current.value.value, due);
      return { record: written.value, sentAt };
    }
    // A conflict is another replica claiming first: the normal outcome of a race, not a problem.
    if (written.error.kind !== 'conflict') reportBlocked(job, due, written.error, 'update');
    return null;
  }

  /** Claim, run, complete; the record is rewritten only through `current`, one write at a time. */
  function startRun(job: ScheduledJob, claimed: { record: Stored<FireRecord>; sentAt: number }, due: Date): ActiveRun {
    const controller = new AbortController();
    let current = claimed.record;
    let lost = false;
    let lastBeatAt = claimed.sentAt;
    let writes: Promise<unknown> = Promise.resolve();
    const serially = <T>(write: () => Promise<T>): Promise<T> => {
      const next = writes.then(write);
      writes = next.catch(() => undefined);
      return next;
    };
    /** Rewrites our claim (or its outcome); false once someone else changed the record. */
    const rewrite = (value: (record: FireRecord) => FireRecord, what: string): Promise<boolean> =>
      serially(async () => {
        if (lost) return false;
        const sentAt = elapsed();
        const written = await store.replace(current, value(current.value));
        if (written.ok) {
          current = written.value;
          lastBeatAt = sentAt;
          return true;
        }
        if (written.error.kind === 'conflict' || written.error.kind === 'not-found') {
          lost = true;
          controller.abort(new ClaimLostError(`the claim of ${job.id} at ${due.toISOString()} was taken over`));
        }
        logger.warn({ job: job.id, firedAt: due.toISOString(), err: written.error.message }, `could not ${what}`);
        return false;
      });

    const held = () => !lost && !controller.signal.aborted && elapsed() - lastBeatAt < staleMs / 2;
    /** The effect is out: keep trying to record it until the claim could be taken over, so an API blip does not re-post. */
    const recordDone = async (): Promise<boolean> => {
      const giveUpAt = elapsed() + staleMs;
      for (;;) {
        if (await rewrite(() => ({ lastFired: due.toISOString() }), 'record a scheduled run as done')) return true;
        if (lost || elapsed() >= giveUpAt) return false;
        await clock.sleep(heartbeatMs, new AbortController().signal);
      }
    };
    const run: ActiveRun = { firedAt: due, controller, committing: false, settled: Promise.resolve() };
    const fence: RunFence = {
      signal: controller.signal,
      async commit(effect) {
        if (!held()) throw new ClaimLostError(`no longer the owner of ${job.id} at ${due.toISOString()}; the next leader runs it`);
        run.committing = true;
        return effect();
      },
    };

    const heartbeat = (async () => {
      while (!controller.signal.aborted) {
        try {
          await clock.sleep(heartbeatMs, controller.signal);
        } catch {
          return;
        }
        await rewrite((record) => ({ ...record, claim: record.claim && { ...record.claim, beat: record.claim.beat + 1 } }), 'renew the claim of a scheduled run');
      }
    })();

    const outcome = Promise.resolve()
      .then(() => job.run(due, fence))
      .then(
        () => ({ ok: true as const }),
        (cause: unknown) => ({ ok: false as const, cause }),
      );
    /** Stopping before the effect started: give the fire back at once instead of waiting for a run that will not post. */
    const abandonedOnStop = new Promise<'stopped'>((resolve) => {
      const onStop = () => {
        if (!run.committing) resolve('stopped');
      };
      if (stopping.signal.aborted) onStop();
      else stopping.signal.addEventListener('abort', onStop, { once: true });
    });

    run.settled = (async () => {
      const first = await Promise.race([outcome, abandonedOnStop]);
      if (first === 'stopped') {
        controller.abort(new Error('scheduler stopped'));
        await rewrite((record) => ({ ...record, claim: record.claim && { ...record.claim, state: 'abandoned' } }), 'hand back a scheduled run on shutdown');
      } else if (first.ok) {
        controller.abort(new Error('run finished'));
        const done = await recordDone();
        if (!done) logger.error({ job: job.id, firedAt: due.toISOString() }, 'a scheduled run finished but could not be recorded as done; the next leader may run it again');
      } else {
        const claimLost = first.cause instanceof ClaimLostError || lost;
        controller.abort(new Error('run failed'));
        if (claimLost) logger.warn({ job: job.id, firedAt: due.toISOString(), err: first.cause }, 'scheduled run gave up: its claim was lost before it posted');
        else logger.error({ job: job.id, firedAt: due.toISOString(), err: first.cause }, 'scheduled job failed; it is retried within the catch-up window');
        await rewrite((record) => ({ ...record, claim: record.claim && { ...record.claim, state: claimLost ? 'abandoned' : 'failed' } }), 'record a failed scheduled run');
      }
      await heartbeat;
    })();
    return run;
  }

  async function loop(job: ScheduledJob): Promise<void> {
    const cron = new Cron(job.schedule, { timezone: job.timezone, paused: true });
    let primed = false;
    const startedAt = clock.now();
    while (!stopping.signal.aborted) {
      const now = clock.now();
      const due = latestDue(job, cron, now);
      // Until the record exists, a fire that comes due is one this job misses: say so for each.
      if (!primed) primed = await prime(job, due, now, due && due.getTime() > startedAt ? due : null);
      else if (due && !active.has(job.id) && options.isLeader()) {
        const claimed = await tryClaim(job, cron, due);
        if (claimed) {
          logger.info({ job: job.id, firedAt: due.toISOString(), lateMs: now - due.getTime() }, 'running scheduled job');
          const run = startRun(job, claimed, due);
          active.set(job.id, run);
          void run.settled.finally(() => {
            if (active.get(job.id) === run) active.delete(job.id);
          });
        }
      }
      const next = cron.nextRun(new Date(clock.now()));
      const wait = next ? Math.min(next.getTime() - clock.now(), checkEveryMs) : checkEveryMs;
      try {
        await clock.sleep(Math.max(wait, 0), stopping.signal);
      } catch {
        return;
      }
    }
  }

  return {
    start() {
      for (const job of options.jobs) loops.push(loop(job));
    },
    async stop() {
      stopping.abort(new Error('scheduler stopped'));
      await Promise.all(loops);
      await Promise.all([...active.values()].map((run) => run.settled));
    },
  };
}
