import { Cron } from 'croner';
import { z } from 'zod';
import { recordName, type StateStore } from '../kube/state-store.ts';
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';

export interface ScheduledJob {
  /** Stable across replicas and restarts: the fire record is keyed by it. */
  readonly id: string;
  readonly schedule: string;
  readonly timezone: string;
  run(firedAt: Date): Promise<void>;
}

export interface SchedulerOptions {
  readonly jobs: readonly ScheduledJob[];
  readonly clock: Clock;
  readonly isLeader: () => boolean;
  readonly store: StateStore;
  readonly logger: Logger;
  /** A fire missed by at most this much (leader changed over at that moment) still runs, late. */
  readonly graceMs?: number;
  /** How often a replica that is not leader looks again (it may become leader). */
  readonly checkEveryMs?: number;
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
}

const fireRecord = z.object({ lastFired: z.string() });

/** Cron patterns are checked at start so a typo stops the process instead of silently never firing. */
export function cronProblem(schedule: string, timezone: string): string | null {
  try {
    new Cron(schedule, { timezone, paused: true });
    return null;
  } catch (cause) {
    return cause instanceof Error ? cause.message : String(cause);
  }
}

/**
 * Runs jobs on their cron schedules, on the leader only, each scheduled time exactly once across replicas:
 * the run is claimed by a compare-and-swap of the job's `lastFired` record before anything is done.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const graceMs = options.graceMs ?? 10 * 60_000;
  const checkEveryMs = options.checkEveryMs ?? 5_000;
  const controller = new AbortController();
  const loops: Promise<void>[] = [];

  async function claim(job: ScheduledJob, due: Date): Promise<boolean> {
    const name = recordName('mesh-bot-schedule', job.id);
    const current = await options.store.get(name, fireRecord);
    if (!current.ok) {
      options.logger.warn({ job: job.id, err: current.error.message }, 'cannot read the schedule record; skipping this run');
      return false;
    }
    if (current.value === null) {
      const created = await options.store.create(name, { lastFired: due.toISOString() }, { 'mesh-bot/kind': 'schedule' });
      return created.ok;
    }
    if (Date.parse(current.value.value.lastFired) >= due.getTime()) return false;
    const written = await options.store.replace(current.value, { lastFired: due.toISOString() });
    return written.ok;
  }

  /** The most recent scheduled time within the grace window, if any. */
  function latestDue(cron: Cron, now: number): Date | null {
    let due: Date | null = null;
    for (let next = cron.nextRun(new Date(now - graceMs)); next && next.getTime() <= now; next = cron.nextRun(next)) due = next;
    return due;
  }

  /**
   * A job seen for the first time records "nothing missed so far": a new deployment starting at 09:05 has not
   * missed the 09:00 digest. Only runs missed after that (a leader change at fire time) are caught up.
   */
  async function prime(job: ScheduledJob, due: Date | null, now: number): Promise<boolean> {
    const name = recordName('mesh-bot-schedule', job.id);
    const current = await options.store.get(name, fireRecord);
    if (!current.ok) return false;
    if (current.value !== null) return true;
    const created = await options.store.create(name, { lastFired: (due ?? new Date(now)).toISOString() }, { 'mesh-bot/kind': 'schedule' });
    return created.ok || created.error.kind === 'exists';
  }

  async function loop(job: ScheduledJob): Promise<void> {
    const cron = new Cron(job.schedule, { timezone: job.timezone, paused: true });
    let primed = false;
    while (!controller.signal.aborted) {
      const now = options.clock.now();
      const due = latestDue(cron, now);
      if (!primed) primed = await prime(job, due, now);
      else if (due && options.isLeader() && (await claim(job, due))) {
        options.logger.info({ job: job.id, firedAt: due.toISOString(), lateMs: now - due.getTime() }, 'running scheduled job');
        try {
          await job.run(due);
        } catch (cause) {
          options.logger.error({ job: job.id, err: cause }, 'scheduled job failed');
        }
      }
      const next = cron.nextRun(new Date(options.clock.now()));
      const wait = next ? Math.min(next.getTime() - options.clock.now(), checkEveryMs) : checkEveryMs;
      try {
        await options.clock.sleep(Math.max(wait, 0), controller.signal);
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
      controller.abort(new Error('scheduler stopped'));
      await Promise.all(loops);
    },
  };
}
