// Each fire runs only through its schedule record (the claim that keeps replicas from posting it twice). When the
// Role lacks `update` on ConfigMaps, or a policy forbids reading them, every claim failed and no digest was ever
// posted — with not one log line saying so.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { advanceUntil } from '../support/fake-clock.ts';
import { DIGEST_CHANNEL, startWorld, type World } from './support/replicas.ts';

const CONFIG = `digests:\n  - channel: ${DIGEST_CHANNEL}\n    schedule: "0,1 9 * * *"\n    timezone: UTC\n`;
const SCHEDULE_RECORD = /\/configmaps\/mesh-bot-schedule-digest-/;

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(() => world.close());

const blocked = (lines: readonly Record<string, unknown>[]) =>
  lines.filter((line) => line['level'] === 'error' && /schedule record/.test(String(line['msg'])) && /403 Forbidden/.test(String(line['err'])));

for (const [verb, method] of [['update', 'PUT'], ['read', 'GET']] as const) {
  it(`says once per fire, at error level, that digests are blocked when mesh-bot may not ${verb} its schedule record`, async () => {
    world.api.failNext({ method, pathPattern: SCHEDULE_RECORD, status: 403, times: 10_000 });
    const { bot, clock } = await world.replica(CONFIG, '2026-11-23T08:59:50Z');
    await advanceUntil([clock], () => blocked(bot.logLines).length >= 2, { limitMs: 120_000 });
    await clock.advance(30_000);
    assert.deepEqual(world.digestTimes(), [], 'nothing is posted without the claim');
    const lines = blocked(bot.logLines);
    assert.equal(lines.length, 2, 'one error per fire (09:00 and 09:01), not one every few seconds');
    assert.match(String(lines[0]?.['record']), /^mesh-bot\/mesh-bot-schedule-digest-c0digest-/);
    assert.match(String(lines[0]?.['err']), new RegExp(`may not ${verb} ConfigMap .* Grant it with the Role in deploy/`));
  });
}
