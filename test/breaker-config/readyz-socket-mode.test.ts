// DESIGN.md §3: `/readyz` is 503 while the Slack connection is down. In Socket Mode the connection is a WebSocket; when
// it drops, the Socket Mode client waits before its first reconnect attempt (5 s, then 10 s, …) and says
// "reconnecting" only then, so /readyz kept answering "slack: connected" for that whole wait.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { cluster, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';
import { freePort } from '../breaker-pc-slack/support/main-process.ts';
import { fakeIstioctl } from '../support/bot.ts';
import { startDroppableSocketMode, type DroppableSocketMode } from './support/droppable-socket-mode.ts';
import { emptyHome, start } from './support/start.ts';

let kube: Cluster;
let slack: FakeSlack;
let socket: DroppableSocketMode;
let bot: Awaited<ReturnType<typeof start>> | undefined;
let url: string;
before(async () => {
  kube = await cluster([namespace('mesh-bot')]);
  slack = await startFakeSlack();
  socket = await startDroppableSocketMode(slack);
  // Socket Mode serves the ops endpoints on PORT; a fixed one, since the start line reports PORT itself there.
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const istioctl = (await fakeIstioctl({ version: '1.28.1' })).path;
  bot = await start({ HOME: await emptyHome(), SLACK_BOT_TOKEN: 'xoxb-1-2-three', SLACK_APP_TOKEN: 'xapp-1-A0FAKE-1-abc', SLACK_API_URL: socket.apiUrl, PORT: String(port), POD_NAMESPACE: 'mesh-bot', KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl }, true);
  assert.equal(bot.result, 'serving', bot.lines.join('\n'));
  await socket.connected();
});
after(async () => {
  await bot?.stop();
  await socket?.close();
  await slack?.close();
  await kube?.close();
});

async function slackCheck(): Promise<{ status: number; slack: { ok: boolean; detail: string } | undefined }> {
  const response = await fetch(`${url}/readyz`);
  const report = (await response.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
  return { status: response.status, slack: report.checks['slack'] };
}

describe('Socket Mode connection dropped', () => {
  it('is not ready from the drop on, before the first reconnect attempt, and ready again once reconnected', async () => {
    for (let check = await slackCheck(); check.status !== 200; check = await slackCheck()) await new Promise((resolve) => setTimeout(resolve, 25));
    const opensBefore = socket.opens();
    socket.drop();
    let seen: Awaited<ReturnType<typeof slackCheck>> | undefined;
    // Until the bot asks for a new connection URL (its reconnect attempt), /readyz must already say not connected.
    while (socket.opens() === opensBefore) {
      const check = await slackCheck();
      if (check.status === 503) {
        seen = check;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(seen, '/readyz still said "slack: connected" when the bot started reconnecting');
    assert.deepEqual(seen.slack, { ok: false, detail: 'not connected' });
    await socket.connected();
    for (let check = await slackCheck(); check.status !== 200; check = await slackCheck()) await new Promise((resolve) => setTimeout(resolve, 25));
  });
});
