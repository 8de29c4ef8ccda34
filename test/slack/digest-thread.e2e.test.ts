// DESIGN.md §6: "long detail goes into a thread reply or an uploaded file". A digest shortens its lists to fit Slack
// (8 istiods, 5 problem proxies, …) and cuts sections that still do not fit; what it leaves out must be one click
// away in the digest's thread, as the terminal prints it — for `/mesh digest now` and for the scheduled digest.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { WebClient } from '@slack/web-api';
import { baselineRecordName } from '../../src/mesh/digest/baseline.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { realClock } from '../../src/schedule/clock.ts';
import { runScheduledDigest } from '../../src/schedule/digests.ts';
import type { RunFence } from '../../src/schedule/scheduler.ts';
import { scheduledPostOptions } from '../../src/server.ts';
import { slackRedaction } from '../../src/slack/outgoing.ts';
import { createChannelPoster } from '../../src/slack/poster.ts';
import { BOT_NAMESPACE, digestDeps, putIstiod, putRootCert } from '../mesh/digest/harness.ts';
import { blockText } from '../support/blocks.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { eventually } from '../support/eventually.ts';

const istiodName = (i: number, filler = 'r') => `istiod-${filler.repeat(20)}-${String(i).padStart(3, '0')}`;
const putIstiods = (api: FakeKubeApi, count: number, name = istiodName) => {
  for (let i = 0; i < count; i += 1) putIstiod(api, { name: name(i), restarts: 0 });
};
const topLevel = (slack: FakeSlack, channel: string) => slack.messages(channel).filter((message) => message.via === 'api' && message.threadTs === undefined);

describe('/mesh digest now: the lists its message shortens are in its thread', () => {
  let api: FakeKubeApi;
  let bot: Bot | undefined;
  beforeEach(async () => {
    api = await startFakeKubeApi();
    putRootCert(api);
  });
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    await api.close();
  });

  const start = async () => {
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), env: { POD_NAMESPACE: BOT_NAMESPACE } });
    return bot;
  };

  it('ten istiods: the message names eight and says where the rest are; its thread names all ten', async () => {
    putIstiods(api, 10);
    const running = await start();
    await running.slash('digest now', { channelId: 'C0OPS' });
    const answer = await running.slack.waitFor((fake) => topLevel(fake, 'C0OPS')[0], { timeoutMs: 15_000 });
    const shown = blockText(answer.blocks);
    assert.match(shown, /…and 2 more istiod pods/);
    assert.ok(!shown.includes(istiodName(9)), 'the message shortens the list');
    assert.match(shown, /Every list in full is in this message's thread/);

    const [reply, ...others] = await running.slack.waitFor((fake) => {
      const replies = fake.threadReplies('C0OPS', answer.ts);
      return replies.length > 0 ? replies : undefined;
    }, { timeoutMs: 15_000 });
    assert.equal(others.length, 0, 'one reply');
    assert.match(reply?.text ?? '', /^The whole digest of default, \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC, every list in full/);
    const thread = blockText(reply?.blocks);
    for (let i = 0; i < 10; i += 1) assert.ok(thread.includes(istiodName(i)), `${istiodName(i)} is in the thread`);
    assert.match(thread, /istiod 10\/10 ready/);
    assert.doesNotMatch(thread, /more istiod pods/);
    // The reply went through: the requester gets no warning that it did not (defect: every thread reply came with
    // one). Such a warning follows the reply's answer within milliseconds; half a second leaves it ample time.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(running.slack.responses.filter((response) => /warning/.test(String(response.body['text'] ?? ''))).map((response) => response.body['text']), []);
  });

  it('a thread Slack refuses (no files:write scope) leaves the digest in the channel and tells the requester where the full lists are', async () => {
    // Too long for a reply, so the whole digest goes up as a file: an app installed without files:write cannot.
    putIstiods(api, 150, (i) => istiodName(i, 'nnn'));
    const running = await start();
    running.slack.failNext('files.getUploadURLExternal', 'missing_scope');
    await running.slash('digest now', { channelId: 'C0OPS', userId: 'U0ALICE' });
    const notice = await eventually(() => running.slack.responses.find((response) => /full lists/.test(String(response.body['text'] ?? ''))), 15_000);
    assert.equal(notice.body['response_type'], 'ephemeral', 'only the requester sees it');
    assert.equal(notice.body['text'], ":warning: Slack did not take the full lists into the answer's thread (it answered `missing_scope`). The Slack app lacks the files:write scope its manifest asks for: reinstall it from manifest.yml. `mesh-bot digest` in a terminal prints all of them.");
    const [digest, ...more] = topLevel(running.slack, 'C0OPS');
    assert.equal(more.length, 0, 'one digest, not posted again');
    assert.match(blockText(digest?.blocks), /more istiod pods/);
    assert.deepEqual(running.slack.files, [], 'no file arrived');
  });

  it('a digest that shows everything gets no thread and does not mention one', async () => {
    putIstiods(api, 1);
    const running = await start();
    await running.slash('digest now', { channelId: 'C0OPS' });
    const answer = await running.slack.waitFor((fake) => topLevel(fake, 'C0OPS')[0], { timeoutMs: 15_000 });
    assert.doesNotMatch(blockText(answer.blocks), /thread/);
    // The baseline is stored after the post and after any thread reply: once it exists, no reply is on its way.
    await eventually(() => api.get('v1', 'ConfigMap', BOT_NAMESPACE, baselineRecordName('default', 'C0OPS', undefined)));
    assert.deepEqual(running.slack.threadReplies('C0OPS', answer.ts), []);
  });
});

