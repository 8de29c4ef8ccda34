import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebClient } from '@slack/web-api';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { ClaimLostError, type RunFence } from '../../src/schedule/scheduler.ts';
import { scheduledPostOptions } from '../../src/server.ts';
import { message } from '../../src/slack/blocks.ts';
import { createChannelPoster } from '../../src/slack/poster.ts';
import { advanceUntil, FakeClock } from '../support/fake-clock.ts';

/** A fence whose claim can be lost while the test runs, as the scheduler's is when another replica takes it over. */
function losableFence(): RunFence & { lose(): void } {
  let held = true;
  return {
    signal: new AbortController().signal,
    commit: async (effect) => {
      if (!held) throw new ClaimLostError('the claim was taken over');
      return effect();
    },
    lose: () => {
      held = false;
    },
  };
}

describe('scheduled posts rate-limited by Slack', () => {
  let slack: FakeSlack;
  before(async () => {
    slack = await startFakeSlack();
  });
  after(async () => {
    await slack.close();
  });

  const attempts = (channel: string) => slack.callsTo('chat.postMessage').filter((call) => call.args['channel'] === channel).map((call) => call.status);

  it('waits out Retry-After and posts the digest once', async () => {
    const clock = new FakeClock('2026-12-07T09:00:00Z');
    const poster = createChannelPoster(new WebClient('xoxb-test', scheduledPostOptions(slack.apiUrl)), clock);
    slack.rateLimitNext('chat.postMessage', { retryAfterSeconds: 30 });
    let settled = false;
    const posting = poster.post('C0RATED', message('Mesh digest', []), losableFence()).finally(() => {
      settled = true;
    });
    await advanceUntil([clock], () => settled, { limitMs: 120_000 });
    await posting;
    assert.deepEqual(attempts('C0RATED'), [429, 200]);
  });

  it('does not post when the claim was lost while it waited out Retry-After (the next leader posts that fire)', async () => {
    const clock = new FakeClock('2026-12-07T09:00:00Z');
    const poster = createChannelPoster(new WebClient('xoxb-test', scheduledPostOptions(slack.apiUrl)), clock);
    const fence = losableFence();
    slack.rateLimitNext('chat.postMessage', { retryAfterSeconds: 30 });
    const outcome = poster.post('C0LOST', message('Mesh digest', []), fence).then(
      () => 'posted',
      (error: unknown) => (error instanceof ClaimLostError ? 'claim lost' : String(error)),
    );
    await advanceUntil([clock], () => attempts('C0LOST').length === 1, { limitMs: 5_000 });
    fence.lose();
    let result: string | undefined;
    void outcome.then((value) => {
      result = value;
    });
    await advanceUntil([clock], () => result !== undefined, { limitMs: 120_000 });
    assert.equal(result, 'claim lost');
    assert.deepEqual(attempts('C0LOST'), [429], 'nothing was posted after the 429');
  });

  it('gives the fire back to the scheduler after five rate-limited answers in a row', async () => {
    const clock = new FakeClock('2026-12-07T09:00:00Z');
    const poster = createChannelPoster(new WebClient('xoxb-test', scheduledPostOptions(slack.apiUrl)), clock);
    slack.rateLimitNext('chat.postMessage', { retryAfterSeconds: 1, times: 5 });
    let failure: unknown;
    let settled = false;
    void poster
      .post('C0BUSY', message('Mesh digest', []), losableFence())
      .catch((error: unknown) => {
        failure = error;
      })
      .finally(() => {
        settled = true;
      });
    await advanceUntil([clock], () => settled, { limitMs: 120_000 });
    assert.match(String((failure as Error | undefined)?.message), /rate-limit has been reached/);
    assert.deepEqual(attempts('C0BUSY'), [429, 429, 429, 429, 429]);
  });
});
