import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { createStateStore, type StateStore } from '../../src/kube/state-store.ts';
import { ClaimLostError, createScheduler, cronProblem, type ScheduledJob } from '../../src/schedule/scheduler.ts';
import { advanceUntil, FakeClock } from '../support/fake-clock.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { quietLogger } from '../support/quiet.ts';

const quiet = quietLogger();

describe('scheduler', () => {
  let api: FakeKubeApi;
  let store: StateStore;
  before(async () => {
    api = await startFakeKubeApi();
    store = createStateStore(api.kubeConfig().makeApiClient(CoreV1Api), 'mesh-bot', 'default');
  });
  after(() => api.close());

  it('fires at the scheduled time in the job time zone (09:00 Europe/Berlin is 08:00 UTC in November)', async () => {
    const clock = new FakeClock('2026-11-23T07:59:50Z');
    const fired: string[] = [];
    const scheduler = createScheduler({ jobs: [{ id: 'berlin', schedule: '0 9 * * 1-5', timezone: 'Europe/Berlin', run: async (at) => void fired.push(at.toISOString()) }], clock, isLeader: () => true, identity: 'berlin', store, logger: quiet });
    scheduler.start();
    await clock.advance(5_000);
    assert.deepEqual(fired, []);
    await advanceUntil([clock], () => fired.length === 1, { limitMs: 60_000 });
    assert.deepEqual(fired, ['2026-11-23T08:00:00.000Z']);
    await clock.advance(60_000);
    assert.equal(fired.length, 1, 'the same scheduled time never runs twice');
    await scheduler.stop();
  });

  it('runs each scheduled time once even when two replicas both believe they lead', async () => {
    const clock = new FakeClock('2026-11-23T09:59:58Z');
    let runs = 0;
    const job = { id: 'split-brain', schedule: '0 10 * * *', timezone: 'UTC', run: async () => void (runs += 1) };
    const one = createScheduler({ jobs: [job], clock, isLeader: () => true, identity: 'one', store, logger: quiet });
    const two = createScheduler({ jobs: [job], clock, isLeader: () => true, identity: 'two', store, logger: quiet });
    one.start();
    two.start();
    await advanceUntil([clock], () => runs >= 1, { limitMs: 60_000 });
    await clock.advance(10_000);
    assert.equal(runs, 1);
    await Promise.all([one.stop(), two.stop()]);
  });

  it('never fires on a replica that is not the leader', async () => {
    const clock = new FakeClock('2026-11-23T10:59:58Z');
    let runs = 0;
    const follower = createScheduler({ jobs: [{ id: 'follower', schedule: '0 11 * * *', timezone: 'UTC', run: async () => void (runs += 1) }], clock, isLeader: () => false, identity: 'follower', store, logger: quiet });
    follower.start();
    await clock.advance(30_000);
    assert.equal(runs, 0);
    await follower.stop();
  });

  it('catches up a run missed during a leader change, within the grace period only', async () => {
    const clock = new FakeClock('2026-11-23T11:59:58Z');
    let leading = false;
    const fired: string[] = [];
    const scheduler = createScheduler({ jobs: [{ id: 'late', schedule: '0 12 * * *', timezone: 'UTC', run: async (at) => void fired.push(at.toISOString()) }], clock, isLeader: () => leading, identity: 'late', store, logger: quiet, graceMs: 60_000 });
    scheduler.start();
    await clock.advance(30_000);
    assert.deepEqual(fired, []);
    leading = true;
    await advanceUntil([clock], () => fired.length === 1, { limitMs: 20_000 });
    assert.deepEqual(fired, ['2026-11-23T12:00:00.000Z'], 'fired late, with its scheduled time');
    await scheduler.stop();

    const later = new FakeClock('2026-11-23T12:59:58Z');
    const missed: string[] = [];
    let leadingLater = false;
    const strict = createScheduler({ jobs: [{ id: 'too-late', schedule: '0 13 * * *', timezone: 'UTC', run: async (at) => void missed.push(at.toISOString()) }], clock: later, isLeader: () => leadingLater, identity: 'too-late', store, logger: quiet, graceMs: 60_000 });
    strict.start();
    await later.advance(120_000);
    leadingLater = true;
    await later.advance(10_000);
    assert.deepEqual(missed, [], 'beyond the grace period a missed run is skipped, not posted hours late');
    await strict.stop();
  });

  it('re-runs a claimed fire whose owner died before posting, on the next leader within the catch-up window, and posts it once', async () => {
    const start = '2026-11-23T13:59:58Z';
    const clockA = new FakeClock(start);
    const clockB = new FakeClock(start);
    const posts: string[] = [];
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    let claimedByA = false;
    let refusedToA: unknown;
    const jobOn = (who: string, hang: boolean): ScheduledJob => ({
      id: 'owner-dies',
      schedule: '0 14 * * *',
      timezone: 'UTC',
      async run(at, fence) {
        if (hang) {
          claimedByA = true;
          await stuck;
        }
        await fence.commit(async () => void posts.push(`${who} ${at.toISOString()}`)).catch((cause: unknown) => {
          refusedToA = cause;
        });
      },
    });
    let bLeads = false;
    const a = createScheduler({ jobs: [jobOn('a', true)], clock: clockA, isLeader: () => true, identity: 'a', store, logger: quiet });
    const b = createScheduler({ jobs: [jobOn('b', false)], clock: clockB, isLeader: () => bLeads, identity: 'b', store, logger: quiet });
    a.start();
    b.start();
    await advanceUntil([clockA, clockB], () => claimedByA, { limitMs: 30_000 });
    // A's clock stops here (killed or cut off mid-run: no heartbeat); B wins the lease.
    bLeads = true;
    await clockB.advance(20_000);
    assert.deepEqual(posts, [], 'a claim with a fresh heartbeat is left to its owner');
    await advanceUntil([clockB], () => posts.length > 0, { limitMs: 60_000 });
    assert.deepEqual(posts, ['b 2026-11-23T14:00:00.000Z'], 'posted late by the next leader, with its scheduled time');
    // A was only cut off (paused, partitioned): its time went on, and its run now reaches the post.
    await clockA.advance(40_000);
    release();
    await advanceUntil([clockA], () => refusedToA !== undefined, { limitMs: 10_000 });
    assert.ok(refusedToA instanceof ClaimLostError, 'the old owner, coming back, may not post any more');
    await clockB.advance(60_000);
    assert.equal(posts.length, 1);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('does not consume a fire whose post failed: it is retried within the catch-up window', async () => {
    const clock = new FakeClock('2026-11-23T14:59:58Z');
    const attempts: string[] = [];
    const posted: string[] = [];
    const scheduler = createScheduler({
      jobs: [{
        id: 'post-fails-once',
        schedule: '0 15 * * *',
        timezone: 'UTC',
        async run(at, fence) {
          attempts.push(at.toISOString());
          await fence.commit(async () => {
            if (attempts.length === 1) throw new Error('slack: ratelimited');
            posted.push(at.toISOString());
          });
        },
      }],
      clock,
      isLeader: () => true,
      identity: 'retrying',
      store,
      logger: quiet,
      retryMs: 30_000,
    });
    scheduler.start();
    await advanceUntil([clock], () => posted.length > 0, { limitMs: 5 * 60_000 });
    assert.deepEqual(attempts, ['2026-11-23T15:00:00.000Z', '2026-11-23T15:00:00.000Z']);
    assert.deepEqual(posted, ['2026-11-23T15:00:00.000Z']);
    await clock.advance(60_000);
    assert.equal(attempts.length, 2, 'done once posted');
    await scheduler.stop();
  });

  it('keeps trying to record a posted fire as done through an API blip instead of posting it again', async () => {
    const clock = new FakeClock('2026-11-23T16:59:58Z');
    const posts: string[] = [];
    let failDone = 1;
    // The Kubernetes API refuses the write that records the fire as done, once (a 500, a timeout).
    const flaky: StateStore = {
      ...store,
      replace: async (current, value) => {
        const record = value as { claim?: unknown };
        if (record.claim === undefined && failDone > 0) {
          failDone -= 1;
          return { ok: false, error: { kind: 'unavailable', message: 'the API server is unavailable' } };
        }
        return store.replace(current, value);
      },
    };
    const scheduler = createScheduler({
      jobs: [{ id: 'done-write-fails', schedule: '0 17 * * *', timezone: 'UTC', run: async (at, fence) => fence.commit(async () => void posts.push(at.toISOString())) }],
      clock, isLeader: () => true, identity: 'blip', store: flaky, logger: quiet,
    });
    scheduler.start();
    await advanceUntil([clock], () => posts.length > 0, { limitMs: 30_000 });
    await clock.advance(3 * 60_000);
    assert.deepEqual(posts, ['2026-11-23T17:00:00.000Z'], 'posted once');
    assert.equal(failDone, 0, 'the done-write did fail once');
    await scheduler.stop();
  });

  it('hands a fire back at once when stopped before posting, so the next leader need not wait for the claim to go stale', async () => {
    const clock = new FakeClock('2026-11-23T15:59:58Z');
    const posts: string[] = [];
    let started = false;
    const slowGather = new Promise<void>(() => undefined);
    const stopping = createScheduler({
      jobs: [{ id: 'handover', schedule: '0 16 * * *', timezone: 'UTC', async run() { started = true; await slowGather; } }],
      clock, isLeader: () => true, identity: 'stopping', store, logger: quiet,
    });
    stopping.start();
    await advanceUntil([clock], () => started, { limitMs: 30_000 });
    await stopping.stop();
    const next = createScheduler({
      jobs: [{ id: 'handover', schedule: '0 16 * * *', timezone: 'UTC', run: async (at, fence) => fence.commit(async () => void posts.push(at.toISOString())) }],
      clock, isLeader: () => true, identity: 'next', store, logger: quiet, staleMs: 10 * 60_000,
    });
    next.start();
    await advanceUntil([clock], () => posts.length > 0, { limitMs: 30_000 });
    assert.deepEqual(posts, ['2026-11-23T16:00:00.000Z']);
    await next.stop();
  });

  it('names a bad cron expression', () => {
    assert.match(cronProblem('61 * * * *', 'UTC') ?? '', /minute/);
    assert.equal(cronProblem('0 9 * * 1-5', 'Europe/Berlin'), null);
  });

  // Found by the breakers (BD-8, test/breaker-analyze): on the night summer time ends (Europe/Berlin, 25 October
  // 2026) 02:00-02:59 happens twice, and the cron library fired "0,30 2 * * *" in both. Cron runs a job at a fixed
  // hour once then; a job whose hour is a wildcard runs every real hour.
  async function firesOnFallBackNight(id: string, schedule: string): Promise<string[]> {
    const clock = new FakeClock('2026-10-24T23:59:50Z');
    const fired: string[] = [];
    const scheduler = createScheduler({ jobs: [{ id, schedule, timezone: 'Europe/Berlin', run: async (at) => void fired.push(at.toISOString()) }], clock, isLeader: () => true, identity: id, store, logger: quiet, checkEveryMs: 60_000 });
    scheduler.start();
    // 03:00 CET, after the repeated hour, is 02:00 UTC.
    await advanceUntil([clock], () => clock.now() >= Date.parse('2026-10-25T02:10:00Z'), { stepMs: 60_000, limitMs: 4 * 3_600_000 });
    await scheduler.stop();
    return fired;
  }

  it('fires a fixed-hour schedule once in the hour repeated when summer time ends (02:00/02:30 CEST are 00:00/00:30 UTC)', async () => {
    assert.deepEqual(await firesOnFallBackNight('dst-fixed', '0,30 2 * * *'), ['2026-10-25T00:00:00.000Z', '2026-10-25T00:30:00.000Z']);
  });

  it('still fires an hourly schedule every real hour that night', async () => {
    assert.deepEqual(await firesOnFallBackNight('dst-hourly', '0 * * * *'), ['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z']);
  });
});
