// DESIGN.md §2: PORT is the port of /slack/events and the ops endpoints; "a missing or invalid setting stops the process
// at start with one line that names the setting and the problem". A PORT another process holds (a second `npm start`,
// a sidecar on 3000): in HTTP mode it was reported as "could not connect to Slack … Check SLACK_API_URL", in Socket
// Mode the process died of an unhandled 'error' event with a stack trace.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { cluster, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';
import { fakeIstioctl } from '../support/bot.ts';
import { emptyHome, start } from './support/start.ts';

let kube: Cluster;
let slack: FakeSlack;
let istioctl: string;
let busy: Server;
let port: number;
before(async () => {
  kube = await cluster([namespace('mesh-bot')]);
  slack = await startFakeSlack();
  istioctl = (await fakeIstioctl({ version: '1.28.1' })).path;
  busy = createServer();
  // Every interface, as mesh-bot listens.
  await new Promise<void>((resolve) => busy.listen(0, resolve));
  const address = busy.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
});
after(async () => {
  await new Promise((resolve) => busy.close(resolve));
  await slack?.close();
  await kube?.close();
});

async function startOnBusyPort(env: Record<string, string>) {
  return start({ HOME: await emptyHome(), SLACK_BOT_TOKEN: 'xoxb-1-2-three', SLACK_API_URL: slack.apiUrl, PORT: String(port), POD_NAMESPACE: 'mesh-bot', KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl, ...env });
}

/** The plain lines (JSON log records aside). */
function plainLines(lines: readonly string[]): string[] {
  return lines.filter((line) => line.trim() !== '' && !line.startsWith('{'));
}

describe('PORT held by another process', () => {
  it('HTTP mode: one line naming PORT, not Slack', async () => {
    const outcome = await startOnBusyPort({ SLACK_SIGNING_SECRET: 'breaker-config-signing-secret' });
    assert.equal(outcome.result, 2, outcome.lines.join('\n'));
    assert.deepEqual(plainLines(outcome.lines), [`mesh-bot: PORT: ${port} is already in use by another process; stop it, or set PORT to a free port.`]);
  });

  it('Socket Mode: one line naming PORT, not a crash with a stack trace', async () => {
    const outcome = await startOnBusyPort({ SLACK_APP_TOKEN: 'xapp-1-A0FAKE-1-abc' });
    assert.equal(outcome.result, 2, outcome.lines.join('\n'));
    assert.deepEqual(plainLines(outcome.lines), [`mesh-bot: PORT: ${port} is already in use by another process; stop it, or set PORT to a free port.`]);
  });
});
