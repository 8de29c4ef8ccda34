import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { slashCommandFields } from '../../src/sandbox/slack-requests.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { startFakeSocketMode, type FakeSocketMode } from '../support/fake-socket-mode.ts';
import { nockIstiods, nockKubeConfig } from '../support/kube-nock.ts';
import nock from 'nock';

describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  let slack: FakeSlack;
  let socket: FakeSocketMode;
  let bot: Bot;

  before(async () => {
    nock.enableNetConnect(/127\.0\.0\.1/);
    nockIstiods([{ name: 'istiod-a', version: '1.24.2' }]);
    slack = await startFakeSlack();
    socket = await startFakeSocketMode(slack);
    bot = await startBot({
      istioctl: { version: '1.24.2', scenario: 'multi-pilot' },
      kubeConfig: nockKubeConfig,
      sharedSlack: slack,
      env: { SLACK_APP_TOKEN: 'xapp-1-test-app-token', SLACK_API_URL: socket.apiUrl },
    });
    await socket.connected();
  });
  after(async () => {
    await bot.close();
    await socket.close();
    await slack.close();
    nock.cleanAll();
    nock.restore();
  });

  it('opens the connection through SLACK_API_URL, acks a slash command at once and answers through response_url', async () => {
    const responseUrl = slack.responseUrl(undefined, { channel: 'C0OPS', user: 'U0ALICE' });
    const ack = await socket.send('slash_commands', { ...slashCommandFields({ text: 'status', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl }) });
    assert.match(String(ack.payload?.['text'] ?? ''), /Running `status` on cluster `default`/);
    const answer = await bot.answer('C0OPS');
    // corpus v1.22-1.26/multiXdsStatusMultiPilot.txt: 3 of 4 proxies STALE, 1 ERROR.
    assert.match(answer.text, /^default: degraded — 3 of 4 proxies STALE, 1 ERROR/);
  });

  it('refuses bad input with the usage line in the ack itself', async () => {
    const ack = await socket.send('slash_commands', { ...slashCommandFields({ text: 'status -n NOPE', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl: slack.responseUrl() }) });
    assert.match(String(ack.payload?.['text'] ?? ''), /"NOPE" is not a valid namespace name.*\nUsage: `\/mesh status/s);
  });
});
