import type { FetchFunction } from '@slack/web-api';

const DEFAULT_API_URL = 'https://slack.com/api/';
/** Attempts per request, the first included. */
const MAX_ATTEMPTS = 4;
/** A Retry-After longer than this is not waited for: the answer would come too late to help anyone. */
const MAX_WAIT_MS = 30_000;
const DEFAULT_WAIT_MS = 1_000;
/** Each attempt's own deadline: a wait for Retry-After between attempts is not counted against it. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/**
 * The slowest link an attempt's deadline still allows for its body (about 2 Mbit/s): a file's bytes (a proxy-config
 * dump of a large mesh is megabytes, uncapped) need their transfer time on top, or a slow but working upload is cut off
 * and resent from the start until it fails.
 */
const SLOWEST_BYTES_PER_SECOND = 256 * 1024;
/** Pause before resending after a 5xx or a failed connection, doubled per attempt. */
const BACKOFF_MS = 500;

/**
 * Web API methods that show something to people. When Slack's answer to one is lost (a 5xx from its edge, a reset,
 * a timeout) the message may well have landed, and sending it again would show it twice.
 */
const POSTING_METHODS: ReadonlySet<string> = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.meMessage', 'chat.scheduleMessage', 'files.completeUploadExternal']);

type FetchRequestInit = NonNullable<Parameters<FetchFunction>[1]>;

/**
 * The one fetch of the app's WebClient and of Bolt's `respond()`, which decides what is sent again and when. The
 * WebClient must not retry on its own (retries 0, rejectRateLimitedCalls): it sends a chat.postMessage again after a
 * lost answer (a duplicate post), and it waits out a 429 by pausing its whole queue, so one channel's rate limit
 * would hold every other answer and card update for up to Retry-After.
 * - 429 (nothing was done): sent again after Retry-After, for this request only; a longer wait than 30 s is not
 *   waited for, and the caller sees the 429 (`ratelimited`).
 * - 5xx, a reset or a timeout: sent again only when a second copy cannot show anything twice — Web API reads and
 *   updates, and file bytes (a file is shown only by files.completeUploadExternal). Never a posting method, never a
 *   response_url post (Bolt's `respond()`, a JSON body outside the Web API).
 * - A connection that was never made (refused, no DNS answer): sent again whatever it is.
 */
export function patientFetch(apiUrl: string | undefined, base: FetchFunction = globalThis.fetch, sleep: (ms: number) => Promise<void> = delay): FetchFunction {
  const api = apiUrl ?? DEFAULT_API_URL;
  return async (url, init) => {
    const target = String(url);
    const method = target.startsWith(api) ? target.slice(api.length).split('?')[0] : undefined;
    // Bodies are strings or form data (FetchRequestInit), both of which can be sent again as they are.
    const resendable = method !== undefined ? !POSTING_METHODS.has(method) : !isJson(init);
    const deadlineMs = ATTEMPT_TIMEOUT_MS + Math.ceil((bodyBytes(init?.body) / SLOWEST_BYTES_PER_SECOND) * 1000);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= MAX_ATTEMPTS;
      let response: Awaited<ReturnType<FetchFunction>>;
      try {
        response = await base(url, withDeadline(init, deadlineMs));
      } catch (cause) {
        if (last || !(resendable || neverSent(cause)) || init?.signal?.aborted === true) throw cause;
        await sleep(BACKOFF_MS * 2 ** (attempt - 1));
        continue;
      }
      if (last) return response;
      if (response.status === 429) {
        const waitMs = retryAfterMs(response.headers.get('retry-after'));
        if (waitMs > MAX_WAIT_MS) return response;
        await drain(response);
        await sleep(waitMs);
      } else if (response.status >= 500 && resendable) {
        await drain(response);
        await sleep(BACKOFF_MS * 2 ** (attempt - 1));
      } else {
        return response;
      }
    }
  };
}

/** Connection errors that happen before a byte of the request left: sending it again cannot show anything twice. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

function neverSent(cause: unknown): boolean {
  const code = (cause as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && NOT_SENT_CODES.has(code);
}

function withDeadline(init: FetchRequestInit | undefined, deadlineMs: number): FetchRequestInit {
  const deadline = AbortSignal.timeout(deadlineMs);
  return { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline };
}

/** The size of what an attempt sends: form fields and files (an upload) or a string (Web API form, JSON). */
function bodyBytes(body: FetchRequestInit['body']): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof FormData) {
    let total = 0;
    for (const [, value] of body) total += typeof value === 'string' ? Buffer.byteLength(value) : value.size;
    return total;
  }
  return 0;
}

/** Reads a discarded answer to its end, so its connection can be reused. */
async function drain(response: Awaited<ReturnType<FetchFunction>>): Promise<void> {
  await response.arrayBuffer().catch(() => undefined);
}

function isJson(init: FetchRequestInit | undefined): boolean {
  const type = Object.entries(init?.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  return typeof type === 'string' && type.startsWith('application/json');
}

function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return header !== null && header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_WAIT_MS;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
