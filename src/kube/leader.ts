/**
 * Lease-based leader election (coordination.k8s.io/v1), ported from client-go's `tools/leaderelection` so that
 * scheduled work (digests, expiry sweeps) runs on exactly one of several replicas. @kubernetes/client-node ships
 * no leader election of its own.
 *
 * The rule that keeps it safe under clock skew: another holder's lease is judged expired by THIS process's clock,
 * counted from the moment this process last saw the lease record change. The remote renewTime is never compared
 * with the local clock.
 */
import { V1MicroTime } from '@kubernetes/client-node';
import type { CoordinationV1Api, V1Lease, V1LeaseSpec } from '@kubernetes/client-node';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import { err, ok, type Result } from '../result.ts';
import { describeKubeError, kubeStatusOf } from './errors.ts';

/** The three calls the elector makes; a `CoordinationV1Api` fits, and tests can wrap one to hold requests back. */
export type LeaseClient = Pick<CoordinationV1Api, 'readNamespacedLease' | 'createNamespacedLease' | 'replaceNamespacedLease'>;

export interface LeaderElectorOptions {
  readonly coordination: LeaseClient;
  readonly namespace: string;
  /** e.g. `mesh-bot-scheduler`. */
  readonly leaseName: string;
  /** Unique per process: POD_NAME plus a random suffix (the caller builds it). */
  readonly identity: string;
  /** How long a lease stays valid without renewal; whole seconds, because the Lease stores seconds. Default 15000. */
  readonly leaseDurationMs?: number;
  /** The leader steps down when it has not renewed for this long. Default 10000. */
  readonly renewDeadlineMs?: number;
  /** Pause between attempts (with jitter while acquiring). Default 2000. */
  readonly retryPeriodMs?: number;
  /** Cluster name used in error sentences; default `default`. */
  readonly clusterName?: string;
  /** Wall clock in ms, for the times written into the Lease (read by people and other tools); default `Date.now`. */
  readonly now?: () => number;
  /**
   * A clock that never jumps, for every duration this replica judges: how long a Lease stayed unchanged and how long
   * ago this replica renewed. Default `performance.now`; a wall-clock step (NTP, a VM resumed) must not expire a
   * lease early or keep a stale leader leading.
   */
  readonly monotonic?: () => number;
  /** Resolves after `ms`, or early once `signal` aborts. Default: a real timer. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1) for the acquire jitter; default `Math.random`. */
  readonly random?: () => number;
  readonly logger: Logger;
  /** This replica became the leader: start the scheduled work. */
  readonly onStartedLeading?: () => void;
  /** This replica is no longer the leader (renewal failed, another holder seen, or stop): stop the scheduled work. */
  readonly onStoppedLeading?: () => void;
  /** A different holder (possibly this replica) was observed in the lease. */
  readonly onNewLeader?: (identity: string) => void;
}

export interface LeaderElector {
  /** Acquires, leads and re-acquires until `stop()`; never rejects on API errors. Calling it again while running returns the same promise. */
  run(): Promise<void>;
  /** Ends the loop, calls onStoppedLeading if leading, and releases the lease if this replica holds it. */
  stop(): Promise<void>;
  /** True while this replica holds the lease and renewed it within the renew deadline. */
  isLeader(): boolean;
  /** One acquire-or-renew step (client-go's tryAcquireOrRenew); true when this replica holds the lease afterwards. */
  tryAcquireOrRenew(): Promise<boolean>;
}

/** client-go's JitterFactor for the acquire loop. */
const JITTER_FACTOR = 1.2;

/** Times are left as read: the client hands MicroTime back as a string, and re-sending it keeps its microseconds. */
const microTime = z.union([z.string(), z.date()]).nullish();
const leaseSpecSchema = z
  .object({
    holderIdentity: z.string().nullish(),
    leaseDurationSeconds: z.number().int().nullish(),
    acquireTime: microTime,
    renewTime: microTime,
    leaseTransitions: z.number().int().nullish(),
  })
  .nullish();