describe('the scheduled digest: the lists its message shortens are in its thread', () => {
  const DIGEST = { channel: 'C0OPS', schedule: '0 9 * * 1-5', timezone: 'Europe/Berlin' };
  const FIRED = new Date('2025-06-02T07:00:00Z');
  const fence: RunFence = { signal: new AbortController().signal, commit: async (effect) => effect() };
  let slack: FakeSlack;
  let api: FakeKubeApi;
  beforeEach(async () => {
    slack = await startFakeSlack();
    api = await startFakeKubeApi();
    putRootCert(api);
  });
  afterEach(async () => {
    await api.close();
    await slack.close();
  });

  const deps = async () => {
    const base = await digestDeps(api, { version: '1.24.2' }, FIRED);
    return { ...base, config: { ...base.config, digests: [DIGEST] } };
  };
  const baseline = () => api.get('v1', 'ConfigMap', BOT_NAMESPACE, baselineRecordName('default', DIGEST.channel, undefined));

  it('ten istiods: one digest in the channel, all ten named in its thread, and its facts stored as the baseline', async () => {
    putIstiods(api, 10);
    const poster = createChannelPoster(new WebClient('xoxb-test', scheduledPostOptions(slack.apiUrl)), realClock);
    await runScheduledDigest(await deps(), poster, DIGEST, FIRED, fence);
    const [digest, ...more] = topLevel(slack, DIGEST.channel);
    assert.equal(more.length, 0, 'one digest');
    assert.match(blockText(digest?.blocks), /…and 2 more istiod pods/);
    const replies = slack.threadReplies(DIGEST.channel, digest?.ts ?? '');
    assert.equal(replies.length, 1);
    assert.match(replies[0]?.text ?? '', /^The whole digest of default, Mon 2 Jun 2025, 09:00 Europe\/Berlin \(GMT\+2\), every list in full/);
    for (let i = 0; i < 10; i += 1) assert.ok(blockText(replies[0]?.blocks).includes(istiodName(i)));
    assert.ok(baseline(), 'the baseline is stored');
  });

  it('a whole digest too long for a reply is a file in the thread, the configured credentials redacted from it', async () => {
    const token = 'xoxb-4242-abcdefgh';
    // A name that happens to carry the bot token (a pasted value in a pod name): the file must not repeat it.
    putIstiods(api, 150, (i) => (i === 7 ? `istiod-${token}` : istiodName(i, 'nnn')));
    const poster = createChannelPoster(new WebClient(token, scheduledPostOptions(slack.apiUrl, [token])), realClock, slackRedaction([token]));
    await runScheduledDigest(await deps(), poster, DIGEST, FIRED, fence);
    const [digest] = topLevel(slack, DIGEST.channel);
    const [file, ...others] = slack.files;
    assert.equal(others.length, 0, 'one file');
    assert.equal(file?.threadTs, digest?.ts, 'shared in the digest’s thread');
    assert.equal(file?.filename, 'mesh-digest-default-2025-06-02-0900.txt');
    const content = file?.content?.toString('utf8') ?? '';
    assert.equal(file?.content?.length, file?.length, 'the declared length is what arrived');
    assert.match(content, /^Mesh digest: default — Mon 2 Jun 2025, 09:00 Europe\/Berlin/);
    assert.ok(content.includes(istiodName(149, 'nnn')), 'every istiod is in the file');
    assert.ok(!content.includes(token), 'the token is redacted');
    assert.match(content, /istiod-\[redacted\]/);
  });

  it('a thread Slack refuses leaves the digest posted once and its baseline stored (the fire is not retried into a second digest)', async () => {
    putIstiods(api, 10);
    const poster = createChannelPoster(new WebClient('xoxb-test', scheduledPostOptions(slack.apiUrl)), realClock);
    let commits = 0;
    const refusingTheReply: RunFence = {
      signal: fence.signal,
      commit: async (effect) => {
        commits += 1;
        if (commits === 2) slack.failNext('chat.postMessage', 'msg_too_long');
        return effect();
      },
    };
    await runScheduledDigest(await deps(), poster, DIGEST, FIRED, refusingTheReply);
    const [digest, ...more] = topLevel(slack, DIGEST.channel);
    assert.equal(more.length, 0, 'one digest');
    assert.deepEqual(slack.threadReplies(DIGEST.channel, digest?.ts ?? ''), []);
    assert.ok(baseline(), 'the baseline is stored');
  });
});
