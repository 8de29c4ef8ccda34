import { ErrorCode, type WebClient } from '@slack/web-api';
import type { SlackMessage } from './blocks.ts';
import type { SlackRedaction } from './outgoing.ts';
import { sendListUnder, type ThreadDetail } from './thread-or-file.ts';
import type { Clock } from '../schedule/clock.ts';
import type { RunFence } from '../schedule/scheduler.ts';

/** Slack allows about one message per second per channel; scheduled posts keep to that on their own. */
const CHANNEL_SPACING_MS = 1100;

export interface ChannelPoster {
  /** Posts through `fence`: the message goes out only while the run still holds its claim. */
  post(channel: string, message: SlackMessage, fence: RunFence): Promise<{ readonly ts: string }>;
  /** Posts detail under the message `threadTs` (a thread reply, or a file when long), through `fence` as well, at once. */
  reply(channel: string, threadTs: string, detail: ThreadDetail, fence: RunFence): Promise<void>;
}

/** Rate-limited answers in a row after which the post fails (the scheduler retries the fire later). */
const MAX_RATE_LIMITED = 5;

function retryAfterSeconds(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, retryAfter } = error as { code?: unknown; retryAfter?: unknown };
  return code === ErrorCode.RateLimitedError && typeof retryAfter === 'number' ? retryAfter : undefined;
}

/**
 * Posts scheduled messages one channel at a time with spacing. The client must reject rate-limited calls
 * (scheduledPostOptions): a 429's Retry-After is waited out here, outside the fence, and the post goes through the
 * fence again — so a replica that lost its claim while it waited (the next leader may post meanwhile) does not post.
 */
export function createChannelPoster(client: WebClient, clock: Clock, outgoing?: SlackRedaction): ChannelPoster {
  const lastPost = new Map<string, number>();
  const queues = new Map<string, Promise<unknown>>();
  /**
   * One call in the channel's queue; `paced`: spaced from the last one, its rate limits waited out and retried.
   * Unpaced is one attempt at once.
   */
  function send<T>(channel: string, call: () => Promise<T>, fence: RunFence, paced: boolean): Promise<T> {
    const previous = queues.get(channel) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        for (let limited = 0; ; limited += 1) {
          const wait = (lastPost.get(channel) ?? Number.NEGATIVE_INFINITY) + CHANNEL_SPACING_MS - clock.now();
          if (paced && wait > 0) await clock.sleep(wait, fence.signal);
          try {
            const result = await fence.commit(call);
            lastPost.set(channel, clock.now());
            return result;
          } catch (error) {
            const seconds = retryAfterSeconds(error);
            if (!paced || seconds === undefined || limited + 1 >= MAX_RATE_LIMITED) throw error;
            await clock.sleep(seconds * 1000, fence.signal);
          }
        }
      });
    queues.set(channel, next);
    return next;
  }
  return {
    async post(channel, message, fence) {
      const posted = await send(channel, () => client.chat.postMessage({ channel, text: message.text, blocks: [...message.blocks] }), fence, true);
      return { ts: posted.ts ?? '' };
    },
    // Unpaced: the reply belongs to the message just posted, and waiting out the spacing (or a rate limit) would keep
    // the fire open after its digest is in the channel — a leader handing over meanwhile leaves it unfinished. A
    // thread Slack does not take at once is the caller's to report.
    async reply(channel, threadTs, detail, fence) {
      await send(channel, () => sendListUnder(client, outgoing, { channel, threadTs, ...detail }), fence, false);
    },
  };
}
