// `/mesh digest now` is the command whose answer is the bot's own chat.postMessage (DESIGN.md §6). Here Slack's
// edge misbehaves on that post: the message lands but the answer is a 5xx, or the post is refused with 429 and a
// long Retry-After. The requester must learn what happened, the channel must get the digest at most once, and
// other channels' answers must not wait behind one channel's rate limit.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { BOT_NAMESPACE, putIstiod, putRootCert } from '../mesh/digest/harness.ts';
import { seedReviews } from '../support/bookinfo.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { startFaultySlack, type FaultySlack } from './faulty-slack.ts';

const digestsIn = (slack: FakeSlack, channel: string) => slack.messages(channel).filter((message) => message.via === 'api' && message.threadTs === undefined && /^Mesh digest/.test(message.text));
const noticeTo = (slack: FakeSlack, pattern: RegExp) =>
  slack.waitFor((fake) => fake.responses.find((response) => response.body['response_type'] === 'ephemeral' && pattern.test(String(response.body['text'] ?? ''))), { timeoutMs: 15_000 });

describe('the digest post meets a misbehaving Slack', () => {
  let api: FakeKubeApi;
  let slack: FakeSlack;
  let faulty: FaultySlack;
  let bot: Bot | undefined;
  beforeEach(async () => {
    api = await startFakeKubeApi();
    putIstiod(api, { restarts: 0 });
    putRootCert(api);
    seedReviews(api);
    slack = await startFakeSlack();
    faulty = await startFaultySlack(slack.apiUrl);
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), sharedSlack: slack, env: { POD_NAMESPACE: BOT_NAMESPACE, SLACK_API_URL: faulty.apiUrl } });
  });
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    await faulty.close();
    await slack.close();
    await api.close();
  });

  it('a post that landed but was answered 502 is not sent again: one digest in the channel, and the requester is told to look before re-running', async () => {
    faulty.inject('chat.postMessage', { kind: 'landed-then-5xx', status: 502 });
    await bot!.slash('digest now', { channelId: 'C0OPS' });
    const notice = await noticeTo(slack, /digest/);
    // A resend would follow the lost answer within about a second (the WebClient's first retry waits 0.5–1 s).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(digestsIn(slack, 'C0OPS').length, 1, 'Slack took the post once; sending it again posts the digest twice');
    assert.doesNotMatch(String(notice.body['text']), /could not post/, 'the digest may well be in the channel: the notice must not say it is not');
    assert.match(String(notice.body['text']), /check the channel/i);
  });

  it('a post refused with 429 and a 2-minute Retry-After: the requester learns it is rate-limited, and a digest asked for in another channel is posted meanwhile', async () => {
    faulty.inject('chat.postMessage', { kind: 'refused-429', retryAfterSeconds: 120 }, { channel: 'C0OPS' });
    await bot!.slash('digest now', { channelId: 'C0OPS' });
    await slack.waitFor(() => faulty.faulted.length > 0, { timeoutMs: 15_000 });
    await bot!.slash('digest now', { channelId: 'C0OTHER' });
    await slack.waitFor((fake) => digestsIn(fake, 'C0OTHER').length > 0, { timeoutMs: 15_000 });
    const notice = await noticeTo(slack, /ratelimited|rate limit/i);
    assert.match(String(notice.body['text']), /digest/);
    assert.equal(digestsIn(slack, 'C0OPS').length, 0);
  });

  it('a post refused with 429 and Retry-After: 1 is posted once after the wait', async () => {
    faulty.inject('chat.postMessage', { kind: 'refused-429', retryAfterSeconds: 1 });
    await bot!.slash('digest now', { channelId: 'C0OPS' });
    await slack.waitFor((fake) => digestsIn(fake, 'C0OPS').length > 0, { timeoutMs: 15_000 });
    assert.equal(digestsIn(slack, 'C0OPS').length, 1);
    assert.equal(slack.responses.filter((response) => /could not post|ratelimited/.test(String(response.body['text'] ?? ''))).length, 0, 'nothing to report: the digest is there');
  });

});
