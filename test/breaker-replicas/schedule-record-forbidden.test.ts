// Each fire runs only through its schedule record (the claim that keeps replicas from posting it twice). When the
// Role lacks `update` on ConfigMaps, or a policy forbids reading them, every claim failed and no digest was ever
// posted — with not one log line saying so.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advanceUntil } from '../support/fake-clock.ts';
import { DIGEST_CHANNEL, startWorld } from './support/replicas.ts';

const CONFIG = `digests:\n  - channel: ${DIGEST_CHANNEL}\n    schedule: "0,1 9 * * *"\n    timezone: UTC\n`;
const SCHEDULE_RECORD = /\/configmaps\/mesh-bot-schedule-digest-/;

const blocked = (lines: readonly Record<string, unknown>[]) =>
  lines.filter((line) => line['level'] === 'error' && String(line['job']).startsWith('digest:') && /schedule record/.test(String(line['msg'])) && /403 Forbidden/.test(String(line['err'])));

// Each case has its own API and Slack, so the three run side by side.
describe('a schedule record mesh-bot may not use', { concurrency: true }, () => {
  // A create names no object in its path: the collection is refused (as a Role without `create` would).
  for (const [verb, method, pathPattern] of [['update', 'PUT', SCHEDULE_RECORD], ['read', 'GET', SCHEDULE_RECORD], ['create', 'POST', /\/namespaces\/mesh-bot\/configmaps$/]] as const) {
    it(`is said at start and once per fire, at error level, when mesh-bot may not ${verb} it`, async () => {
      const world = await startWorld();
      try {
        world.api.failNext({ method, pathPattern, status: 403, times: 10_000 });
        const { bot, clock } = await world.replica(CONFIG, '2026-11-23T08:59:50Z');
        await advanceUntil([clock], () => blocked(bot.logLines).some((line) => line['firedAt'] === '2026-11-23T09:01:00.000Z'), { limitMs: 120_000 });
        await clock.advance(30_000);
        assert.deepEqual(world.digestTimes(), [], 'nothing is posted without the claim');
        const lines = blocked(bot.logLines);
        // Read and create fail before any fire (the record is read, and made if missing, at start); update only at a claim.
        const atStart = verb === 'update' ? [] : [undefined];
        assert.deepEqual(lines.map((line) => line['firedAt']), [...atStart, '2026-11-23T09:00:00.000Z', '2026-11-23T09:01:00.000Z'], 'once per fire, not every few seconds');
        assert.match(String(lines[0]?.['record']), /^mesh-bot\/mesh-bot-schedule-digest-c0digest-/);
        assert.match(String(lines[0]?.['err']), new RegExp(`may not ${verb} ConfigMap .* Grant it with the Role in deploy/`));
      } finally {
        await world.close();
      }
    });
  }
});
