import type { FetchFunction } from '@slack/web-api';

const DEFAULT_API_URL = 'https://slack.com/api/';
/** Attempts per request, the first included. */
const MAX_ATTEMPTS = 4;
/** A Retry-After longer than this is not waited for: the answer would come too late to help anyone. */
const MAX_WAIT_MS = 30_000;
const DEFAULT_WAIT_MS = 1_000;

/**
 * The fetch Bolt uses for `respond()` (response_url posts) and the WebClient for file uploads: Slack's webhooks
 * answer HTTP 429 with Retry-After like the Web API does, but Bolt's respond() throws at the first 429 and the
 * command's answer would be lost. Such a request is sent again after Retry-After. Web API calls are passed
 * through untouched: the WebClient already waits for Retry-After itself, and retrying twice would multiply posts.
 */
export function patientFetch(apiUrl: string | undefined, base: FetchFunction = globalThis.fetch, sleep: (ms: number) => Promise<void> = delay): FetchFunction {
  const api = apiUrl ?? DEFAULT_API_URL;
  return async (url, init) => {
    // Only bodies that can be sent twice (a string, or none) are retried.
    const repeatable = init?.body === undefined || typeof init.body === 'string';
    if (String(url).startsWith(api) || !repeatable) return base(url, init);
    for (let attempt = 1; ; attempt++) {
      const response = await base(url, init);
      if (response.status !== 429 || attempt >= MAX_ATTEMPTS) return response;
      const waitMs = retryAfterMs(response.headers.get('retry-after'));
      if (waitMs > MAX_WAIT_MS) return response;
      await sleep(waitMs);
    }
  };
}

function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return header !== null && header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_WAIT_MS;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
