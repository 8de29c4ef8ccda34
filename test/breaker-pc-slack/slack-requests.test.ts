// Slack requests from the outside: forged, altered, future-dated, malformed and rate-limited ones, sent to the
// real Bolt HTTP receiver of a running mesh-bot (test/support/bot.ts), whose calls reach the fake Slack.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import nock from 'nock';
import { sendSignedRequest, signSlackRequest, slashCommandFields } from '../../src/sandbox/slack-requests.ts';
import { nockKubeConfig } from '../support/kube-nock.ts';
import { SIGNING_SECRET, startBot, type Bot } from '../support/bot.ts';

before(() => nock.enableNetConnect(/127\.0\.0\.1/));
afterEach(() => nock.cleanAll());
after(() => nock.restore());

const pcRuns = async (bot: Bot) => (await bot.istioctlInvocations()).filter((argv) => argv[0] === 'proxy-config').length;
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('signed Slack requests that must be refused or survived', () => {
  let bot: Bot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('refuses a body altered after signing, a missing signature and a missing timestamp, and runs nothing', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
    const fields = { text: 'pc secret productpage-v1-6c886ff494-7vxhs.bookinfo', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl: bot.slack.responseUrl() };
    const body = new URLSearchParams(slashCommandFields(fields)).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signSlackRequest(SIGNING_SECRET, timestamp, body);
    const altered = body.replace('U0ALICE', 'U0EVE');
    const post = (headers: Record<string, string>, raw: string) =>
      fetch(new URL('/slack/events', bot!.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: raw });
    assert.equal((await post({ 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature }, altered)).status, 401);
    assert.equal((await post({ 'x-slack-request-timestamp': String(timestamp) }, body)).status, 401);
    assert.equal((await post({ 'x-slack-signature': signature }, body)).status, 401);
    await settle();
    assert.equal(await pcRuns(bot), 0);
    assert.equal(bot.slack.responses.length, 0);
  });

  it('refuses a request dated more than 5 minutes in the future (Slack: |now - timestamp| > 5 min is a replay)', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
    const body = new URLSearchParams(slashCommandFields({ text: 'pc secret productpage-v1-6c886ff494-7vxhs.bookinfo', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl: bot.slack.responseUrl() })).toString();
    const ahead = Math.floor(Date.now() / 1000) + 24 * 3600;
    const future = await sendSignedRequest(bot.url, SIGNING_SECRET, body, { timestamp: ahead });
    assert.equal(future.status, 401);
    // Bolt reads the header with Number() and signs the number: `+N` is the same timestamp spelled differently.
    const spelled = await fetch(new URL('/slack/events', bot.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': `+${ahead}`, 'x-slack-signature': signSlackRequest(SIGNING_SECRET, ahead, body) },
      body,
    });
    assert.equal(spelled.status, 401);
    await settle();
    assert.equal(await pcRuns(bot), 0);
    // A clock a minute ahead is still within Slack's window.
    const skewed = await sendSignedRequest(bot.url, SIGNING_SECRET, body, { timestamp: Math.floor(Date.now() / 1000) + 60 });
    assert.equal(skewed.status, 200);
  });

  it('answers Slack\'s ssl_check and url_verification without running anything', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
    const ssl = await fetch(new URL('/slack/events', bot.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=x' });
    assert.equal(ssl.status, 200);
    const challenge = JSON.stringify({ token: 'x', challenge: 'c0ffee', type: 'url_verification' });
    const verified = await sendSignedRequest(bot.url, SIGNING_SECRET, challenge, { contentType: 'application/json' });
    assert.equal(verified.status, 200);
    assert.match(verified.body, /c0ffee/);
    assert.equal(bot.slack.responses.length, 0);
  });

  it('survives a signed click whose payload is not JSON, and still answers the next command', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
    const broken = await sendSignedRequest(bot.url, SIGNING_SECRET, 'payload=%7Bnot-json');
    assert.ok(broken.status < 500, `a malformed payload is the sender's problem, not a ${broken.status}`);
    await bot.slash('pc secret productpage-v1-6c886ff494-7vxhs.bookinfo');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /productpage-v1-6c886ff494-7vxhs\.bookinfo/);
  });
});

describe('a response_url that answers HTTP 429 with Retry-After', () => {
  let bot: Bot | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await bot?.close();
    await new Promise((resolve) => server?.close(resolve));
    bot = undefined;
  });

  it('posts the answer after Retry-After instead of dropping it', async () => {
    const received: { status: number; body: string }[] = [];
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        // Slack's webhooks rate-limit like the Web API: 429 with Retry-After (seconds), then accept.
        const limited = received.length === 0;
        received.push({ status: limited ? 429 : 200, body: raw });
        if (limited) res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('rate_limited');
        else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
    const body = new URLSearchParams(slashCommandFields({ text: 'pc secret productpage-v1-6c886ff494-7vxhs.bookinfo', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl: `http://127.0.0.1:${port}/commands/T0/1/abc` })).toString();
    const ack = await sendSignedRequest(bot.url, SIGNING_SECRET, body);
    assert.equal(ack.status, 200);
    const deadline = Date.now() + 15_000;
    while (!received.some((entry) => entry.status === 200) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const delivered = received.find((entry) => entry.status === 200);
    assert.ok(delivered, `the answer was never delivered: ${received.length} attempt(s)`);
    assert.match(delivered.body, /productpage-v1-6c886ff494-7vxhs\.bookinfo/);
  });
});
