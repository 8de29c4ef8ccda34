import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { createStateStore, type StateStore } from '../../src/kube/state-store.ts';
import { createScheduler, cronProblem } from '../../src/schedule/scheduler.ts';
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
    const scheduler = createScheduler({ jobs: [{ id: 'berlin', schedule: '0 9 * * 1-5', timezone: 'Europe/Berlin', run: async (at) => void fired.push(at.toISOString()) }], clock, isLeader: () => true, store, logger: quiet });
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
    const one = createScheduler({ jobs: [job], clock, isLeader: () => true, store, logger: quiet });
    const two = createScheduler({ jobs: [job], clock, isLeader: () => true, store, logger: quiet });
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
    const follower = createScheduler({ jobs: [{ id: 'follower', schedule: '0 11 * * *', timezone: 'UTC', run: async () => void (runs += 1) }], clock, isLeader: () => false, store, logger: quiet });
    follower.start();
    await clock.advance(30_000);
    assert.equal(runs, 0);
    await follower.stop();
  });

  it('catches up a run missed during a leader change, within the grace period only', async () => {
    const clock = new FakeClock('2026-11-23T11:59:58Z');
    let leading = false;
    const fired: string[] = [];
    const scheduler = createScheduler({ jobs: [{ id: 'late', schedule: '0 12 * * *', timezone: 'UTC', run: async (at) => void fired.push(at.toISOString()) }], clock, isLeader: () => leading, store, logger: quiet, graceMs: 60_000 });
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
    const strict = createScheduler({ jobs: [{ id: 'too-late', schedule: '0 13 * * *', timezone: 'UTC', run: async (at) => void missed.push(at.toISOString()) }], clock: later, isLeader: () => leadingLater, store, logger: quiet, graceMs: 60_000 });
    strict.start();
    await later.advance(120_000);
    leadingLater = true;
    await later.advance(10_000);
    assert.deepEqual(missed, [], 'beyond the grace period a missed run is skipped, not posted hours late');
    await strict.stop();
  });

  it('names a bad cron expression', () => {
    assert.match(cronProblem('61 * * * *', 'UTC') ?? '', /minute/);
    assert.equal(cronProblem('0 9 * * 1-5', 'Europe/Berlin'), null);
  });
});
