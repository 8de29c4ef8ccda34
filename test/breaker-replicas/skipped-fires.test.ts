// Only the latest fire within the catch-up window is run: fires that passed while no replica could lead (or while
// the previous run was still gathering) are not posted late one after another. They were dropped without a trace,
// so a channel missing its 09:01 and 09:02 digests had nothing in the log to explain it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { recordName } from '../../src/kube/state-store.ts';
import { advanceUntil } from '../support/fake-clock.ts';
import { DIGEST_CHANNEL, startWorld, type World } from './support/replicas.ts';

const SCHEDULE = '* * * * *';

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(() => world.close());

it('names the fire times that passed while mesh-bot was down when it runs only the latest', async () => {
  // An earlier replica posted 09:00, then every replica was down until 09:03:30 (a node drain, a crash loop).
  const job = `digest:${DIGEST_CHANNEL}::${SCHEDULE}:UTC:`;
  world.api.put({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: recordName('mesh-bot-schedule', job), namespace: 'mesh-bot', labels: { 'mesh-bot/kind': 'schedule' } },
    data: { 'value.json': JSON.stringify({ lastFired: '2026-11-23T09:00:00.000Z' }) },
  });
  const { bot, clock } = await world.replica(`digests:\n  - channel: ${DIGEST_CHANNEL}\n    schedule: "${SCHEDULE}"\n    timezone: UTC\n`, '2026-11-23T09:03:30Z');
  // The digest is gathered in real time while virtual time runs on: the 09:04 fire may follow before the check.
  await advanceUntil([clock], () => world.digestTimes().length >= 1, { limitMs: 120_000 });
  assert.equal(world.digestTimes()[0], '09:03 UTC', 'only the latest fire is posted, not a backlog');
  const skipped = bot.logLines.filter((line) => line['level'] === 'warn' && /scheduled runs skipped/.test(String(line['msg'])));
  assert.equal(skipped.length, 1);
  assert.deepEqual(skipped[0]?.['skipped'], ['2026-11-23T09:01:00.000Z', '2026-11-23T09:02:00.000Z']);
  assert.equal(skipped[0]?.['firedAt'], '2026-11-23T09:03:00.000Z');
});
