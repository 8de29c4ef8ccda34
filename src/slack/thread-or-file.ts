import type { WebClient } from '@slack/web-api';
import { escapeMrkdwn, section } from './blocks.ts';
import type { ListenerContext } from './context.ts';
import { notInChannel, slackErrorCode, unconfirmed } from './errors.ts';
import type { SlackRedaction } from './outgoing.ts';

/** A thread reply holds a few thousand characters comfortably; longer lists go into a file. */
const THREAD_LIMIT_CHARS = 9000;

/** Detail too long for a message, posted under it: what `postListUnder` and a poster's `reply` take. */
export interface ThreadDetail {
  /** One line: the reply's text, the file's title. */
  readonly title: string;
  readonly text: string;
  readonly filename: string;
}

export interface LongList extends ThreadDetail {
  readonly channel: string;
  readonly threadTs: string | undefined;
}

/**
 * Posts a long plain-text list under a message: as a thread reply when it fits, else as an uploaded file. The list
 * is istioctl and Kubernetes text: escaped for the thread (Slack parses `<…>` even inside code blocks), uploaded
 * as is (files are not parsed). Slack's refusal rejects.
 */
export function sendListUnder(client: WebClient, outgoing: SlackRedaction | undefined, list: LongList): Promise<unknown> {
  const title = escapeMrkdwn(list.title);
  if (list.text.length <= THREAD_LIMIT_CHARS) {
    const blocks = chunkLines(escapeMrkdwn(list.text), 2900).map((chunk) => section(`\`\`\`${chunk}\`\`\``));
    return client.chat.postMessage({ channel: list.channel, thread_ts: list.threadTs, text: title, blocks });
  }
  return uploadFile(client, { outgoing }, { channel: list.channel, threadTs: list.threadTs, content: list.text, filename: list.filename, title: list.title, comment: `${title}: full list attached.` });
}

/** What a listener's post under a message came to: null once posted, else Slack's failure (logged here). */
export type PostFailure = { readonly cause: unknown } | null;

/** A post for a listener: never rejects; a failure is logged and handed back for cannotPost(). */
export function attemptPost(ctx: Pick<ListenerContext, 'logger'>, call: () => Promise<unknown>, what: string): Promise<PostFailure> {
  return call().then(
    () => null,
    (cause: unknown) => {
      ctx.logger.warn({ err: cause, what }, 'Slack call failed');
      return { cause };
    },
  );
}

/** sendListUnder for a listener: never rejects (see attemptPost). */
export function postListUnder(client: WebClient, ctx: Pick<ListenerContext, 'logger' | 'outgoing'>, list: LongList): Promise<PostFailure> {
  return attemptPost(ctx, () => sendListUnder(client, ctx.outgoing, list), list.filename);
}

export interface TextFile {
  readonly channel: string;
  /** The message the file is shared under, if any. */
  readonly threadTs: string | undefined;
  readonly content: string;
  readonly filename: string;
  readonly title: string;
  /** mrkdwn, escaped by the caller. */
  readonly comment: string;
}

/**
 * Uploads a text file with files.uploadV2. Its content is redacted here, before its length is declared to Slack
 * (files.getUploadURLExternal); every other field, like every other request, is redacted on its way out.
 */
export function uploadFile(client: WebClient, ctx: Pick<ListenerContext, 'outgoing'>, file: TextFile): Promise<unknown> {
  // files.uploadV2 types a thread reply and a channel post as two shapes.
  const destination = file.threadTs ? { channel_id: file.channel, thread_ts: file.threadTs } : { channel_id: file.channel };
  return client.files.uploadV2({
    ...destination,
    content: ctx.outgoing?.text(file.content) ?? file.content,
    filename: file.filename,
    title: file.title,
    initial_comment: file.comment,
  });
}

/**
 * Splits text on line boundaries into pieces of at most `max` characters. A single longer line (an analyze message,
 * a long annotation) goes on in the next piece: the thread promises every list in full, so nothing is cut. The text
 * is escaped mrkdwn, so a line is never split inside an entity (`&amp;`, `&lt;`, `&gt;`).
 */
export function chunkLines(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of text.split('\n').flatMap((whole) => piecesOf(whole, max))) {
    if (current.length + line.length + 1 > max && current !== '') {
      chunks.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

function piecesOf(line: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const entity = rest.lastIndexOf('&', max - 1);
    const end = entity > 0 && rest.indexOf(';', entity) >= max && rest.indexOf(';', entity) - entity < 6 ? entity : max;
    pieces.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  return [...pieces, rest];
}

/** What the clicker is told when the list or file could not be posted under the message: Slack's reason, and what to do. */
export function cannotPost(failure: { readonly cause: unknown }): string {
  const { cause } = failure;
  if (notInChannel(cause)) return ':warning: mesh-bot could not post in this channel. Invite it (`/invite @mesh-bot`) and click again.';
  const lost = unconfirmed(cause);
  if (lost !== null) return `:warning: Slack did not confirm the post (${lost}): look in the thread before you click again.`;
  return `:warning: mesh-bot could not post in this thread: Slack answered \`${slackErrorCode(cause)}\`. Click again in a moment, and tell the bot's owners if it repeats.`;
}
