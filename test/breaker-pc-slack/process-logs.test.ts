// `npm start`'s process from the outside (src/main.ts in a child process, HTTP mode against the fake Slack and the
// fake Kubernetes API): every line it writes is a JSON log line, and neither the bot token nor the signing secret
// is ever in one, at LOG_LEVEL=debug, through a command, a failing Slack call and a forged request.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { sendSignedRequest, sendSlashCommand } from '../../src/sandbox/slack-requests.ts';
import { cluster, namespace, pod, type Cluster } from '../breaker-ambient/support/harness.ts';
import { fakeIstioctl } from '../support/bot.ts';
import { freePort, startMain, stopMain, type Started } from './support/main-process.ts';

const BOT_TOKEN = 'xoxb-1111111111-2222222222-BreakerBotTokenSecret';
const SIGNING_SECRET = 'f00dfeedc0ffee5ecret5ign1ngBreaker';

let kube: Cluster;
let slack: FakeSlack;
let bot: Started;
before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('mesh-bot'), pod('istiod-1', 'istio-system', 'n1', { app: 'istiod', istio: 'pilot' }, { container: 'discovery' })]);
  slack = await startFakeSlack();
  const istioctl = await fakeIstioctl({ version: '1.28.1' });
  const dir = await mkdtemp(join(tmpdir(), 'breaker-main-'));
  const config = join(dir, 'config.yaml');
  await writeFile(config, 'access:\n  channels: [C0OPS]\n');
  bot = await startMain({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ISTIOCTL: istioctl.path,
    KUBECONFIG: kube.kubeconfig,
    MESH_BOT_CONFIG: config,
    POD_NAMESPACE: 'mesh-bot',
    LOG_LEVEL: 'debug',
  });
});
after(async () => {
  await stopMain(bot);
  await slack?.close();
  await kube?.close();
});

describe('the process log of a serving mesh-bot', () => {
  it('is JSON on every line and never carries the bot token or the signing secret', async () => {
    const url = `http://127.0.0.1:${bot.port}`;
    // A failing Web API call (the answer to a command posted with chat.postMessage fails) and a good command.
    slack.failNext('chat.postMessage', 'invalid_auth');
    const ack = await sendSlashCommand(url, SIGNING_SECRET, { text: 'pc secret productpage-v1-6c886ff494-7vxhs.bookinfo', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl: slack.responseUrl(undefined, { channel: 'C0OPS', user: 'U0ALICE' }) });
    assert.equal(ack.status, 200);
    await slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'response_url' && message.ephemeralTo === undefined), { timeoutMs: 15_000 });
    const forged = await sendSignedRequest(url, 'not-the-secret', 'command=%2Fmesh&text=status');
    assert.equal(forged.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 500));

    assert.ok(bot.lines.length > 0);
    const notJson = bot.lines.filter((line) => {
      if (line.trim() === '') return false;
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
    assert.deepEqual(notJson, [], 'every line a log line');
    const leaks = bot.lines.filter((line) => line.includes(BOT_TOKEN) || line.includes(SIGNING_SECRET) || line.includes('BreakerBotTokenSecret'));
    assert.deepEqual(leaks, []);
  });
});

describe('the audit trail of a mesh-bot run with LOG_LEVEL=warn', () => {
  let quiet: Started | undefined;
  after(() => stopMain(quiet));

  it('still logs one audit line per command (README: every command and every click is logged)', async () => {
    const istioctl = await fakeIstioctl({ version: '1.28.1' });
    quiet = await startMain({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: String(await freePort()), ISTIOCTL: istioctl.path, KUBECONFIG: kube.kubeconfig, POD_NAMESPACE: 'mesh-bot', LOG_LEVEL: 'warn' });
    const ack = await sendSlashCommand(`http://127.0.0.1:${quiet.port}`, SIGNING_SECRET, { text: 'pc secret ratings-v1-7d9c8b6f5-q2x4z.bookinfo', userId: 'U0MALLORY', channelId: 'C0OPS', responseUrl: slack.responseUrl(undefined, { channel: 'C0OPS', user: 'U0MALLORY' }) });
    assert.equal(ack.status, 200);
    await slack.waitFor((fake) => fake.responses.find((response) => JSON.stringify(response.body).includes('ratings-v1-7d9c8b6f5-q2x4z')), { timeoutMs: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const audits = quiet.lines.filter((line) => line.includes('"audit"') && line.includes('U0MALLORY'));
    assert.equal(audits.length, 1, quiet.lines.join('\n'));
  });
});
