// A digest's schedule record is keyed by the whole digest (channel, cluster, schedule, time zone, namespaces), so a
// config change makes it a new job. In a rolling update a new pod starts (and records "nothing missed so far") just
// before 09:00, the old leader posts 09:00 under the old job, then hands the Lease over: the new leader saw 09:00
// pass unposted under the new job and caught it up — the channel got the 09:00 digest twice.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { advanceUntil } from '../support/fake-clock.ts';
import { DIGEST_CHANNEL, startWorld, type World } from './support/replicas.ts';

const digest = (schedule: string, extra = '') => `digests:\n  - channel: ${DIGEST_CHANNEL}\n    schedule: "${schedule}"\n    timezone: UTC\n${extra}`;

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(() => world.close());

/** Old pod leads; the new pod starts at 08:59:50; the old one is stopped once it posted; the new one leads from then. */
async function rollingUpdate(oldConfig: string, newConfig: string): Promise<string[]> {
  const old = await world.replica(oldConfig, '2026-11-23T08:59:45Z');
  await advanceUntil([old.clock], () => old.bot.isLeader(), { limitMs: 10_000 });
  const fresh = await world.replica(newConfig, new Date(old.clock.now()));
  const posts = () => world.slack.callsTo('chat.postMessage').filter((call) => call.status === 200 && call.error === undefined).length;
  // Virtual time runs about 50 ms of real time per step: a generous limit lets a loaded machine gather the digest
  // (several istioctl runs) before it passes; the schedule fires once a day, so the extra minutes add no fire.
  await advanceUntil([old.clock, fresh.clock], () => posts() >= 1, { limitMs: 300_000 });
  await world.stop(old.bot);
  await advanceUntil([fresh.clock], () => fresh.bot.isLeader(), { stepMs: 500, limitMs: 10_000 });
  // Once both jobs, old and new, have 09:00 done in their records, the channel has all it will get for 09:00.
  await advanceUntil([fresh.clock], () => world.digestFiresDone('2026-11-23T09:00:00Z'), { limitMs: 300_000 });
  return world.digestTimes();
}

it('a rolling update that changes a digest’s schedule posts the 09:00 digest once', async () => {
  assert.deepEqual(await rollingUpdate(digest('0 9 * * *'), digest('0 9 * * 1-5', '    namespaces: [checkout]\n')), ['09:00 UTC']);
});

it('a digest new in the rolled-out config still gets its 09:00 post, late, from the new leader', async () => {
  const other = 'digests:\n  - channel: C0OTHER\n    schedule: "0 9 * * *"\n    timezone: UTC\n';
  assert.deepEqual(await rollingUpdate(other, digest('0 9 * * *')), ['09:00 UTC']);
});
