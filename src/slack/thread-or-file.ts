import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.ts';
import { escapeMrkdwn, section } from './blocks.ts';
import { postSafely } from './context.ts';

/** A thread reply holds a few thousand characters comfortably; longer lists go into a file. */
const THREAD_LIMIT_CHARS = 9000;

export interface LongList {
  readonly channel: string;
  readonly threadTs: string | undefined;
  /** One line: the reply's text, the file's title. */
  readonly title: string;
  readonly text: string;
  readonly filename: string;
}

/**
 * Posts a long plain-text list under a message: as a thread reply when it fits, else as an uploaded file. The list
 * is istioctl and Kubernetes text: escaped for the thread (Slack parses `<…>` even inside code blocks), uploaded
 * as is (files are not parsed).
 */
export function postListUnder(client: WebClient, logger: Logger, list: LongList): Promise<boolean> {
  const title = escapeMrkdwn(list.title);
  if (list.text.length <= THREAD_LIMIT_CHARS) {
    const blocks = chunkLines(escapeMrkdwn(list.text), 2900).map((chunk) => section(`\`\`\`${chunk}\`\`\``));
    return postSafely(logger, () => client.chat.postMessage({ channel: list.channel, thread_ts: list.threadTs, text: title, blocks }), list.filename);
  }
  return postSafely(
    logger,
    () =>
      client.files.uploadV2({
        ...fileDestination(list.channel, list.threadTs),
        content: list.text,
        filename: list.filename,
        title: list.title,
        initial_comment: `${title}: full list attached.`,
      }),
    list.filename,
  );
}

/** files.uploadV2 types a thread reply and a channel post as two shapes; pick the right one. */
export function fileDestination(channel: string, threadTs: string | undefined): { channel_id: string; thread_ts: string } | { channel_id: string } {
  return threadTs ? { channel_id: channel, thread_ts: threadTs } : { channel_id: channel };
}

/** Splits text on line boundaries into pieces of at most `max` characters (a single longer line is cut). */
export function chunkLines(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const piece = line.length > max ? line.slice(0, max) : line;
    if (current.length + piece.length + 1 > max && current !== '') {
      chunks.push(current);
      current = '';
    }
    current = current === '' ? piece : `${current}\n${piece}`;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

export const CANNOT_POST = ':warning: mesh-bot could not post in this channel. Invite it (`/invite @mesh-bot`) and click again.';
