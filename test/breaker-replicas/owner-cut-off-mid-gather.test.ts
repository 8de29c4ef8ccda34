// A leader that claimed 09:00 and was cut off while gathering (its timers stalled: no heartbeat, no Lease renewal)
// loses the claim to the next leader, which posts 09:00. When the old owner gets going again, its own view of its
// claim is still fresh, so it finishes gathering and posted 09:00 a second time. It now looks at the channel's
// record of posted digests once gathered, right before posting, and stops there.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, it } from 'node:test';
import { advanceUntil } from '../support/fake-clock.ts';
import { DIGEST_CHANNEL, gatedIstioctl, startWorld, type World } from './support/replicas.ts';

const CONFIG = `digests:\n  - channel: ${DIGEST_CHANNEL}\n    schedule: "0 9 * * *"\n    timezone: UTC\n`;

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(() => world.close());

it('an owner that finishes after its claim was taken over and posted does not post the same fire again', async () => {
  const gates = [await gatedIstioctl(), await gatedIstioctl()] as const;
  const replicas = [await world.replica(CONFIG, '2026-11-23T08:59:50Z', { ISTIOCTL: gates[0].path }), await world.replica(CONFIG, '2026-11-23T08:59:50Z', { ISTIOCTL: gates[1].path })];
  const clocks = replicas.map((replica) => replica.clock);
  await advanceUntil(clocks, () => replicas.filter((replica) => replica.bot.isLeader()).length === 1, { limitMs: 10_000 });
  const leaderIndex = replicas.findIndex((replica) => replica.bot.isLeader());
  const [owner, next] = [replicas[leaderIndex], replicas[1 - leaderIndex]];
  assert.ok(owner && next);
  await gates[leaderIndex]?.close();

  const claimed = () => owner.bot.logLines.some((line) => line['msg'] === 'running scheduled job' && String(line['job']).startsWith('digest:'));
  await advanceUntil(clocks, claimed, { limitMs: 30_000 });
  // From here the owner's clock stands still: it gathers (held at the gate) but neither renews nor heartbeats.
  await advanceUntil([next.clock], () => world.digestTimes().length === 1, { limitMs: 120_000 });
  assert.ok(next.bot.logLines.some((line) => /taking over a scheduled run/.test(String(line['msg']))), 'the next leader took the claim over');

  await gates[leaderIndex]?.open();
  const finished = () => owner.bot.logLines.some((line) => /digest posted|not posting it again|claim was lost/.test(String(line['msg'])));
  for (let waited = 0; !finished() && waited < 600; waited += 1) await sleep(50);
  assert.ok(finished(), 'the old owner finished its run');
  assert.deepEqual(world.digestTimes(), ['09:00 UTC']);
});