/** client-go's LeaderElectionRecord: the fields that identify a change of the lease. */
interface LeaseRecord {
  readonly holder: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: string;
  readonly renewTime: string;
  readonly leaseTransitions: number;
}

/** What a write as holder carries over: a new holder starts a tenure, the same holder keeps its own. */
interface Tenure {
  readonly acquireTime: V1LeaseSpec['acquireTime'];
  readonly leaseTransitions: number;
}

interface CallFailure {
  readonly code: number | null;
  readonly message: string;
}

export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  validate(options, leaseDurationMs, renewDeadlineMs, retryPeriodMs);

  const { coordination, namespace, leaseName: name, identity, logger } = options;
  const clusterName = options.clusterName ?? 'default';
  const clock = options.now ?? Date.now;
  const elapsed = options.monotonic ?? (() => performance.now());
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const lease = `${namespace}/${name}`;
  const leaseDurationSeconds = leaseDurationMs / 1000;

  let observed: LeaseRecord | undefined;
  let observedKey = '';
  /** Monotonic time at which `observed` was first read as it is (after the read returned); the only basis for judging another holder's lease expired. */
  let observedAt = 0;
  /** The lease as last read or written, whose resourceVersion a renewal names. */
  let lastLease: V1Lease | undefined;
  /** Monotonic time at which this replica sent its last successful write as holder (before sending: the safe side). */
  let renewedAt: number | undefined;
  let reportedLeader = '';
  /** Whether onStartedLeading was called without a matching onStoppedLeading yet. */
  let leading = false;
  let running: { readonly controller: AbortController; readonly done: Promise<void> } | undefined;

  const isLeader = (): boolean =>
    observed?.holder === identity && renewedAt !== undefined && elapsed() - renewedAt < renewDeadlineMs;

  /** Remembers what was read; `observedAt` moves only when the record changed, or when this replica wrote it. */
  const observe = (read: V1Lease, at: number, ownWrite: boolean): Result<LeaseRecord, string> => {
    const parsed = leaseSpecSchema.safeParse(read.spec);
    if (!parsed.success) return err(`Lease ${lease} has an unexpected spec (${parsed.error.issues[0]?.message ?? 'invalid'}); fix or delete it.`);
    const spec = parsed.data ?? {};
    const record: LeaseRecord = {
      holder: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: timeText(spec.acquireTime),
      renewTime: timeText(spec.renewTime),
      leaseTransitions: spec.leaseTransitions ?? 0,
    };
    const key = JSON.stringify(record);
    if (ownWrite || key !== observedKey) {
      observed = record;
      observedKey = key;
      observedAt = at;
    }
    lastLease = read;
    return ok(record);
  };

  const call = async <T>(action: string, request: () => Promise<T>): Promise<Result<T, CallFailure>> => {
    try {
      return ok(await request());
    } catch (cause) {
      return err({ code: kubeStatusOf(cause)?.code ?? null, message: describeKubeError(cause, action, clusterName) });
    }
  };

  /** A conflict is the normal outcome of losing a race; anything else is worth an operator's attention. */
  const logFailure = (failure: CallFailure): void => {
    if (failure.code === 409) logger.debug({ lease, candidate: identity }, 'another replica wrote the lease first; not leader this round');
    else logger.warn({ lease, candidate: identity, code: failure.code }, failure.message);
  };

  const replace = (body: V1Lease, action: string) =>
    call(action, () => coordination.replaceNamespacedLease({ name, namespace, body }));

  /** The spec that names this replica as holder; `tenure` carries the acquire time and transition count to write. */
  const holding = (now: number, base: V1LeaseSpec | undefined, tenure: Tenure): V1LeaseSpec => ({
    ...base,
    holderIdentity: identity,
    leaseDurationSeconds,
    renewTime: new V1MicroTime(now),
    acquireTime: tenure.acquireTime,
    leaseTransitions: tenure.leaseTransitions,
  });

  /** `sentAt`: monotonic time before the write was sent, so this replica never believes its hold lasts longer than it does. */
  const wrote = (written: V1Lease, sentAt: number): boolean => {
    const remembered = observe(written, sentAt, true);
    if (!remembered.ok) {
      logger.warn({ lease }, remembered.error);
      return false;
    }
    renewedAt = sentAt;
    return true;
  };

  const attempt = async (): Promise<boolean> => {
    const now = clock();
    const sentAt = elapsed();
    // client-go's fast path: a valid leader renews from the lease it last wrote, without reading first.
    if (isLeader() && lastLease && observed) {
      const tenure = { acquireTime: lastLease.spec?.acquireTime, leaseTransitions: observed.leaseTransitions };
      const renewed = await replace({ ...lastLease, spec: holding(now, lastLease.spec, tenure) }, `renew Lease ${lease}`);
      if (renewed.ok) return wrote(renewed.value, sentAt);
      logger.debug({ lease, code: renewed.error.code }, 'renewing from the last written lease failed; reading it again');
    }

    const read = await call(`read Lease ${lease}`, () => coordination.readNamespacedLease({ name, namespace }));
    if (!read.ok && read.error.code === 404) {
      const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: holding(now, undefined, { acquireTime: new V1MicroTime(now), leaseTransitions: 0 }) };
      const created = await call(`create Lease ${lease}`, () => coordination.createNamespacedLease({ namespace, body }));
      if (created.ok) return wrote(created.value, sentAt);
      logFailure(created.error);
      return false;
    }
    if (!read.ok) {
      logFailure(read.error);
      return false;
    }
    // Observed when the answer arrived, not when the question was sent: a slow read must not age the lease.
    const readAt = elapsed();
    const current = observe(read.value, readAt, false);
    if (!current.ok) {
      logger.warn({ lease }, current.error);
      return false;
    }
    const record = current.value;
    const mine = record.holder === identity;
    if (record.holder !== '' && !mine && observedAt + record.leaseDurationSeconds * 1000 > readAt) return false;

    // Keeping the acquire time and transition count as read is what makes a write by the holder a renewal.
    const wallAtWrite = clock();
    const tenure: Tenure = mine
      ? { acquireTime: read.value.spec?.acquireTime, leaseTransitions: record.leaseTransitions }
      : { acquireTime: new V1MicroTime(wallAtWrite), leaseTransitions: record.leaseTransitions + 1 };
    const writeAt = elapsed();
    const updated = await replace({ ...read.value, spec: holding(wallAtWrite, read.value.spec, tenure) }, `update Lease ${lease}`);
    if (updated.ok) return wrote(updated.value, writeAt);
    logFailure(updated.error);
    return false;
  };

  const reportNewLeader = (): void => {
    const holder = observed?.holder ?? '';
    if (holder === '' || holder === reportedLeader) return;
    reportedLeader = holder;
    logger.info({ leader: holder, lease }, 'new leader observed');
    guarded('onNewLeader', () => options.onNewLeader?.(holder));
  };

  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const acquired = await attempt();
    reportNewLeader();
    return acquired;
  };

  /** A throwing callback must not end the election loop; it would leave the lease to expire while still "leading". */
  const guarded = (callback: string, run: () => void): void => {
    try {
      run();
    } catch (cause) {
      logger.error({ lease, err: cause }, `leader election callback ${callback} failed`);
    }
  };

  const startLeading = (): void => {
    leading = true;
    logger.info({ leader: identity, lease }, 'started leading');
    guarded('onStartedLeading', () => options.onStartedLeading?.());
  };

  const stopLeading = (reason: string): void => {
    if (!leading) return;
    leading = false;
    logger.info({ leader: identity, lease, reason }, 'stopped leading');
    guarded('onStoppedLeading', () => options.onStoppedLeading?.());
  };

  /** Sleep implementations may reject on abort (like timers/promises); either way the loop checks the signal next. */
  const pause = (ms: number, signal: AbortSignal): Promise<void> => sleep(ms, signal).catch(() => undefined);

  const loop = async (signal: AbortSignal): Promise<void> => {
    while (!signal.aborted) {
      if (!(await tryAcquireOrRenew())) {
        await pause(retryPeriodMs * (1 + random() * JITTER_FACTOR), signal);
        continue;
      }
      if (signal.aborted) return;
      startLeading();
      while (!signal.aborted) {
        await pause(retryPeriodMs, signal);
        if (signal.aborted) return;
        if (await tryAcquireOrRenew()) continue;
        // Seeing another holder is certain loss; otherwise step down before the lease can expire for the others.
        const holder = observed?.holder ?? '';
        if (holder !== '' && holder !== identity) {
          stopLeading(`lease taken over by ${holder}`);
          break;
        }
        if (renewedAt === undefined || elapsed() - renewedAt >= renewDeadlineMs) {
          stopLeading(`lease not renewed within ${renewDeadlineMs} ms`);
          break;
        }
      }
    }
  };

  const release = async (): Promise<void> => {
    const now = clock();
    const read = await call(`read Lease ${lease}`, () => coordination.readNamespacedLease({ name, namespace }));
    if (!read.ok) {
      if (read.error.code !== 404) logger.warn({ lease, code: read.error.code }, read.error.message);
      return;
    }
    const current = observe(read.value, elapsed(), false);
    // Only clear a lease that still names this replica; someone else's hold is not ours to end.
    if (!current.ok || current.value.holder !== identity) return;
    const spec: V1LeaseSpec = {
      ...read.value.spec,
      holderIdentity: '',
      // As client-go's ReleaseOnCancel: a one-second lease so that even an older candidate waits briefly at most.
      leaseDurationSeconds: 1,
      acquireTime: new V1MicroTime(now),
      renewTime: new V1MicroTime(now),
      leaseTransitions: current.value.leaseTransitions,
    };
    const released = await replace({ ...read.value, spec }, `release Lease ${lease}`);
    if (!released.ok) {
      logFailure(released.error);
      return;
    }
    observe(released.value, elapsed(), true);
    renewedAt = undefined;
    logger.info({ leader: identity, lease }, 'released the lease');
  };

  return {
    run(): Promise<void> {
      if (running) return running.done;
      const controller = new AbortController();
      running = { controller, done: loop(controller.signal) };
      return running.done;
    },
    async stop(): Promise<void> {
      const current = running;
      if (current) {
        current.controller.abort();
        await current.done;
        running = undefined;
      }
      // Stop the work before giving the lease away, so that two replicas never run it at once.
      stopLeading('stopping');
      if (observed?.holder === identity) await release();
    },
    isLeader,
    tryAcquireOrRenew,
  };
}

