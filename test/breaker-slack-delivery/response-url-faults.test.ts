// The command's answer goes through its response_url (hooks.slack.com). Here that URL misbehaves: it answers 502
// (the answer may or may not have been shown) or resets the connection. Nothing may be posted twice, and the
// requester, who so far only saw "Running …", must learn that the answer may be missing.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import nock from 'nock';
import { sendSignedRequest, slashCommandFields } from '../../src/sandbox/slack-requests.ts';
import { nockKubeConfig } from '../support/kube-nock.ts';
import { SIGNING_SECRET, startBot, type Bot } from '../support/bot.ts';

before(() => nock.enableNetConnect(/127\.0\.0\.1/));
afterEach(() => nock.cleanAll());
after(() => nock.restore());

type Misbehaviour = 'bad-gateway' | 'reset';

/** A response_url whose first post meets `first`; later posts are accepted. Records every body. */
async function startResponseUrl(first: Misbehaviour): Promise<{ server: Server; url: string; posts: Record<string, unknown>[] }> {
  const posts: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      posts.push(JSON.parse(raw) as Record<string, unknown>);
      if (posts.length > 1) return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (first === 'reset') return void req.socket.destroy();
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/commands/T0/1/abc`, posts };
}

describe('a response_url that loses the answer', () => {
  let bot: Bot | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  for (const misbehaviour of ['bad-gateway', 'reset'] as const) {
    it(`${misbehaviour}: the answer is not sent twice, and the requester is told it may be missing`, async () => {
      const hook = await startResponseUrl(misbehaviour);
      server = hook.server;
      bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
      const body = new URLSearchParams(slashCommandFields({ text: 'pc secret productpage-v1-6c886ff494-7vxhs.bookinfo', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl: hook.url })).toString();
      assert.equal((await sendSignedRequest(bot.url, SIGNING_SECRET, body)).status, 200);
      const deadline = Date.now() + 15_000;
      while (hook.posts.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const answers = hook.posts.filter((post) => /productpage-v1-6c886ff494-7vxhs/.test(JSON.stringify(post)) && post['response_type'] === 'in_channel');
      assert.equal(answers.length, 1, 'the answer may have been shown: it is not posted again');
      const notice = hook.posts.find((post) => post['response_type'] === 'ephemeral');
      assert.ok(notice, `nothing told the requester: ${hook.posts.length} post(s)`);
      assert.match(String(notice['text']), /did not confirm/);
      assert.match(String(notice['text']), /`\/mesh proxy-config[^`]*` again/);
      assert.notEqual(notice['replace_original'], true, 'the notice must not replace what may be the answer');
    });
  }
});
