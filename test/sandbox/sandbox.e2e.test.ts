// The sandbox driven over HTTP exactly as its page drives it (no browser): commands and clicks go through the page
// server, which signs them and sends them to the real bot; answers are read back from the local Slack's store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.ts';
import type { StoredMessage } from '../../src/sandbox/slack-api.ts';
import { reviewsWeights } from '../support/bookinfo.ts';
import { quietStream } from '../support/quiet.ts';

const OPS = 'C0MESHOPS';
const OPERATOR = 'U0OPERATOR';
const APPROVER = 'U0APPROVER';
const VIEWER = 'U0VIEWER';

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { type: string; text?: { text: string } | string; action_id?: string; value?: string }[];
}

function allText(message: StoredMessage): string {
  return ((message.blocks as Block[] | undefined) ?? [])
    .flatMap((block) => [block.text?.text ?? '', ...(block.fields ?? []).map((field) => field.text), ...(block.elements ?? []).map((element) => (typeof element.text === 'string' ? element.text : (element.text?.text ?? '')))])
    .join('\n');
}

function buttonBlock(message: StoredMessage, actionId: string): string | undefined {
  return ((message.blocks as Block[] | undefined) ?? []).find((block) => block.elements?.some((element) => element.action_id === actionId))?.block_id;
}

