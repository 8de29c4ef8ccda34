// A click that posts a list in the thread (Show all findings, Show all problem proxies) or uploads a file there
// tells the clicker why Slack did not take it. "Invite it" is the answer to not_in_channel only: after a rate limit
// or an outage, a clicker told to invite a bot that is already in the channel does the wrong thing.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { findButton } from '../support/blocks.ts';
import { startBot, type Bot } from '../support/bot.ts';

describe('Show all findings when Slack does not take the thread reply', () => {
  let api: FakeKubeApi;
  let bot: Bot | undefined;
  beforeEach(async () => {
    api = await startFakeKubeApi({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }] });
  });
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    await api.close();
  });

  async function clickShowAll(slackError: string): Promise<string> {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: () => api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot' } });
    await bot.slash('analyze -n default');
    const answer = await bot.answer('C0OPS');
    const button = findButton(answer.blocks, 'analyze_show_findings');
    assert.ok(button?.value);
    bot.slack.failNext('chat.postMessage', slackError);
    await bot.click({ actionId: 'analyze_show_findings', value: button.value, messageTs: answer.ts });
    const told = await bot.slack.waitFor((fake) => fake.responses.find((response) => /:warning:/.test(String(response.body['text'] ?? ''))), { timeoutMs: 15_000 });
    assert.equal(told.body['response_type'], 'ephemeral');
    return String(told.body['text']);
  }

  it('a rate limit is named, with "click again in a moment", not "invite it"', async () => {
    const text = await clickShowAll('ratelimited');
    assert.equal(text, ":warning: mesh-bot could not post in this thread: Slack answered `ratelimited`. Click again in a moment, and tell the bot's owners if it repeats.");
  });

  it('not_in_channel asks to invite the bot', async () => {
    const text = await clickShowAll('not_in_channel');
    assert.equal(text, ':warning: mesh-bot could not post in this channel. Invite it (`/invite @mesh-bot`) and click again.');
  });
});
