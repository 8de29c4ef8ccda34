/**
 * The sandbox's web page and the small JSON API behind it. The page plays the Slack client: what a person types
 * becomes a signed slash command to the bot's `/slack/events`, a click becomes a signed `block_actions` payload,
 * exactly as Slack would send them; what the bot posts is read from the local Slack API's message store and pushed
 * to the page with Server-Sent Events.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import type { ChangeEvent, FakeSlack, StoredMessage } from './slack-api.ts';
import { sendBlockAction, sendSlashCommand, type RequestOrigin, type SlackHttpResponse } from './slack-requests.ts';
import { APPROVERS_GROUP, SANDBOX_CHANNELS, SANDBOX_TEAM, SANDBOX_USERS } from './workspace.ts';

export interface PageServerOptions {
  readonly slack: FakeSlack;
  /** Base URL of the bot's Bolt HTTP receiver. */
  readonly botUrl: string;
  readonly signingSecret: string;
  readonly port: number;
  readonly logger: Logger;
}

export interface PageServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const UI_DIR = new URL('./ui/', import.meta.url);
const UI_TYPES: Readonly<Record<string, string>> = { html: 'text/html', js: 'text/javascript', css: 'text/css', svg: 'image/svg+xml' };
/** Slack's own user id for the messages Slack itself shows (errors of a slash command). */
const SLACKBOT = 'USLACKBOT';
const MAX_JSON_BYTES = 64 * 1024;

const commandBody = z.object({ channel: z.string().min(1), user: z.string().min(1), text: z.string().min(1).max(4000), threadTs: z.string().optional() });
const actionBody = z.object({ channel: z.string().min(1), user: z.string().min(1), messageTs: z.string().min(1), blockId: z.string(), actionId: z.string().min(1) });
/** What an acknowledgement may carry: a message for the person who ran the command. */
const ackBody = z.object({ response_type: z.enum(['ephemeral', 'in_channel']).optional(), text: z.string().optional(), blocks: z.array(z.unknown()).optional() });

interface ButtonLike {
  readonly type?: string;
  readonly action_id?: string;
  readonly value?: string;
  readonly text?: { readonly text?: string };
}

interface BlockLike {
  readonly type?: string;
  readonly block_id?: string;
  readonly elements?: readonly ButtonLike[];
  readonly accessory?: ButtonLike;
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

const userById = (id: string) => SANDBOX_USERS.find((user) => user.id === id);
const channelName = (id: string) => SANDBOX_CHANNELS[id]?.name ?? id.toLowerCase();
const triggerId = () => `${Math.floor(Date.now() / 1000)}.${randomBytes(5).readUInt32BE(0)}.${randomBytes(16).toString('hex')}`;

/** The identity fields Slack puts on every slash command and click from this workspace. */
function origin(user: string, handle: string, channel: string, responseUrl: string): RequestOrigin {
  return { userId: user, userName: handle, channelId: channel, channelName: channelName(channel), teamId: SANDBOX_TEAM.id, teamDomain: SANDBOX_TEAM.domain, triggerId: triggerId(), responseUrl };
}

/** A message as the page renders it; ephemeral ones only reach the person they are for. */
function view(message: StoredMessage, postedAt: number | undefined) {
  return {
    ts: message.ts,
    // The store's ts are deterministic (tests), not clock readings; the page shows when the message arrived.
    postedAt: postedAt ?? null,
    threadTs: message.threadTs ?? null,
    user: message.user,
    text: message.text,
    blocks: message.blocks ?? null,
    attachments: message.attachments ?? null,
    ephemeral: message.ephemeralTo !== undefined,
    edited: message.updates > 0,
    files: message.files.map((file) => ({ ...file, url: `/sandbox/files/${encodeURIComponent(file.id)}` })),
  };
}

function findButton(message: StoredMessage, blockId: string, actionId: string): ButtonLike | undefined {
  for (const block of (message.blocks ?? []) as BlockLike[]) {
    if ((block.block_id ?? '') !== blockId) continue;
    const candidates = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])];
    const found = candidates.find((element) => element.type === 'button' && element.action_id === actionId);
    if (found) return found;
  }
  return undefined;
}

