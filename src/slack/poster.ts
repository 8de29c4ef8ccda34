import { ErrorCode, type WebClient } from '@slack/web-api';
import type { SlackMessage } from './blocks.ts';
import type { Clock } from '../schedule/clock.ts';
import type { RunFence } from '../schedule/scheduler.ts';

/** Slack allows about one message per second per channel; scheduled posts keep to that on their own. */
const CHANNEL_SPACING_MS = 1100;

export interface ChannelPoster {
  /** Posts through `fence`: the message goes out only while the run still holds its claim. */
  post(channel: string, message: SlackMessage, fence: RunFence): Promise<{ readonly ts: string }>;
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
export function createChannelPoster(client: WebClient, clock: Clock): ChannelPoster {
  const lastPost = new Map<string, number>();
  const queues = new Map<string, Promise<unknown>>();
  return {
    post(channel, message, fence) {
      const previous = queues.get(channel) ?? Promise.resolve();
      const next = previous
        .catch(() => undefined)
        .then(async () => {
          for (let limited = 0; ; limited += 1) {
            const wait = (lastPost.get(channel) ?? Number.NEGATIVE_INFINITY) + CHANNEL_SPACING_MS - clock.now();
            if (wait > 0) await clock.sleep(wait, fence.signal);
            try {
              const posted = await fence.commit(() => client.chat.postMessage({ channel, text: message.text, blocks: [...message.blocks] }));
              lastPost.set(channel, clock.now());
              return { ts: posted.ts ?? '' };
            } catch (error) {
              const seconds = retryAfterSeconds(error);
              if (seconds === undefined || limited + 1 >= MAX_RATE_LIMITED) throw error;
              await clock.sleep(seconds * 1000, fence.signal);
            }
          }
        });
      queues.set(channel, next);
      return next;
    },
  };
}
