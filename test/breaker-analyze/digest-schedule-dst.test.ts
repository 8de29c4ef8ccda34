// BD-8: on the night summer time ends, 02:00-02:59 happens twice in Europe/Berlin. The cron library fires a digest
// scheduled "0,30 2 * * *" at 02:00 and 02:30 CEST and again at 02:00 and 02:30 CET (while "30 2 * * *" fires once):
// the channel gets the same digest twice. Cron (Vixie, the reference for "cron, evaluated in timezone") runs a job
// at a fixed hour once when the clock goes back; a job whose hour is a wildcard runs every real hour.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { createStateStore, type StateStore } from '../../src/kube/state-store.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { createScheduler } from '../../src/schedule/scheduler.ts';
import { advanceUntil, FakeClock } from '../support/fake-clock.ts';
import { quietLogger } from '../support/quiet.ts';

describe('digest schedules on the night the clocks go back (Europe/Berlin, 25 October 2026)', () => {
  let api: FakeKubeApi;
  let store: StateStore;
  before(async () => {
    api = await startFakeKubeApi();
    store = createStateStore(api.kubeConfig().makeApiClient(CoreV1Api), 'mesh-bot', 'default');
  });
  after(() => api.close());

  async function firesUntil(id: string, schedule: string, until: string): Promise<string[]> {
    const clock = new FakeClock('2026-10-24T23:59:50Z');
    const fired: string[] = [];
    const scheduler = createScheduler({ jobs: [{ id, schedule, timezone: 'Europe/Berlin', run: async (at) => void fired.push(at.toISOString()) }], clock, isLeader: () => true, identity: id, store, logger: quietLogger(), checkEveryMs: 60_000 });
    scheduler.start();
    await advanceUntil([clock], () => clock.now() >= Date.parse(until), { stepMs: 60_000, limitMs: 4 * 3_600_000 });
    await scheduler.stop();
    return fired;
  }

  it('posts a 02:00 and 02:30 digest once each', async () => {
    // 02:00/02:30 CEST are 00:00/00:30 UTC; 03:00 CET is 02:00 UTC.
    assert.deepEqual(await firesUntil('dst-fixed', '0,30 2 * * *', '2026-10-25T02:10:00Z'), ['2026-10-25T00:00:00.000Z', '2026-10-25T00:30:00.000Z']);
  });

  it('still posts an hourly digest every real hour', async () => {
    assert.deepEqual(await firesUntil('dst-hourly', '0 * * * *', '2026-10-25T02:10:00Z'), ['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z']);
  });
});
