// `npm start`'s process when someone pastes the signing secret into `/mesh`: README Access and audit — "Tokens,
// signing secrets, bearer credentials, JWTs and private keys are redacted from every log line, including free text."
// The audit line's detail quotes what was typed; a signing secret has no shape the logger could recognise.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { sendSlashCommand } from '../../src/sandbox/slack-requests.ts';
import { cluster, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';
import { fakeIstioctl } from '../support/bot.ts';
import { startMain, stopMain, type Started } from './support/main-process.ts';

const SIGNING_SECRET = '8f742231b10e8888abcd99e0d1c2b3a4';

let kube: Cluster;
let slack: FakeSlack;
let bot: Started | undefined;
before(async () => {
  kube = await cluster([namespace('mesh-bot')]);
  slack = await startFakeSlack();
  const istioctl = await fakeIstioctl({ version: '1.28.1' });
  bot = await startMain({ SLACK_BOT_TOKEN: 'xoxb-1-2-three', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', ISTIOCTL: istioctl.path, KUBECONFIG: kube.kubeconfig, POD_NAMESPACE: 'mesh-bot' });
});
after(async () => {
  await stopMain(bot);
  await slack?.close();
  await kube?.close();
});

describe('the audit line of a command that quotes the signing secret', () => {
  it('logs the refusal with the secret replaced', async () => {
    const url = `http://127.0.0.1:${bot!.port}`;
    for (const text of [SIGNING_SECRET, `status --cluster ${SIGNING_SECRET}`]) {
      const ack = await sendSlashCommand(url, SIGNING_SECRET, { text, userId: 'U0ALICE', channelId: 'C0OPS', responseUrl: slack.responseUrl() });
      assert.equal(ack.status, 200);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const audits = bot!.lines.filter((line) => line.includes('"audit"'));
    assert.equal(audits.length, 2, bot!.lines.join('\n'));
    assert.deepEqual(bot!.lines.filter((line) => line.includes(SIGNING_SECRET)), []);
    assert.match(audits.join('\n'), /unknown cluster \\"\[redacted\]\\"/);
  });
});
