// Request verification edges the receiver must refuse before anything runs: a signature of another version, a
// signature in upper-case hex, two timestamp headers, and a timestamp just past Slack's 5 minutes. They pass today
// and guard the receiver wrapper (src/slack/app.ts refuseFutureTimestamps) against regressions.

import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import nock from 'nock';
import { sendSignedRequest, signSlackRequest, slashCommandFields } from '../../src/sandbox/slack-requests.ts';
import { nockKubeConfig } from '../support/kube-nock.ts';
import { SIGNING_SECRET, startBot } from '../support/bot.ts';

before(() => nock.enableNetConnect(/127\.0\.0\.1/));
afterEach(() => nock.cleanAll());
after(() => nock.restore());

it('refuses v1 signatures, upper-case hex, two timestamps and 301-second-old requests, then still answers', async () => {
  const bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
  try {
    const body = new URLSearchParams(slashCommandFields({ text: 'pc secret productpage-v1-6c886ff494-7vxhs.bookinfo', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl: bot.slack.responseUrl() })).toString();
    const now = Math.floor(Date.now() / 1000);
    const good = signSlackRequest(SIGNING_SECRET, now, body);
    const post = (headers: [string, string][], raw = body) => {
      const all = new Headers({ 'content-type': 'application/x-www-form-urlencoded' });
      for (const [name, value] of headers) all.append(name, value);
      return fetch(new URL('/slack/events', bot.url), { method: 'POST', headers: all, body: raw }).then((response) => response.status);
    };
    assert.equal(await post([['x-slack-request-timestamp', String(now)], ['x-slack-signature', good.replace(/^v0=/, 'v1=')]]), 401);
    assert.equal(await post([['x-slack-request-timestamp', String(now)], ['x-slack-signature', good.toUpperCase()]]), 401);
    assert.equal(await post([['x-slack-request-timestamp', String(now)], ['x-slack-request-timestamp', String(now)], ['x-slack-signature', good]]), 401);
    assert.equal((await sendSignedRequest(bot.url, SIGNING_SECRET, body, { timestamp: now - 301 })).status, 401);
    assert.equal((await bot.istioctlInvocations()).length, 0);
    assert.equal(bot.slack.responses.length, 0);
    // The same request, correctly signed, is answered.
    assert.equal((await sendSignedRequest(bot.url, SIGNING_SECRET, body)).status, 200);
  } finally {
    await bot.close();
  }
});
