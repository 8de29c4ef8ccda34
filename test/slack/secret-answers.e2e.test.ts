// `npm start`'s process (src/main.ts, HTTP mode against the fake Slack, the fake Kubernetes API and a stand-in
// istioctl) given a signing secret and a bot token: whatever someone pastes into `/mesh` and whatever istioctl
// echoes, nothing mesh-bot says in Slack carries those values — not the ack, not the response_url answer, not a
// chat.postMessage, not an uploaded file — and each message still says what it would have said around them.
// DESIGN.md §8 "Secrets or tokens echoed into chat"; the signing secret has no shape a pattern could know.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebClient } from '@slack/web-api';
import { startFakeSlack, type FakeSlack, type StoredMessage } from '../../src/sandbox/slack-api.ts';
import { sendBlockAction, sendSlashCommand } from '../../src/sandbox/slack-requests.ts';
import { realClock } from '../../src/schedule/clock.ts';
import { scheduledPostOptions } from '../../src/server.ts';
import { webClientOptions } from '../../src/slack/app.ts';
import { LIMITS, message, section } from '../../src/slack/blocks.ts';
import { createChannelPoster } from '../../src/slack/poster.ts';
import { heldFence } from '../support/fence.ts';
import { cluster, namespace, proxyStatusJson, standIn, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod } from '../breaker-status/support/sidecar.ts';
import { startMain, stopMain, type Started } from '../breaker-pc-slack/support/main-process.ts';
import { blockText, findButton } from '../support/blocks.ts';

/** 32 hex digits, like Slack's, and so also a valid namespace name. */
const SIGNING_SECRET = 'c4ca4238a0b923820dcc509a6f75849b';
/** Valid for the config (xoxb- and no whitespace); the token pattern of istioctl errors knows only its first part. */
const BOT_TOKEN = 'xoxb-3333333333-4444444444-Sl4ck.B0t_T0ken.Value77';
/** What must never reach Slack: both values, and the 8-character ends a clipped text leaves of them. */
const NEVER = [SIGNING_SECRET, BOT_TOKEN, SIGNING_SECRET.slice(0, 8), SIGNING_SECRET.slice(-8), BOT_TOKEN.slice(0, 8), BOT_TOKEN.slice(-8)];

const ISTIOD = 'istiod-1-30-5d8f7c9b6d-a1b2c';
const SYNCED = { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' };
/** Problem proxies whose names carry the signing secret (a sidecar-injected pod named after it): more than a thread reply holds. */
const PROBLEMS = Array.from({ length: 120 }, (_, index) => ({ id: `reviews-v${index}-${SIGNING_SECRET}.shop`, version: '1.30.3', types: { ...SYNCED, EDS: 'STALE' } }));
const ANALYZE_ERROR = 'Error: failed to fetch the mesh config: Unauthorized: the API server refused the credential';

let kube: Cluster;
let slack: FakeSlack;
let bot: Started;
/** Every ack body mesh-bot answered with. */
const acks: string[] = [];

before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('mesh-bot'), namespace('shop'), istiod(ISTIOD, '1.30.3', { revision: '1-30' })]);
  slack = await startFakeSlack();
  const istioctl = await standIn('1.30.3', [
    { when: ['proxy-status'], stdout: proxyStatusJson(ISTIOD, '1.30.3', [...PROBLEMS, { id: 'productpage-v1-7d9f8c6b5-x2k4m.shop', version: '1.30.3', types: SYNCED }]) },
    { when: ['analyze'], stderr: `${ANALYZE_ERROR} ${BOT_TOKEN}\n`, exit: 1 },
  ]);
  bot = await startMain({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ISTIOCTL: istioctl.path,
    KUBECONFIG: kube.kubeconfig,
    POD_NAMESPACE: 'mesh-bot',
  });
});
after(async () => {
  await stopMain(bot);
  await slack?.close();
  await kube?.close();
});

/** Everything the fake Slack and the slash-command requests received from mesh-bot, one entry per payload. */
function received(): string[] {
  return [
    ...acks,
    ...slack.calls.map((call) => `${call.method} ${JSON.stringify(call.args)}`),
    ...slack.responses.map((response) => `response_url ${JSON.stringify(response.body)}`),
    ...slack.files.map((file) => `file ${file.filename} ${file.title ?? ''} ${file.initialComment ?? ''}\n${file.content?.toString('utf8') ?? ''}`),
  ];
}

function assertNothingSaid(): void {
  for (const payload of received()) for (const value of NEVER) assert.ok(!payload.includes(value), `${value} reached Slack in: ${payload.slice(0, 600)}`);
}

async function slash(text: string): Promise<{ ack: string; responseUrl: string }> {
  const responseUrl = slack.responseUrl(undefined, { channel: 'C0OPS', user: 'U0ALICE' });
  const ack = await sendSlashCommand(`http://127.0.0.1:${bot.port}`, SIGNING_SECRET, { text, userId: 'U0ALICE', channelId: 'C0OPS', responseUrl });
  assert.equal(ack.status, 200);
  acks.push(ack.body);
  return { ack: ack.body, responseUrl };
}

/** The answer posted through this command's response_url (the last one, once it is not the "Running…" notice). */
async function answer(responseUrl: string): Promise<{ text: string; blocks: string }> {
  const id = new URL(responseUrl).pathname.split('/').pop() ?? '';
  const body = await slack.waitFor((fake) => fake.responses.find((response) => response.id === id)?.body, { timeoutMs: 15_000 });
  return { text: String(body['text']), blocks: blockText(body['blocks']) };
}