export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const { slack, botUrl, signingSecret, logger } = options;
  const streams = new Set<ServerResponse>();
  const postedAt = new Map<string, number>();
  const onChange = (change: ChangeEvent) => {
    if (change.kind === 'message.posted') postedAt.set(`${change.channel}/${change.ts}`, Date.now());
    for (const stream of streams) stream.write(`data: ${JSON.stringify(change)}\n\n`);
  };
  slack.on('change', onChange);

  /** Slack shows a failed delivery to the person who typed the command, as Slackbot. */
  const slackbotSays = (channel: string, user: string, text: string) => slack.postFromClient({ channel, user: SLACKBOT, text, ephemeralTo: user, via: 'ack' });

  async function runCommand(body: z.output<typeof commandBody>): Promise<{ status: number; error?: string }> {
    const { channel, user, text, threadTs } = body;
    const person = userById(user);
    if (!person || !SANDBOX_CHANNELS[channel]) return { status: 400, error: 'unknown user or channel' };
    if (!text.startsWith('/')) {
      slack.postFromClient({ channel, user, text, ...(threadTs ? { threadTs } : {}), via: 'client' });
      return { status: 200 };
    }
    const command = text.split(/\s+/, 1)[0] ?? '';
    // Slack echoes nothing for a slash command; the sandbox shows the invocation to its author so a demo reads well.
    slack.postFromClient({ channel, user, text: `\`${text}\``, ephemeralTo: user, via: 'client' });
    if (command !== '/mesh') {
      slackbotSays(channel, user, `\`${command}\` is not a valid command. In the sandbox, only \`/mesh\` is installed.`);
      return { status: 200 };
    }
    if (threadTs) {
      slackbotSays(channel, user, 'Slash commands are not supported in threads. Sorry!');
      return { status: 200 };
    }
    let answer: SlackHttpResponse;
    try {
      answer = await sendSlashCommand(botUrl, signingSecret, {
        ...origin(user, person.handle, channel, slack.responseUrl(undefined, { channel, user })),
        text: text.slice(command.length).trim(),
        command,
      });
    } catch (cause) {
      logger.warn({ err: cause }, 'sandbox: the bot did not answer a slash command');
      slackbotSays(channel, user, `\`${command}\` failed with the error "dispatch_failed"`);
      return { status: 502, error: 'the bot did not answer' };
    }
    if (answer.status !== 200) {
      slackbotSays(channel, user, `\`${command}\` failed with the error "http_service_error" (HTTP ${answer.status})`);
      return { status: 502, error: `the bot answered HTTP ${answer.status}` };
    }
    if (answer.body.trim() !== '') {
      let parsed: z.output<typeof ackBody> | undefined;
      try {
        parsed = ackBody.parse(JSON.parse(answer.body));
      } catch {
        // Slack shows a plain-text acknowledgement as it is.
        parsed = { text: answer.body };
      }
      if (parsed.text || parsed.blocks) {
        slack.postFromClient({
          channel,
          user: slack.botUserId,
          text: parsed.text ?? '',
          ...(parsed.blocks ? { blocks: parsed.blocks } : {}),
          ...(parsed.response_type === 'in_channel' ? {} : { ephemeralTo: user }),
          via: 'ack',
        });
      }
    }
    return { status: 200 };
  }

  async function click(body: z.output<typeof actionBody>): Promise<{ status: number; error?: string }> {
    const { channel, user, messageTs, blockId, actionId } = body;
    const person = userById(user);
    const message = slack.message(channel, messageTs);
    if (!person || !message || (message.ephemeralTo !== undefined && message.ephemeralTo !== user)) return { status: 404, error: 'no such message' };
    // The button is taken from the stored message, as Slack does: the page only says which one was clicked.
    const button = findButton(message, blockId, actionId);
    if (!button) return { status: 404, error: 'no such button' };
    const answer = await sendBlockAction(botUrl, signingSecret, {
      ...origin(user, person.handle, channel, slack.responseUrl(undefined, { channel, user, messageTs })),
      actionId,
      blockId,
      value: button.value ?? '',
      buttonText: button.text?.text ?? actionId,
      messageTs,
      isEphemeral: message.ephemeralTo !== undefined,
      message: { text: message.text, user: message.user, blocks: message.blocks ?? [], ...(message.threadTs ? { thread_ts: message.threadTs } : {}) },
    });
    if (answer.status !== 200) {
      slackbotSays(channel, user, `The bot did not accept the click (HTTP ${answer.status}).`);
      return { status: 502, error: `the bot answered HTTP ${answer.status}` };
    }
    return { status: 200 };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) return serveUi(res, 'index.html');
    if (req.method === 'GET' && path === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    const asset = /^\/ui\/([a-z][a-z0-9-]*\.(?:js|css|svg))$/.exec(path)?.[1];
    if (req.method === 'GET' && asset) return serveUi(res, asset);
    if (req.method === 'GET' && path === '/sandbox/workspace') {
      return sendJson(res, 200, {
        team: SANDBOX_TEAM,
        bot: { id: slack.botUserId, name: 'mesh-bot' },
        users: [...SANDBOX_USERS, { id: SLACKBOT, handle: 'slackbot', name: 'Slackbot', roles: [] }],
        channels: Object.entries(SANDBOX_CHANNELS).map(([id, channel]) => ({ id, name: channel.name })),
        usergroups: [{ id: APPROVERS_GROUP.id, handle: APPROVERS_GROUP.handle }],
      });
    }
    if (req.method === 'GET' && path === '/sandbox/messages') {
      const user = url.searchParams.get('user') ?? '';
      const channels: Record<string, ReturnType<typeof view>[]> = {};
      for (const id of Object.keys(SANDBOX_CHANNELS)) {
        channels[id] = slack.messages(id).filter((message) => message.ephemeralTo === undefined || message.ephemeralTo === user).map((message) => view(message, postedAt.get(`${id}/${message.ts}`)));
      }
      return sendJson(res, 200, { channels });
    }
    if (req.method === 'GET' && path === '/sandbox/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    const fileId = /^\/sandbox\/files\/([A-Z0-9]+)$/.exec(path)?.[1];
    if (req.method === 'GET' && fileId) {
      const file = slack.file(fileId);
      if (!file?.content) return send(res, 404, 'text/plain', 'no such file\n');
      const filename = file.filename.replace(/[^\w.-]/g, '_');
      return send(res, 200, 'application/octet-stream', file.content, { 'content-disposition': `attachment; filename="${filename}"` });
    }
    if (req.method === 'POST' && (path === '/sandbox/command' || path === '/sandbox/action')) {
      let raw: unknown;
      try {
        raw = await readJson(req);
      } catch {
        return sendJson(res, 400, { ok: false, error: 'invalid JSON' });
      }
      const outcome = path === '/sandbox/command' ? await parsedThen(commandBody, raw, runCommand) : await parsedThen(actionBody, raw, click);
      return sendJson(res, outcome.status, { ok: outcome.status === 200, ...(outcome.error ? { error: outcome.error } : {}) });
    }
    send(res, 404, 'text/plain', 'not found\n');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((cause: unknown) => {
      logger.error({ err: cause }, 'sandbox page server error');
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'sandbox error; see the log' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: anyone who can open the page can act as the approver.
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        slack.off('change', onChange);
        for (const stream of streams) stream.end();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function parsedThen<S extends z.ZodType, R>(schema: S, raw: unknown, then: (body: z.output<S>) => Promise<R>): Promise<R | { status: number; error: string }> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { status: 400, error: parsed.error.issues[0]?.message ?? 'invalid request' };
  return then(parsed.data);
}

async function serveUi(res: ServerResponse, name: string): Promise<void> {
  const type = UI_TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream';
  try {
    send(res, 200, `${type}; charset=utf-8`, await readFile(new URL(name, UI_DIR)));
  } catch {
    send(res, 404, 'text/plain', 'not found\n');
  }
}
