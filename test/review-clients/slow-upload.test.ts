// A file's bytes (files.uploadV2's POST to its upload URL) take as long as the link needs: a proxy-config dump of a
// large mesh is megabytes, and mesh-bot caps neither it nor the link's speed. patientFetch gave every attempt 10 s,
// the body's transfer included, so an upload that Slack would have taken in 11 s was cut off, sent again from the
// start, cut off again, and the requester was told the upload failed.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FetchFunction } from '@slack/web-api';
import { patientFetch } from '../../src/slack/patient-fetch.ts';

const UPLOAD_URL = 'https://files.slack.com/upload/v1/ABC123';
const FILE_BYTES = 4 * 1024 * 1024;
/** How long the stand-in link takes to carry the 4 MiB body: ~3 Mbit/s, a slow but working egress proxy. */
const TRANSFER_MS = 11_000;

/** A link that carries the body in TRANSFER_MS, then Slack answers 200; an abort stops it midway, as fetch does. */
function slowLink(): { fetch: FetchFunction; attempts: () => number } {
  let attempts = 0;
  const fetch = ((_url: string, init?: { signal?: AbortSignal | null }) => {
    attempts += 1;
    return new Promise((resolve, reject) => {
      const done = setTimeout(() => resolve(new Response('OK - 4194304', { status: 200 })), TRANSFER_MS);
      init?.signal?.addEventListener('abort', () => {
        clearTimeout(done);
        reject(init.signal?.reason);
      }, { once: true });
    });
  }) as unknown as FetchFunction;
  return { fetch, attempts: () => attempts };
}

describe('a large file upload over a slow link', () => {
  it('is carried to its end once, not cut off and resent (defect: every attempt aborted at 10 s, upload failed)', async () => {
    const link = slowLink();
    const fetch = patientFetch(undefined, link.fetch, async () => undefined);
    const body = new FormData();
    body.append('filename', 'config_dump.json');
    body.append('file', new Blob([new Uint8Array(FILE_BYTES)]), 'config_dump.json');
    const response = await fetch(UPLOAD_URL, { method: 'POST', headers: {}, body } as Parameters<FetchFunction>[1]);
    assert.equal(response.status, 200);
    assert.equal(link.attempts(), 1, 'the bytes were sent once');
  });
});
