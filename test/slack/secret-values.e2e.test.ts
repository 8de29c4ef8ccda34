// `npm start`'s process (src/main.ts, HTTP mode against the fake Slack, the fake Kubernetes API and a stand-in
// istioctl) given a signing secret and a bot token: commands and istioctl errors that carry those values never put
// them in a log line, at LOG_LEVEL=debug, while the line still says what happened. The signing secret has no shape
// a pattern could know (32 hex digits), so only redaction by the configured value catches it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { sendSlashCommand } from '../../src/sandbox/slack-requests.ts';
import { cluster, namespace, pod, standIn, type Cluster } from '../breaker-ambient/support/harness.ts';
import { startMain, stopMain, type Started } from '../breaker-pc-slack/support/main-process.ts';
import { eventually } from '../support/eventually.ts';

const SIGNING_SECRET = '8f14e45fceea167a5a36dedd4bea2543';
const BOT_TOKEN = 'xoxb-1111111111-2222222222-Pr0dB0tT0kenValue42';
/** A long istioctl error line: the answer and the audit line clip it to 200 characters, through the secret. */
const ISTIOCTL_ERROR = 'failed to get proxy status: rpc error: code = Unauthenticated desc = the xDS server refused the credential that the exec plugin presented';
const ISTIOCTL_STDERR = `Error: ${ISTIOCTL_ERROR.padEnd(185, '.')} ${SIGNING_SECRET} (bot ${BOT_TOKEN})\n`;

interface LogLine {
  readonly msg?: string;
  readonly audit?: { readonly command: string; readonly outcome: string; readonly detail?: string };
  readonly istioctl?: { readonly args: readonly string[] };
}

let kube: Cluster;
let slack: FakeSlack;
let bot: Started;

before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('mesh-bot'), pod('istiod-1', 'istio-system', 'n1', { app: 'istiod', istio: 'pilot' }, { container: 'discovery' })]);
  slack = await startFakeSlack();
  const istioctl = await standIn('1.28.1', [
    { when: ['proxy-status'], stderr: ISTIOCTL_STDERR, exit: 1 },
    { when: ['analyze'], stdout: '[]\n' },
  ]);
  bot = await startMain({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ISTIOCTL: istioctl.path,
    KUBECONFIG: kube.kubeconfig,
    POD_NAMESPACE: 'mesh-bot',
    LOG_LEVEL: 'debug',
  });
});
after(async () => {
  await stopMain(bot);
  await slack?.close();
  await kube?.close();
});

/** Sends a signed `/mesh TEXT` and waits for its audit line; every line logged meanwhile must be free of both values. */
async function slash(text: string, command: string): Promise<{ audit: NonNullable<LogLine['audit']>; lines: LogLine[] }> {
  const before = bot.lines.length;
  const ack = await sendSlashCommand(`http://127.0.0.1:${bot.port}`, SIGNING_SECRET, { text, userId: 'U0ALICE', channelId: 'C0OPS', responseUrl: slack.responseUrl(undefined, { channel: 'C0OPS', user: 'U0ALICE' }) });
  assert.equal(ack.status, 200);
  const parsed = () => bot.lines.slice(before).map((line) => JSON.parse(line) as LogLine);
  const audit = await eventually(() => parsed().find((line) => line.audit?.command === command)?.audit);
  const leaks = bot.lines.slice(before).filter((line) => line.includes(SIGNING_SECRET.slice(0, 8)) || line.includes(SIGNING_SECRET.slice(-8)) || line.includes('Pr0dB0tT0ken'));
  assert.deepEqual(leaks, []);
  return { audit, lines: parsed() };
}

describe('the log of a serving mesh-bot given its signing secret and bot token', () => {
  it('redacts the signing secret pasted into /mesh, even where the audit line clips the command line through it', async () => {
    const { audit } = await slash(`frobnicate ${'x'.repeat(30)} ${SIGNING_SECRET}`, 'unknown');
    assert.equal(audit.outcome, 'invalid');
    assert.equal(audit.detail, `frobnicate ${'x'.repeat(30)} [redacted]…`);
  });

  it('redacts the signing secret typed as a namespace from the istioctl run logged at debug', async () => {
    const { lines } = await slash(`analyze -n ${SIGNING_SECRET}`, 'analyze');
    const run = lines.find((line) => line.msg === 'istioctl finished' && line.istioctl?.args[0] === 'analyze');
    assert.deepEqual(run?.istioctl?.args.slice(0, 3), ['analyze', '--namespace', '[redacted]']);
  });

  it('redacts the signing secret and bot token that an istioctl error line echoes, and keeps the error', async () => {
    const { audit } = await slash('status', 'status');
    assert.equal(audit.outcome, 'degraded');
    assert.ok(audit.detail?.startsWith(`istioctl: istioctl failed: ${ISTIOCTL_ERROR}`), audit.detail);
    assert.match(audit.detail ?? '', /\.\.\.\.\. \[redacted\]…\. Try again/);
  });
});
