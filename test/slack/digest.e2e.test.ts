import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { baselineRecordName } from '../../src/mesh/digest/baseline.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { BOT_NAMESPACE, putIstiod, putRootCert } from '../mesh/digest/harness.ts';
import { seedReviews } from '../support/bookinfo.ts';
import { eventually } from '../support/eventually.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { blockText } from '../support/blocks.ts';

/** The digest as the bot's own channel message (chat.postMessage): it can be threaded and updated and does not expire. */
const posted = (bot: Bot) => bot.slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'api' && message.threadTs === undefined), { timeoutMs: 15_000 });

describe('/mesh digest now end to end through the Bolt HTTP receiver', () => {
  let api: FakeKubeApi;
  let bot: Bot | undefined;
  beforeEach(async () => {
    api = await startFakeKubeApi();
    putIstiod(api, { restarts: 0 });
    putRootCert(api);
    seedReviews(api);
  });
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    await api.close();
  });

  it('posts the digest in the channel, stores that channel\'s baseline, and the next one compares with it', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), env: { POD_NAMESPACE: BOT_NAMESPACE } });
    assert.ok(bot.logLines.some((line) => /^access\.channels is empty: every channel, private channel and direct message/.test(String(line['msg']))), 'without an allowlist the start log says every channel and DM may use the bot');
    const { http } = await bot.slash('digest now', { channelId: 'C0OPS' });
    assert.equal(http.status, 200);
    assert.match(JSON.parse(http.body).text, /Running `digest` on cluster `default`/);

    const answer = await posted(bot);
    assert.equal(bot.slack.messages('C0OPS').filter((message) => message.via === 'response_url' && message.ephemeralTo === undefined).length, 0, 'not through response_url (DESIGN.md §6)');
    // On demand there is no configured zone: the digest says UTC. The corpus workload certificates expired in 2023
    // (the bot runs on the wall clock here, so only facts that hold at any date after that are asserted).
    assert.match(answer.text, /^Mesh digest default, \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC: critical: .*\d+ workload certificates? expired/);
    const text = blockText(answer?.blocks);
    assert.match(text, /^Mesh digest · default · \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC/);
    assert.match(text, /first digest: no earlier one to compare with/);
    assert.match(text, /istiod 1\/1 ready/);
    assert.match(text, /6 total · 6 healthy · 0 STALE · 0 ERROR/);
    assert.match(text, /bookinfo\/reviews \(reviews-route\): v1 90% \/ v2 10%/);
    assert.match(text, /Root CA O=cluster\.local \(istio-system\/istio-ca-root-cert\)/);
    assert.ok((answer.blocks?.length ?? 0) <= 50);
    await eventually(() => api.get('v1', 'ConfigMap', BOT_NAMESPACE, baselineRecordName('default', 'C0OPS', undefined)));

    bot.slack.reset();
    await bot.slash('digest', { channelId: 'C0OPS' });
    const second = await posted(bot);
    assert.match(blockText(second?.blocks), /compared with the digest of \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC/);
    assert.match(blockText(second?.blocks), /none new or resolved since the last digest/);
  });

  it('tells the requester to invite the bot when it cannot post in the channel, and stores nothing', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), env: { POD_NAMESPACE: BOT_NAMESPACE } });
    bot.slack.failNext('chat.postMessage', 'not_in_channel');
    await bot.slash('digest now', { channelId: 'C0OPS' });
    const notice = await bot.slack.waitFor((fake) => fake.responses.find((response) => /could not post in this channel/.test(String(response.body['text'] ?? ''))), { timeoutMs: 15_000 });
    assert.equal(notice.body['response_type'], 'ephemeral');
    assert.match(String(notice.body['text']), /Invite it \(`\/invite @mesh-bot`\) and run `\/mesh digest` again/);
    assert.equal(api.get('v1', 'ConfigMap', BOT_NAMESPACE, baselineRecordName('default', 'C0OPS', undefined)), undefined, 'no baseline without a post');
  });

  it('when Slack refuses the digest for its content, posts its first line, tells the requester why (not "invite it"), and stores nothing', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), env: { POD_NAMESPACE: BOT_NAMESPACE } });
    bot.slack.failNext('chat.postMessage', 'msg_blocks_too_long');
    await bot.slash('digest now', { channelId: 'C0OPS' });
    const notice = await bot.slack.waitFor((fake) => fake.responses.find((response) => /Slack refused the full answer/.test(String(response.body['text'] ?? ''))), { timeoutMs: 15_000 });
    assert.equal(notice.body['response_type'], 'ephemeral');
    assert.match(String(notice.body['text']), /Slack refused the full answer \(msg_blocks_too_long\), so only its first line is in the channel\. `mesh-bot digest` in a terminal prints all of it/);
    assert.doesNotMatch(String(notice.body['text']), /invite/i);
    const firstLine = await posted(bot);
    assert.match(firstLine.text, /^Mesh digest default, .*: critical: /);
    assert.match(blockText(firstLine.blocks), /Slack refused the full answer \(msg_blocks_too_long\), so the rest of it is left out/);
    assert.equal(api.get('v1', 'ConfigMap', BOT_NAMESPACE, baselineRecordName('default', 'C0OPS', undefined)), undefined, 'the sections were not seen: no baseline');
  });

  it('names any other answer Slack gives, instead of saying the bot is not in the channel', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), env: { POD_NAMESPACE: BOT_NAMESPACE } });
    bot.slack.failNext('chat.postMessage', 'is_archived');
    await bot.slash('digest now', { channelId: 'C0OPS' });
    const notice = await bot.slack.waitFor((fake) => fake.responses.find((response) => /could not post in this channel/.test(String(response.body['text'] ?? ''))), { timeoutMs: 15_000 });
    assert.match(String(notice.body['text']), /Slack answered `is_archived`\. Run `\/mesh digest` again in a moment/);
    assert.doesNotMatch(String(notice.body['text']), /invite/i);
  });
});