function validate(options: LeaderElectorOptions, leaseDurationMs: number, renewDeadlineMs: number, retryPeriodMs: number): void {
  const problems: string[] = [];
  if (options.identity.trim() === '') problems.push('identity must not be empty');
  if (options.leaseName.trim() === '' || options.namespace.trim() === '') problems.push('namespace and leaseName must not be empty');
  if (!Number.isInteger(leaseDurationMs / 1000) || leaseDurationMs < 1000) problems.push(`leaseDurationMs must be a whole number of seconds (the Lease stores seconds), got ${leaseDurationMs}`);
  if (!(retryPeriodMs > 0)) problems.push(`retryPeriodMs must be positive, got ${retryPeriodMs}`);
  if (!(leaseDurationMs > renewDeadlineMs)) problems.push(`leaseDurationMs (${leaseDurationMs}) must be greater than renewDeadlineMs (${renewDeadlineMs})`);
  if (!(renewDeadlineMs > JITTER_FACTOR * retryPeriodMs)) problems.push(`renewDeadlineMs (${renewDeadlineMs}) must be greater than ${JITTER_FACTOR} × retryPeriodMs (${retryPeriodMs})`);
  if (problems.length > 0) throw new Error(`leader election for Lease ${options.namespace}/${options.leaseName}: ${problems.join('; ')}`);
}

function timeText(value: string | Date | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : value.toISOString();
}

function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
