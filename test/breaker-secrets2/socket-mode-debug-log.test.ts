// A Socket Mode mesh-bot at LOG_LEVEL=debug: the Slack SDK logs every WebSocket message it receives and every ack it
// sends (@slack/socket-mode `Received a message on the WebSocket: …`). A slash command's envelope carries Slack's
// verification token (a credential Slack still sends, and that apps verifying by token trust) and its response_url
// (anyone holding it may post into the channel for 30 minutes). README "Tokens … are redacted from every log line,
// including free text".

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { loadConfig } from '../../src/config.ts';
import { configuredSecrets, createLogger } from '../../src/log.ts';
import { runScheduledDigest } from '../../src/schedule/digests.ts';
import { startServer } from '../../src/server.ts';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { slashCommandFields } from '../../src/sandbox/slack-requests.ts';
import { fakeIstioctl } from '../support/bot.ts';
import { startFakeSocketMode, type FakeSocketMode } from '../support/fake-socket-mode.ts';

/** `help` needs no cluster; an API server nobody listens on refuses at once and keeps no connection open. */
function unreachableKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'test', token: 'test-service-account-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test', namespace: 'mesh-bot' }],
    currentContext: 'test',
  });
  return config;
}

const VERIFICATION_TOKEN = 'gIkuvaNzQIHg97ATvDxqgjtO';
const HOOK_SECRET = 'Qw7eRt9YuI0oP1aSdFgHjKl2';

describe('a Socket Mode mesh-bot logging at debug', () => {
  let slack: FakeSlack;
  let socket: FakeSocketMode;
  let stop: () => Promise<void>;
  const lines: string[] = [];

  before(async () => {
    slack = await startFakeSlack();
    socket = await startFakeSocketMode(slack);
    const istioctl = await fakeIstioctl({ version: '1.24.2' });
    const loaded = await loadConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_APP_TOKEN: 'xapp-1-test-app-token', SLACK_API_URL: socket.apiUrl, PORT: '0', ISTIOCTL: istioctl.path, LOG_LEVEL: 'debug' });
    if (!loaded.ok) throw new Error(loaded.error.message);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
        callback();
      },
    });
    const logger = createLogger('debug', sink, configuredSecrets(loaded.value));
    const running = await startServer({ config: loaded.value, botToken: 'xoxb-test-token', logger, loadKubeConfig: unreachableKubeConfig, runDigest: runScheduledDigest });
    stop = running.stop;
    await socket.connected();
  });
  after(async () => {
    // The fake Socket Mode server first: closing it closes the WebSocket from its side, so the SDK does not wait for
    // a close handshake the fake never answers.
    await socket.close();
    for (let waited = 0; waited < 2_000 && !lines.some((line) => line.includes('WebSocket close frame received')); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    await stop();
    await slack.close();
  });

  it('keeps the verification token and the response_url out of the log, and still logs the command', async () => {
    const responseUrl = `${slack.responseUrl(HOOK_SECRET, { channel: 'C0OPS', user: 'U0ALICE' })}`;
    const fields = { ...slashCommandFields({ text: 'help', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl }), token: VERIFICATION_TOKEN };
    await socket.send('slash_commands', fields);
    for (let waited = 0; waited < 10_000 && !lines.some((line) => line.includes('"audit"')); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const log = lines.join('\n');
    assert.match(log, /Received a message on the WebSocket/, 'the SDK logged the envelope (otherwise this test proves nothing)');
    assert.match(log, /"audit":\{[^}]*"command":"help"/, 'the audit line of the command is still written');
    assert.doesNotMatch(log, new RegExp(VERIFICATION_TOKEN));
    assert.doesNotMatch(log, new RegExp(HOOK_SECRET));
  });
});
