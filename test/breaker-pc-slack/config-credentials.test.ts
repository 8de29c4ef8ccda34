// Slack credentials read from a file with its trailing newline (`kubectl create secret generic
// --from-file=SLACK_SIGNING_SECRET=./secret.txt`, `echo` into a .env): contract §2 "A missing or invalid setting stops
// the process at start with one line that names the setting and the problem".

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sendSlashCommand } from '../../src/sandbox/slack-requests.ts';
import { meshBot } from '../breaker-ambient/support/harness.ts';
import { startWorld } from '../breaker-config/support/start.ts';
import { startMain, stopMain, type Started } from './support/main-process.ts';

const SECRET = '8f742231b10e8888abcd99e0d1c2b3a4';

const world = startWorld(['mesh-bot', 'default']);

describe('a signing secret with a trailing newline', () => {
  let started: Started | undefined;
  after(() => stopMain(started));

  it('stops the start with one line naming SLACK_SIGNING_SECRET, instead of refusing every Slack request later', async () => {
    const outcome = await startMain({ SLACK_BOT_TOKEN: 'xoxb-1-2-three', SLACK_SIGNING_SECRET: `${SECRET}\n`, SLACK_API_URL: world().slack.apiUrl, PORT: '0', ISTIOCTL: world().istioctl, KUBECONFIG: world().kube.kubeconfig, POD_NAMESPACE: 'mesh-bot' }).then(
      (running) => running,
      (error: Error) => error,
    );
    if (!(outcome instanceof Error)) {
      started = outcome;
      // What Slack sends, signed with the secret as Slack shows it (no newline):
      const ack = await sendSlashCommand(`http://127.0.0.1:${outcome.port}`, SECRET, { text: 'help', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl: world().slack.responseUrl() });
      assert.fail(`it started and answered Slack's own request with ${ack.status}`);
    }
    assert.match(outcome.message, /exited 2/);
    assert.match(outcome.message, /SLACK_SIGNING_SECRET: .*(whitespace|newline)/);
  });
});

describe('a bot token with a trailing newline', () => {
  it('names the newline, not "must start with xoxb-" (it does)', async () => {
    const run = await meshBot(['pc', 'secret', 'web-1.default'], { KUBECONFIG: world().kube.kubeconfig, ISTIOCTL: world().istioctl, SLACK_BOT_TOKEN: 'xoxb-1-2-three\n' });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^mesh-bot: SLACK_BOT_TOKEN: .*(whitespace|newline)/);
  });
});