describe('what mesh-bot says in Slack when the configured secrets reach a command', () => {
  it('an unknown command that is the signing secret: the refusal quotes [redacted] and still says what to do', async () => {
    const { ack } = await slash(`${SIGNING_SECRET} now`);
    const body = JSON.parse(ack) as { text: string; response_type: string };
    assert.equal(body.response_type, 'ephemeral');
    assert.match(body.text, /^:x: unknown command "\[redacted\]"/);
    assert.match(body.text, /Try `\/mesh help` for the list of commands\.$/);
    assertNothingSaid();
  });

  it('/mesh status -n <signing secret>: the answer names the namespace [redacted] and says it does not exist', async () => {
    const { responseUrl } = await slash(`status -n ${SIGNING_SECRET}`);
    const said = await answer(responseUrl);
    assert.equal(said.text, ':x: Namespace [redacted] does not exist in cluster default. Check the name with `kubectl get namespaces`.');
    assertNothingSaid();
  });

  it('an istioctl error that echoes the bot token is quoted with [redacted] in its place, the error kept', async () => {
    const { responseUrl } = await slash('analyze -n shop');
    const said = await answer(responseUrl);
    const shown = `${said.text}\n${said.blocks}`;
    assert.ok(shown.includes(':warning: istioctl: istioctl failed: failed to fetch the mesh config: Unauthorized: the API server refused the credential [redacted]. Try again;'), shown);
    assertNothingSaid();
  });

  it('the status card and the uploaded list of problem proxies name them with [redacted], the declared file length kept', async () => {
    const { responseUrl } = await slash('status -n shop');
    const id = new URL(responseUrl).pathname.split('/').pop() ?? '';
    const card = await slack.waitFor((fake) => fake.messages('C0OPS').find((message: StoredMessage) => message.via === 'response_url' && message.blocks !== undefined && fake.responses.some((response) => response.id === id && response.applied?.ts === message.ts)), { timeoutMs: 15_000 });
    assert.match(blockText(card.blocks), /• `reviews-v\d+-\[redacted\]\.shop` EDS STALE/);
    const button = findButton(card.blocks, 'status_show_problems');
    assert.ok(button?.value, 'no "Show all problem proxies" button');
    const click = await sendBlockAction(`http://127.0.0.1:${bot.port}`, SIGNING_SECRET, {
      userId: 'U0ALICE',
      channelId: 'C0OPS',
      actionId: 'status_show_problems',
      value: button.value,
      messageTs: card.ts,
      responseUrl: slack.responseUrl(undefined, { channel: 'C0OPS', user: 'U0ALICE', messageTs: card.ts }),
    });
    assert.equal(click.status, 200);
    const file = await slack.waitFor((fake) => fake.files.find((candidate) => candidate.completed), { timeoutMs: 15_000 });
    const content = file.content?.toString('utf8') ?? '';
    assert.equal(content.split('\n').filter((line) => /^reviews-v\d+-\[redacted\]\.shop: EDS STALE/.test(line)).length, 120, content.slice(0, 400));
    assert.equal(file.length, file.content?.length, 'the length files.getUploadURLExternal declared is what was uploaded');
    assert.match(file.title ?? '', /^120 problem proxies in /);
    assertNothingSaid();
  });
});

describe('the Slack clients mesh-bot builds for scheduled posts', () => {
  it('post a digest without the secrets, its section clipped back to 3000 characters where [redacted] is longer than the piece', async () => {
    const poster = createChannelPoster(new WebClient(BOT_TOKEN, scheduledPostOptions(slack.apiUrl, [SIGNING_SECRET, BOT_TOKEN])), realClock);
    const atLimit = `${'x'.repeat(LIMITS.sectionText - 9)} ${SIGNING_SECRET.slice(0, 8)}`;
    await poster.post('C0DIGEST', message(`Mesh digest: namespace ${SIGNING_SECRET} is degraded`, [section(atLimit), section(`token ${BOT_TOKEN} seen in a route`)]), heldFence());
    const [posted] = slack.messages('C0DIGEST');
    assert.equal(posted?.text, 'Mesh digest: namespace [redacted] is degraded');
    const [first, second] = (posted?.blocks ?? []) as { text: { text: string } }[];
    // 3000 characters ending in the secret's first 8 became 3002 ending in "[redacted]": clipped as every section is.
    assert.equal(first?.text.text, `${'x'.repeat(LIMITS.sectionText - 9)} [redact…`);
    assert.equal(first?.text.text.length, LIMITS.sectionText);
    assert.equal(second?.text.text, 'token [redacted] seen in a route');
    assertNothingSaid();
  });

  it('redact a file that was uploaded without redacting its content first, rather than send the secret', async () => {
    const client = new WebClient(BOT_TOKEN, webClientOptions(slack.apiUrl, [SIGNING_SECRET, BOT_TOKEN]));
    await client.files.uploadV2({ channel_id: 'C0DIGEST', content: `namespace ${SIGNING_SECRET}\n`, filename: 'raw.txt', title: `about ${SIGNING_SECRET}` }).catch(() => undefined);
    const file = slack.files.find((candidate) => candidate.filename === 'raw.txt');
    assert.equal(file?.content?.toString('utf8'), 'namespace [redacted]\n');
    assert.equal(file?.title, 'about [redacted]');
    assertNothingSaid();
  });
});
