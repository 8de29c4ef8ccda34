// BD-5: a six-field pattern was read by the cron library as seconds-first, so "* * * * * *" posted a digest every
// second and "0 9 * * 1-5 *" (a trailing year field, as AWS cron has) hourly from January to May. DESIGN §4 says cron:
// five fields, and anything else stops the start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withSchedule } from './support/config.ts';

describe('digest schedules that are not five-field cron', () => {
  for (const schedule of ['* * * * * *', '0 9 * * 1-5 *']) {
    it(`refuses "${schedule}" at start (exit 2), naming the schedule`, async () => {
      const run = await withSchedule(schedule);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`^mesh-bot: MESH_BOT_CONFIG .*digests: schedule "${schedule.replace(/\*/g, '\\*')}".*five`, 'm'));
    });
  }

});
