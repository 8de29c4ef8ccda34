// BD-4: `digests[].schedule` is "cron, evaluated in `timezone`" (README Digests, DESIGN §4: "0 9 * * 1-5"), and "a
// missing or invalid setting stops the process at start with one line that names the setting and the problem"
// (DESIGN §2). "0 9 31 2 *" never fires, and was accepted silently.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withSchedule } from './support/config.ts';

describe('digest schedules that never fire', () => {
  it('refuses a date that never comes ("0 9 31 2 *", 31 February)', async () => {
    const run = await withSchedule('0 9 31 2 *');
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /schedule "0 9 31 2 \*".*never/);
  });

  it('accepts the documented "0 9 * * 1-5" and a leap day', async () => {
    assert.equal((await withSchedule('0 9 * * 1-5')).code, 0);
    assert.equal((await withSchedule('0 9 29 2 *')).code, 0);
  });
});