describe('the local sandbox, driven like its page', () => {
  let sandbox: RunningSandbox;
  let base: string;
  const quiet = quietStream();

  before(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'error', logger: createLogger('error', quiet) });
    base = `http://127.0.0.1:${sandbox.port}`;
  });
  after(() => sandbox.stop());

  const post = async (path: string, body: Record<string, string>) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { ok: boolean; error?: string } };
  };
  const command = (text: string, user = OPERATOR) => post('/sandbox/command', { channel: OPS, user, text });
  const click = (message: StoredMessage, actionId: string, user: string) => post('/sandbox/action', { channel: OPS, user, messageTs: message.ts, blockId: buttonBlock(message, actionId) ?? '', actionId });
  /** The first channel message (not ephemeral) after `since` whose top-level text matches. */
  const channelMessage = (pattern: RegExp, since = 0) =>
    sandbox.slack.waitFor((slack) => slack.messages(OPS).slice(since).find((message) => message.ephemeralTo === undefined && pattern.test(message.text)), { timeoutMs: 15_000 });
  const mark = () => sandbox.slack.messages(OPS).length;

  it('answers /mesh status with the demo mesh summary in the channel', async () => {
    const since = mark();
    const sent = await command('/mesh status');
    assert.deepEqual(sent, { status: 200, body: { ok: true } });
    const answer = await channelMessage(/^default: degraded — 2 of 8 proxies STALE, 0 ERROR — istiod 2\/2 ready/, since);
    assert.match(allText(answer), /payments-v1-7c9d8b6f5-k2x8p\.shop/);
    assert.ok(buttonBlock(answer, 'status_show_problems'), 'the summary offers the full problem list');
  });

  it('shows the acknowledgement and the invocation only to the person who ran the command', async () => {
    await command('/mesh help', VIEWER);
    await sandbox.slack.waitFor((slack) => slack.messages(OPS).some((message) => message.ephemeralTo === VIEWER && message.user === sandbox.slack.botUserId));
    const seen = async (user: string) => ((await (await fetch(`${base}/sandbox/messages?user=${user}`)).json()) as { channels: Record<string, { ephemeral: boolean; text: string }[]> }).channels[OPS] ?? [];
    assert.ok((await seen(VIEWER)).some((message) => message.ephemeral && message.text === '`/mesh help`'));
    assert.ok(!(await seen(OPERATOR)).some((message) => message.text === '`/mesh help`'), 'another user does not see it');
  });

  it('promotes the reviews canary only after the approver approves, and updates the card in place', async () => {
    const since = mark();
    await command('/mesh canary promote reviews --weight 50 -n bookinfo', OPERATOR);
    const card = await channelMessage(/^Canary promotion of bookinfo\/reviews v1 90% \/ v2 10% → v1 50% \/ v2 50%: waiting for approval/, since);
    assert.deepEqual(reviewsWeights(sandbox.kube), [90, 10]);

    const responsesBefore = sandbox.slack.responses.length;
    assert.equal((await click(card, 'canary_approve', OPERATOR)).status, 200);
    const refusal = await sandbox.slack.waitFor((slack) => slack.responses.slice(responsesBefore).find((response) => response.body['response_type'] === 'ephemeral'), { timeoutMs: 10_000 });
    assert.match(String(refusal.body['text']), /approv/i);
    assert.deepEqual(reviewsWeights(sandbox.kube), [90, 10], 'the operator is no approver');

    assert.equal((await click(card, 'canary_approve', APPROVER)).status, 200);
    const updated = await sandbox.slack.waitFor((slack) => {
      const current = slack.message(OPS, card.ts);
      return current && /proxies in sync/.test(allText(current)) ? current : undefined;
    }, { timeoutMs: 15_000 });
    assert.deepEqual(reviewsWeights(sandbox.kube), [50, 50]);
    assert.match(allText(updated), /Approved\* by <@U0APPROVER>/);
    assert.match(allText(updated), /5\/5 proxies in sync/);
  });

  it('refuses a promotion asked by the viewer, who is no operator', async () => {
    await command('/mesh canary promote reviews --weight 80 -n bookinfo', VIEWER);
    const refusal = await sandbox.slack.waitFor((slack) => slack.messages(OPS).find((message) => message.ephemeralTo === VIEWER && /operator/i.test(message.text) && message.user === slack.botUserId && !/Running/.test(message.text)), { timeoutMs: 10_000 });
    assert.match(refusal.text, /:no_entry:/);
  });

  it('reports the demo mesh analyze findings for bookinfo', async () => {
    const since = mark();
    await command('/mesh analyze -n bookinfo');
    const answer = await channelMessage(/^default\/bookinfo: 2 errors, 1 warning, 1 info/, since);
    assert.match(allText(answer), /IST0173/);
    assert.match(allText(answer), /DestinationRule bookinfo\/reviews/);
  });

  it('flags the workload certificate that expires in a few days, and uploads the redacted output as a downloadable file', async () => {
    const since = mark();
    await command('/mesh pc secret productpage-v1-d5789fdfb-7pq2k.bookinfo');
    const answer = await channelMessage(/secret: 2 certificates, 1 need attention/, since);
    assert.match(allText(answer), /EXPIRES SOON · default Cert Chain .* [1-3] days? left/);

    await click(answer, 'pc_upload_full', OPERATOR).then((result) => assert.equal(result.status, 200));
    const file = await sandbox.slack.waitFor((slack) => slack.files.find((candidate) => candidate.completed && candidate.channel === OPS), { timeoutMs: 15_000 });
    const download = await fetch(`${base}/sandbox/files/${file.id}`);
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="/);
    assert.ok((await download.text()).length > 0);
  });

  it('posts the digest on demand with the expiring certificate and the STALE proxies', async () => {
    const since = mark();
    await command('/mesh digest now');
    const digest = await channelMessage(/^Mesh digest default/, since);
    assert.match(digest.text, /2 proxies STALE/);
    assert.match(allText(digest), /productpage-v1-d5789fdfb-7pq2k\.bookinfo default: expires in [1-3] days?/);
  });

  it('refuses a click on a button that the message does not have', async () => {
    const [first] = sandbox.slack.messages(OPS).filter((message) => message.ephemeralTo === undefined);
    assert.ok(first);
    const answer = await post('/sandbox/action', { channel: OPS, user: OPERATOR, messageTs: first.ts, blockId: 'nope', actionId: 'canary_approve' });
    assert.equal(answer.status, 404);
  });
});
