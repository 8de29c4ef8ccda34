// What the Slack fetch sends again, seen from the wire: a post whose connection was never made is sent again (nothing
// can have landed), a post whose connection was reset after sending is not (it may have landed), and an update
// (chat.update is idempotent) is sent again after a 502.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { FetchFunction } from '@slack/web-api';
import { patientFetch } from '../../src/slack/patient-fetch.ts';

const API = 'https://slack.test/api/';
const connectionError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

/** A base fetch that meets `failures` in order, then answers ok; records every attempt. */
function wire(failures: (Error | number)[]): { fetch: FetchFunction; attempts: string[] } {
  const attempts: string[] = [];
  const fetch: FetchFunction = async (url) => {
    attempts.push(String(url));
    const next = failures.shift();
    if (next instanceof Error) throw next;
    return new Response(next === undefined ? '{"ok":true}' : '<html>bad gateway</html>', { status: next ?? 200 });
  };
  return { fetch, attempts };
}

const form = { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'channel=C0OPS&text=hi' };
const noSleep = async () => undefined;

it('sends a chat.postMessage again when its connection was refused, never when it was reset after sending', async () => {
  const refused = wire([connectionError('ECONNREFUSED')]);
  const answer = await patientFetch(API, refused.fetch, noSleep)(`${API}chat.postMessage`, form);
  assert.equal(answer.status, 200);
  assert.equal(refused.attempts.length, 2);

  const reset = wire([connectionError('ECONNRESET')]);
  await assert.rejects(patientFetch(API, reset.fetch, noSleep)(`${API}chat.postMessage`, form));
  assert.equal(reset.attempts.length, 1, 'the post may have landed before the reset');
});

it('sends a chat.update again after a 502, and a chat.postMessage not', async () => {
  const update = wire([502]);
  assert.equal((await patientFetch(API, update.fetch, noSleep)(`${API}chat.update`, form)).status, 200);
  assert.equal(update.attempts.length, 2);

  const post = wire([502]);
  assert.equal((await patientFetch(API, post.fetch, noSleep)(`${API}chat.postMessage`, form)).status, 502);
  assert.equal(post.attempts.length, 1);
});
