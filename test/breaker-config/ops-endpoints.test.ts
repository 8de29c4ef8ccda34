// DESIGN.md §3: `GET /healthz`, `GET /readyz`, `GET /metrics`. A GET resource answers HEAD too (RFC 9110 §9.3.2):
// uptime monitors and `curl -I` ask with HEAD, and got 404 as if the endpoint did not exist.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nock from 'nock';
import { startBot, type Bot } from '../support/bot.ts';
import { NOCK_KUBE_URL, nockKubeConfig } from '../support/kube-nock.ts';

let bot: Bot;
before(async () => {
  nock.enableNetConnect(/127\.0\.0\.1/);
  nock(NOCK_KUBE_URL).persist().get('/version').reply(200, { gitVersion: 'v1.33.1' });
  bot = await startBot({ kubeConfig: nockKubeConfig });
});
after(async () => {
  await bot?.close();
  nock.cleanAll();
});

describe('the ops endpoints asked with HEAD', () => {
  it('answer as GET does, without a body', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const get = await fetch(`${bot.url}${path}`);
      await get.arrayBuffer();
      const head = await fetch(`${bot.url}${path}`, { method: 'HEAD' });
      assert.equal(head.status, get.status, path);
      assert.equal(head.headers.get('content-type'), get.headers.get('content-type'), path);
      assert.equal((await head.arrayBuffer()).byteLength, 0, path);
    }
  });

  it('still answer 404 on paths that do not exist', async () => {
    assert.equal((await fetch(`${bot.url}/health`, { method: 'HEAD' })).status, 404);
    assert.equal((await fetch(`${bot.url}/metrics/x`)).status, 404);
  });
});

describe('the ops endpoints asked with another method', () => {
  it('answer 405 and say which methods they take', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const response = await fetch(`${bot.url}${path}`, { method, body: method === 'DELETE' ? null : 'x' });
        assert.equal(response.status, 405, `${method} ${path}`);
        assert.equal(response.headers.get('allow'), 'GET, HEAD', `${method} ${path}`);
        assert.match(await response.text(), /answers GET and HEAD only/);
      }
    }
  });
});
