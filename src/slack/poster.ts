import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from './blocks.ts';
import type { Clock } from '../schedule/clock.ts';

/** Slack allows about one message per second per channel; scheduled posts keep to that on their own. */
const CHANNEL_SPACING_MS = 1100;

export interface ChannelPoster {
  post(channel: string, message: SlackMessage): Promise<{ readonly ts: string }>;
}

/**
 * Posts scheduled messages one channel at a time with spacing; a 429 is handled by the WebClient, which
 * waits for Retry-After and retries (rejectRateLimitedCalls is off, see webClientOptions).
 */
export function createChannelPoster(client: WebClient, clock: Clock): ChannelPoster {
  const lastPost = new Map<string, number>();
  const queues = new Map<string, Promise<unknown>>();
  return {
    post(channel, message) {
      const previous = queues.get(channel) ?? Promise.resolve();
      const next = previous
        .catch(() => undefined)
        .then(async () => {
          const wait = (lastPost.get(channel) ?? Number.NEGATIVE_INFINITY) + CHANNEL_SPACING_MS - clock.now();
          if (wait > 0) await clock.sleep(wait, new AbortController().signal);
          const posted = await client.chat.postMessage({ channel, text: message.text, blocks: [...message.blocks] });
          lastPost.set(channel, clock.now());
          return { ts: posted.ts ?? '' };
        });
      queues.set(channel, next);
      return next;
    },
  };
}
