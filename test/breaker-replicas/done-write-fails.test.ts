// After Slack accepted a digest, the owner records the fire as done in its schedule record, retrying for 30 s. If
// that write keeps failing (the API server answering 500), the claim goes stale and the fire is run again. The
// post is also noted in the channel's record of posted digests, right after it went out: the re-run reads that
// note and does not post the digest a second time.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { advanceUntil } from '../support/fake-clock.ts';
import { DIGEST_CHANNEL, startWorld, type World } from './support/replicas.ts';

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(() => world.close());

it('does not post again when only the schedule record could not be told that the digest went out', async () => {
  const { bot, clock } = await world.replica(`digests:\n  - channel: ${DIGEST_CHANNEL}\n    schedule: "0 9 * * *"\n    timezone: UTC\n`, '2026-11-23T08:59:50Z');
  // From the moment Slack has the message: every write of the schedule record fails for the next 8 tries (30 s of
  // retries of the done write, then the first claim of the re-run).
  world.slack.once('change', () => world.api.failNext({ method: 'PUT', pathPattern: /\/configmaps\/mesh-bot-schedule-digest-/, status: 500, times: 8 }));
  const gaveUp = () => bot.logLines.some((line) => /could not be recorded as done/.test(String(line['msg'])));
  await advanceUntil([clock], gaveUp, { limitMs: 120_000 });
  await advanceUntil([clock], () => world.digestFiresDone('2026-11-23T09:00:00Z'), { limitMs: 120_000 });
  assert.deepEqual(world.digestTimes(), ['09:00 UTC']);
  assert.ok(bot.logLines.some((line) => /digest already posted for this time/.test(String(line['msg']))), 'the re-run said why it did not post');
});
