// What patientFetch sends again, seen from the channel: a post whose answer was lost must not show twice, an update
// must get through a 5xx, a response_url post (a post, outside the Web API) is never resent after a 5xx, and a long
// 429 is handed back at once, for that request only, while other requests go on.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FetchFunction } from '@slack/web-api';
import { patientFetch } from '../../src/slack/patient-fetch.ts';

const API = 'https://slack.com/api/';
type Init = NonNullable<Parameters<FetchFunction>[1]>;
type Fault = 'reset' | 'timeout' | 502 | 503 | { status: 429; retryAfter: string };

/** A Slack whose first answers per URL are the given faults (the request landed all the same), then 200. */
function slack(faults: Record<string, Fault[]>): { fetch: FetchFunction; landed: (url: string) => number } {
  const landed = new Map<string, number>();
  const fetch = (async (url: string) => {
    const fault = faults[url]?.shift();
    // A 429 means Slack did nothing; every other fault happens after the request reached Slack.
    if (!(typeof fault === 'object')) landed.set(url, (landed.get(url) ?? 0) + 1);
    if (fault === 'reset') throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    if (fault === 'timeout') throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    if (typeof fault === 'number') return new Response('upstream error', { status: fault });
    if (typeof fault === 'object') return new Response('{"ok":false,"error":"ratelimited"}', { status: 429, headers: { 'retry-after': fault.retryAfter } });
    return new Response('{"ok":true}', { status: 200 });
  }) as unknown as FetchFunction;
  return { fetch, landed: (url) => landed.get(url) ?? 0 };
}

const form: Init = { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'channel=C1&text=hi' } as Init;
const json: Init = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text":"hi"}' } as Init;
const instant = async () => undefined;

describe('what patientFetch sends again', () => {
  for (const fault of ['reset', 'timeout', 502, 503] as const) {
    it(`a chat.postMessage whose answer was lost (${fault}) is in the channel once`, async () => {
      const url = `${API}chat.postMessage`;
      const fake = slack({ [url]: [fault, fault, fault] });
      await patientFetch(API, fake.fetch, instant)(url, form).then(
        (response) => assert.notEqual(response.status, 200),
        () => undefined,
      );
      assert.equal(fake.landed(url), 1);
    });

    it(`a response_url post whose answer was lost (${fault}) is in the channel once`, async () => {
      const url = 'https://hooks.slack.com/commands/T1/123/abc';
      const fake = slack({ [url]: [fault, fault] });
      await patientFetch(API, fake.fetch, instant)(url, json).then(
        (response) => assert.notEqual(response.status, 200),
        () => undefined,
      );
      assert.equal(fake.landed(url), 1);
    });
  }

  it('a chat.update gets through two 5xx, and a file\'s bytes through a reset', async () => {
    const update = `${API}chat.update`;
    const upload = 'https://files.slack.com/upload/v1/ABC';
    const fake = slack({ [update]: [502, 503], [upload]: ['reset'] });
    const fetch = patientFetch(API, fake.fetch, instant);
    assert.equal((await fetch(update, form)).status, 200);
    const body = new FormData();
    body.append('file', new Blob(['config dump']), 'dump.json');
    assert.equal((await fetch(upload, { method: 'POST', headers: {}, body } as Init)).status, 200);
  });

  it('a 429 longer than 30 s is handed back at once, and another request meanwhile is not held', async () => {
    const limited = `${API}chat.postMessage`;
    const other = `${API}chat.update`;
    const fake = slack({ [limited]: [{ status: 429, retryAfter: '120' }] });
    const waits: number[] = [];
    const fetch = patientFetch(API, fake.fetch, async (ms) => void waits.push(ms));
    const [first, second] = await Promise.all([fetch(limited, form), fetch(other, form)]);
    assert.equal(first.status, 429);
    assert.equal(second.status, 200);
    assert.deepEqual(waits, [], 'nothing waited for the 2-minute Retry-After');
    assert.equal(fake.landed(limited), 0);
  });

  it('a 429 of a few seconds on a post is waited out and the post lands once', async () => {
    const url = `${API}chat.postMessage`;
    const fake = slack({ [url]: [{ status: 429, retryAfter: '3' }] });
    const waits: number[] = [];
    assert.equal((await patientFetch(API, fake.fetch, async (ms) => void waits.push(ms))(url, form)).status, 200);
    assert.deepEqual(waits, [3_000]);
    assert.equal(fake.landed(url), 1);
  });
});
