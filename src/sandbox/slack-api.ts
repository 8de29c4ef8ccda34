/**
 * A local stand-in for the parts of Slack that mesh-bot talks to, used by the sandbox (src/sandbox/sandbox.ts) and
 * the tests: the Web API (`POST /api/{method}`), the external file-upload URL of `files.uploadV2`, and
 * `response_url` webhooks.
 *
 * Point the bot at it with `SLACK_API_URL = fake.apiUrl` (@slack/web-api joins `${slackApiUrl}${method}`,
 * so the URL ends with `/api/`). Every call is recorded, and a small message store per channel keeps what a
 * Slack client would show (posted messages, in-place updates, thread replies, ephemeral messages, files), so
 * tests can assert on the visible outcome and a local sandbox page can render it.
 *
 * Self-contained on purpose (only node: modules), and it listens on 127.0.0.1 only.
 */
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What is known about the token of a call. The token itself is never stored. */
export interface TokenInfo {
  present: boolean;
  /** Type prefix such as `xoxb-`, `xoxp-`, `xapp-`; undefined when absent or not Slack-shaped. */
  prefix: string | undefined;
}

export interface RecordedCall {
  method: string;
  /** Arguments as the bot meant them: JSON-encoded form fields (`blocks`, …) parsed back; `token` removed. */
  args: Record<string, unknown>;
  token: TokenInfo;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  /** HTTP status the fake answered with (200, or 429 for an injected rate limit). */
  status: number;
  /** The `error` of an `ok: false` answer, undefined when the call succeeded. */
  error: string | undefined;
}

export interface FileRef {
  id: string;
  name: string;
  title: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  /** Set on thread replies: the parent's ts. */
  threadTs: string | undefined;
  text: string;
  blocks: unknown[] | undefined;
  attachments: unknown[] | undefined;
  /** Author: the bot's user id for everything the bot sends. */
  user: string;
  /** Set on ephemeral messages: the only user who sees it. */
  ephemeralTo: string | undefined;
  files: FileRef[];
  /**
   * How it arrived: a Web API call, a response_url post, the HTTP answer to a slash command (Slack shows a
   * non-empty acknowledgement), or a person typing in a client (see {@link FakeSlack.postFromClient}).
   */
  via: 'api' | 'response_url' | 'ack' | 'client';
  /** How many times the message was changed in place (chat.update or replace_original). */
  updates: number;
}

export interface StoredFile {
  id: string;
  filename: string;
  /** Declared by files.getUploadURLExternal; `content.length` is what actually arrived. */
  length: number;
  altText: string | undefined;
  snippetType: string | undefined;
  /** The uploaded bytes; undefined until the upload URL received them. */
  content: Buffer | undefined;
  /** Set by files.completeUploadExternal. */
  completed: boolean;
  title: string | undefined;
  channel: string | undefined;
  threadTs: string | undefined;
  initialComment: string | undefined;
  /** ts of the channel message that shares the file, when completed with a channel. */
  messageTs: string | undefined;
}

/** Where a response_url belongs, so that posts to it can be shown in the right place. */
export interface ResponseUrlContext {
  channel?: string;
  /** Who sees ephemeral responses (the user who ran the command or clicked). */
  user?: string;
  /** The message a `replace_original` / `delete_original` refers to (the clicked card). */
  messageTs?: string;
}

export interface RecordedResponse {
  id: string;
  body: Record<string, unknown>;
  at: number;
  status: number;
  /** The message the post created or changed, when it could be applied to the store. */
  applied: { channel: string; ts: string } | undefined;
}

export type ChangeEvent =
  | { kind: 'message.posted' | 'message.updated' | 'message.deleted'; channel: string; ts: string }
  | { kind: 'file.uploaded' | 'file.completed'; fileId: string };

export interface FakeSlackEvents {
  call: [RecordedCall];
  response: [RecordedResponse];
  change: [ChangeEvent];
}

export interface ChannelInfo {
  name: string;
  isPrivate?: boolean;
}

export interface FakeSlackOptions {
  /** Default 0 (an ephemeral port). The fake always listens on 127.0.0.1 only. */
  port?: number;
  teamId?: string;
  teamName?: string;
  botUserId?: string;
  botId?: string;
  /** usergroup id → member user ids, answered by usergroups.users.list. */
  usergroups?: Record<string, readonly string[]>;
  /** `free` makes usergroups.users.list answer `plan_upgrade_required`, as on a free workspace. Default `paid`. */
  plan?: 'free' | 'paid';
  /** Known channels. When given, other channel ids answer `channel_not_found`; when absent every id exists. */
  channels?: Record<string, ChannelInfo>;
  /** Uses allowed per response_url (Slack documents 5); later posts are refused. */
  responseUrlMaxUses?: number;
}

export interface WaitForOptions {
  timeoutMs?: number;
}

type Injection =
  | { kind: 'ratelimit'; retryAfterSeconds: number; remaining: number }
  | { kind: 'error'; error: string; remaining: number };

type Args = Record<string, unknown>;
type ApiResult = Record<string, unknown> & { ok: boolean };

interface ResponseUrlState {
  context: ResponseUrlContext;
  uses: number;
  /** ts of the last message posted through this URL: what a later replace_original replaces. */
  lastTs: string | undefined;
}

/** Web API form fields that @slack/web-api JSON-encodes because their values are objects or arrays. */
const JSON_FORM_FIELDS = new Set(['blocks', 'attachments', 'files', 'metadata', 'user_auth_blocks', 'unfurls']);

/** Generous, but bounded: the fake must not buffer unbounded request bodies. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Timestamps start at a fixed, realistic epoch second so that test output is stable across runs. */
const TS_EPOCH_SECONDS = 1731000000;
const TS_STEP_MICROS = 100;

const ok = (fields: Record<string, unknown> = {}): ApiResult => ({ ok: true, ...fields });
const fail = (error: string): ApiResult => ({ ok: false, error });

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function nonEmpty(value: unknown): string | undefined {
  const s = str(value);
  return s === undefined || s === '' ? undefined : s;
}

function arrayOrUndefined(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tokenInfo(token: string | undefined): TokenInfo {
  if (token === undefined || token === '') return { present: false, prefix: undefined };
  const match = /^(xox[a-z]|xapp)-/.exec(token);
  return { present: true, prefix: match?.[0] };
}

export class FakeSlack extends EventEmitter<FakeSlackEvents> {
  readonly baseUrl: string;
  /** Give this to WebClient's `slackApiUrl` / `SLACK_API_URL`. */
  readonly apiUrl: string;
  readonly teamId: string;
  readonly teamName: string;
  readonly botUserId: string;
  readonly botId: string;

  readonly #server: Server;
  readonly #plan: 'free' | 'paid';
  readonly #channels: Record<string, ChannelInfo> | undefined;
  readonly #responseUrlMaxUses: number;
  readonly #usergroups = new Map<string, readonly string[]>();
  #calls: RecordedCall[] = [];
  #responses: RecordedResponse[] = [];
  #messages = new Map<string, StoredMessage[]>();
  #files = new Map<string, StoredFile>();
  #injections = new Map<string, Injection[]>();
  #responseUrls = new Map<string, ResponseUrlState>();
  #tsSeq = 0;
  #fileSeq = 0;
  #responseSeq = 0;

  /** Use {@link startFakeSlack}; the constructor only wraps an already listening server. */
  constructor(server: Server, options: FakeSlackOptions) {
    super();
    // Every pending waitFor listens for a moment; twenty people typing at once are twenty waiters, not a leak.
    this.setMaxListeners(100);
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
    this.teamId = options.teamId ?? 'T0MESHBOT';
    this.teamName = options.teamName ?? 'mesh-bot sandbox';
    this.botUserId = options.botUserId ?? 'U0MESHBOT';
    this.botId = options.botId ?? 'B0MESHBOT';
    this.#plan = options.plan ?? 'paid';
    this.#channels = options.channels;
    this.#responseUrlMaxUses = options.responseUrlMaxUses ?? 5;
    for (const [group, users] of Object.entries(options.usergroups ?? {})) this.#usergroups.set(group, [...users]);
    server.on('request', (req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        // A bug in the fake must surface in the test as a failed request, not as a hung one.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(error instanceof Error ? error.message : String(error));
      });
    });
  }

  // ---- recorded state ------------------------------------------------------------------------------------

  get calls(): readonly RecordedCall[] {
    return this.#calls;
  }

  callsTo(method: string): RecordedCall[] {
    return this.#calls.filter((call) => call.method === method);
  }

  get responses(): readonly RecordedResponse[] {
    return this.#responses;
  }

  /** Channel ids that hold at least one message, in order of first activity. */
  channelIds(): string[] {
    return [...this.#messages.keys()];
  }

  /** Every message of a channel (thread replies and ephemeral messages included), oldest first. */
  messages(channel: string): readonly StoredMessage[] {
    return this.#messages.get(channel) ?? [];
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.messages(channel).find((m) => m.ts === ts);
  }

  threadReplies(channel: string, threadTs: string): StoredMessage[] {
    return this.messages(channel).filter((m) => m.threadTs === threadTs && m.ts !== threadTs);
  }

  get files(): readonly StoredFile[] {
    return [...this.#files.values()];
  }

  file(id: string): StoredFile | undefined {
    return this.#files.get(id);
  }

  /**
   * What a Slack client adds to a channel itself rather than through the bot: a message a person typed, or the
   * acknowledgement body of a slash command (shown to the invoking user unless `response_type` is `in_channel`).
   */
  postFromClient(fields: { channel: string; user: string; text: string; blocks?: unknown[]; threadTs?: string; ephemeralTo?: string; via: 'ack' | 'client' }): StoredMessage {
    return this.#post(
      { channel: fields.channel, threadTs: fields.threadTs, text: fields.text, blocks: fields.blocks, attachments: undefined, ephemeralTo: fields.ephemeralTo, files: [], via: fields.via },
      fields.user,
    );
  }

  // ---- configuration at run time ---------------------------------------------------------------------------

  setUsergroupMembers(usergroup: string, users: readonly string[]): void {
    this.#usergroups.set(usergroup, [...users]);
  }

  /** The next `times` calls of `method` answer HTTP 429 with `Retry-After` and `{ok:false,error:'ratelimited'}`. */
  rateLimitNext(method: string, { retryAfterSeconds = 1, times = 1 }: { retryAfterSeconds?: number; times?: number } = {}): void {
    this.#inject(method, { kind: 'ratelimit', retryAfterSeconds, remaining: times });
  }

  /** The next `times` calls of `method` answer `{ok:false, error}` (HTTP 200, as Slack does). */
  failNext(method: string, error: string, times = 1): void {
    this.#inject(method, { kind: 'error', error, remaining: times });
  }

  /**
   * A URL on this server that stands in for a slash command's or a click's `response_url`. The context says
   * where posts to it are shown; without a channel they are recorded in `responses` but not stored as messages.
   */
  responseUrl(id?: string, context: ResponseUrlContext = {}): string {
    const key = id ?? `resp-${++this.#responseSeq}`;
    this.#responseUrls.set(key, { context, uses: 0, lastTs: undefined });
    return `${this.baseUrl}/response/${encodeURIComponent(key)}`;
  }

  /** Forgets calls, responses, messages, files, injections and response URLs; keeps options and usergroups. */
  reset(): void {
    this.#calls = [];
    this.#responses = [];
    this.#messages = new Map();
    this.#files = new Map();
    this.#injections = new Map();
    this.#responseUrls = new Map();
  }

  /**
   * Resolves with the first value the predicate returns other than undefined/null/false, re-checking after
   * every call, response and change. On timeout it rejects with the methods called so far, which is usually
   * what explains why the awaited thing never happened.
   */
  waitFor<T>(predicate: (fake: FakeSlack) => T | undefined | null | false, { timeoutMs = 5000 }: WaitForOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        let value: T | undefined | null | false;
        try {
          value = predicate(this);
        } catch (error) {
          finish();
          reject(error);
          return true;
        }
        if (value === undefined || value === null || value === false) return false;
        finish();
        resolve(value);
        return true;
      };
      const onEvent = (): void => {
        check();
      };
      const timer = setTimeout(() => {
        finish();
        const seen = this.#calls.map((c) => c.method).join(', ') || 'none';
        reject(new Error(`fake Slack: waitFor timed out after ${timeoutMs} ms; calls seen: ${seen}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.off('call', onEvent);
        this.off('response', onEvent);
        this.off('change', onEvent);
      };
      if (check()) return;
      this.on('call', onEvent);
      this.on('response', onEvent);
      this.on('change', onEvent);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.close((error) => (error ? reject(error) : resolve()));
      // fetch keeps connections alive; without this close() would wait for their idle timeout.
      this.#server.closeAllConnections();
    });
  }

  // ---- HTTP ------------------------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const [, section, rawName, ...rest] = url.pathname.split('/');
    const name = rawName === undefined ? undefined : decodeURIComponent(rawName);
    if (name === undefined || name === '' || rest.length > 0) return sendText(res, 404, 'not found');
    const body = await readBody(req);
    if (body === undefined) return sendText(res, 413, 'request body too large');

    if (section === 'api' && (req.method === 'POST' || req.method === 'GET')) {
      return this.#handleApi(name, req, url, body, res);
    }
    if (section === 'upload' && req.method === 'POST') return this.#handleUpload(name, req, body, res);
    if (section === 'response' && req.method === 'POST') return this.#handleResponse(name, body, res);
    return sendText(res, 404, 'not found');
  }

  async #handleApi(method: string, req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const parsed = await parseArgs(req, url, body);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const { token: bodyToken, ...args } = parsed.args;
    const token = tokenInfo(bearer ?? str(bodyToken));

    let status = 200;
    const headers: Record<string, string> = {};
    let result: ApiResult;
    const injection = this.#takeInjection(method);
    if (injection?.kind === 'ratelimit') {
      status = 429;
      headers['retry-after'] = String(injection.retryAfterSeconds);
      result = fail('ratelimited');
    } else if (injection?.kind === 'error') {
      result = fail(injection.error);
    } else if (parsed.error !== undefined) {
      result = fail(parsed.error);
    } else {
      result = this.#dispatch(method, args, token);
    }

    const call: RecordedCall = {
      method,
      args,
      token,
      at,
      status,
      error: result.ok ? undefined : str(result.error),
    };
    // Recorded before answering, so a client that got its answer always finds its call in `calls`.
    this.#calls.push(call);
    this.emit('call', call);
    sendJson(res, status, result, headers);
  }

  #dispatch(method: string, args: Args, token: TokenInfo): ApiResult {
    // hasOwn: a method name like `toString` must not reach Object.prototype.
    const handler = Object.hasOwn(this.#methods, method) ? this.#methods[method] : undefined;
    if (handler === undefined) return fail('unknown_method');
    if (!token.present) return fail('not_authed');
    return handler(args);
  }

  /** Method table; each handler gets the parsed arguments and answers like Slack does for this bot's use. */
  readonly #methods: Record<string, ((args: Args) => ApiResult) | undefined> = {
    'auth.test': () =>
      ok({
        url: `${this.baseUrl}/`,
        team: this.teamName,
        user: 'mesh-bot',
        team_id: this.teamId,
        user_id: this.botUserId,
        bot_id: this.botId,
        is_enterprise_install: false,
      }),

    'chat.postMessage': (args) => {
      const channel = nonEmpty(args.channel);
      if (channel === undefined || !this.#channelExists(channel)) return fail('channel_not_found');
      const content = messageContent(args);
      if (content === undefined) return fail('no_text');
      const threadTs = nonEmpty(args.thread_ts);
      const message = this.#post({ channel, threadTs, ...content, ephemeralTo: undefined, files: [], via: 'api' });
      return ok({ channel, ts: message.ts, message: this.#slackMessage(message) });
    },

    'chat.postEphemeral': (args) => {
      const channel = nonEmpty(args.channel);
      if (channel === undefined || !this.#channelExists(channel)) return fail('channel_not_found');
      const user = nonEmpty(args.user);
      if (user === undefined) return fail('user_not_in_channel');
      const content = messageContent(args);
      if (content === undefined) return fail('no_text');
      const threadTs = nonEmpty(args.thread_ts);
      const message = this.#post({ channel, threadTs, ...content, ephemeralTo: user, files: [], via: 'api' });
      return ok({ message_ts: message.ts });
    },

    'chat.update': (args) => {
      const channel = nonEmpty(args.channel);
      if (channel === undefined || !this.#channelExists(channel)) return fail('channel_not_found');
      const ts = nonEmpty(args.ts);
      const message = ts === undefined ? undefined : this.message(channel, ts);
      // Ephemeral messages cannot be updated through the Web API, only through their response_url.
      if (message === undefined || message.ephemeralTo !== undefined) return fail('message_not_found');
      const content = messageContent(args);
      if (content === undefined) return fail('no_text');
      this.#update(message, content);
      return ok({ channel, ts: message.ts, text: message.text, message: this.#slackMessage(message) });
    },

    'chat.getPermalink': (args) => {
      const channel = nonEmpty(args.channel);
      if (channel === undefined || !this.#channelExists(channel)) return fail('channel_not_found');
      const ts = nonEmpty(args.message_ts);
      if (ts === undefined || this.message(channel, ts) === undefined) return fail('message_not_found');
      return ok({ channel, permalink: `${this.baseUrl}/archives/${channel}/p${ts.replace('.', '')}` });
    },

    'conversations.info': (args) => {
      const channel = nonEmpty(args.channel);
      if (channel === undefined || !this.#channelExists(channel)) return fail('channel_not_found');
      const info = this.#channels?.[channel];
      return ok({
        channel: {
          id: channel,
          name: info?.name ?? channel.toLowerCase(),
          is_channel: true,
          is_private: info?.isPrivate ?? false,
          is_archived: false,
          is_member: true,
        },
      });
    },

    'usergroups.users.list': (args) => {
      if (this.#plan === 'free') return fail('plan_upgrade_required');
      const group = nonEmpty(args.usergroup);
      if (group === undefined) return fail('invalid_arguments');
      const users = this.#usergroups.get(group);
      if (users === undefined) return fail('no_such_subteam');
      return ok({ users: [...users] });
    },

    'files.getUploadURLExternal': (args) => {
      const filename = nonEmpty(args.filename);
      const length = Number(args.length);
      if (filename === undefined || !Number.isInteger(length) || length < 0) return fail('invalid_arguments');
      const id = `F${String(++this.#fileSeq).padStart(10, '0')}`;
      this.#files.set(id, {
        id,
        filename,
        length,
        altText: nonEmpty(args.alt_text),
        snippetType: nonEmpty(args.snippet_type),
        content: undefined,
        completed: false,
        title: undefined,
        channel: undefined,
        threadTs: undefined,
        initialComment: undefined,
        messageTs: undefined,
      });
      return ok({ upload_url: `${this.baseUrl}/upload/${id}`, file_id: id });
    },

    'files.completeUploadExternal': (args) => {
      const entries = Array.isArray(args.files) ? args.files : undefined;
      if (entries === undefined || entries.length === 0) return fail('invalid_arguments');
      const channel = nonEmpty(args.channel_id);
      if (channel !== undefined && !this.#channelExists(channel)) return fail('channel_not_found');
      const files: StoredFile[] = [];
      for (const entry of entries) {
        const id = isRecord(entry) ? nonEmpty(entry.id) : undefined;
        const file = id === undefined ? undefined : this.#files.get(id);
        // Stricter than documented Slack on purpose: completing a file whose bytes never arrived is a bot bug.
        if (file === undefined || file.content === undefined) return fail('file_not_found');
        file.title = (isRecord(entry) ? nonEmpty(entry.title) : undefined) ?? file.filename;
        files.push(file);
      }
      const threadTs = nonEmpty(args.thread_ts);
      const initialComment = nonEmpty(args.initial_comment);
      let messageTs: string | undefined;
      if (channel !== undefined) {
        const refs = files.map((f) => ({ id: f.id, name: f.filename, title: f.title ?? f.filename }));
        const blocks = arrayOrUndefined(args.blocks);
        const message = this.#post({
          channel,
          threadTs,
          text: initialComment ?? '',
          blocks,
          attachments: undefined,
          ephemeralTo: undefined,
          files: refs,
          via: 'api',
        });
        messageTs = message.ts;
      }
      for (const file of files) {
        Object.assign(file, { completed: true, channel, threadTs, initialComment, messageTs });
        this.emit('change', { kind: 'file.completed', fileId: file.id });
      }
      return ok({ files: files.map((f) => this.#slackFile(f)) });
    },
  };

  /** The external upload URL: files.uploadV2 posts the bytes here as multipart/form-data; raw bodies work too. */
  async #handleUpload(id: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const file = this.#files.get(id);
    if (file === undefined) return sendText(res, 404, 'upload url not found');
    const contentType = req.headers['content-type'] ?? '';
    let content = body;
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Request(this.baseUrl, { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
      const part = [...form.values()].find((value) => typeof value !== 'string');
      if (part === undefined) return sendText(res, 400, 'no file part');
      content = Buffer.from(await part.arrayBuffer());
    }
    file.content = content;
    this.emit('change', { kind: 'file.uploaded', fileId: id });
    sendText(res, 200, `OK - ${content.length}`);
  }

  #handleResponse(id: string, raw: Buffer, res: ServerResponse): void {
    const state = this.#responseUrls.get(id);
    const at = Date.now();
    let body: Record<string, unknown> = {};
    let status = 200;
    let answer: ApiResult = ok();
    let applied: RecordedResponse['applied'];
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (!isRecord(parsed)) throw new Error('not an object');
      body = parsed;
    } catch {
      status = 400;
      answer = fail('invalid_payload');
    }
    if (status === 200 && state === undefined) {
      status = 404;
      answer = fail('expired_url');
    } else if (status === 200 && state !== undefined) {
      state.uses += 1;
      if (state.uses > this.#responseUrlMaxUses) {
        status = 404;
        answer = fail('used_url');
      } else {
        applied = this.#applyResponse(state, body);
      }
    }
    const recorded: RecordedResponse = { id, body, at, status, applied };
    this.#responses.push(recorded);
    this.emit('response', recorded);
    sendJson(res, status, answer, {});
  }

  /** Shows a response_url post where Slack would: ephemeral by default, in channel, or replacing/deleting. */
  #applyResponse(state: ResponseUrlState, body: Args): RecordedResponse['applied'] {
    const channel = state.context.channel;
    if (channel === undefined) return undefined;
    const targetTs = state.context.messageTs ?? state.lastTs;
    const target = targetTs === undefined ? undefined : this.message(channel, targetTs);
    if (body.delete_original === true && target !== undefined) {
      this.#delete(target);
      return { channel, ts: target.ts };
    }
    const content = messageContent(body);
    if (content === undefined) return undefined;
    if (body.replace_original === true && target !== undefined) {
      this.#update(target, content);
      return { channel, ts: target.ts };
    }
    const inChannel = body.response_type === 'in_channel';
    const message = this.#post({
      channel,
      threadTs: nonEmpty(body.thread_ts),
      ...content,
      ephemeralTo: inChannel ? undefined : (state.context.user ?? 'unknown'),
      files: [],
      via: 'response_url',
    });
    state.lastTs = message.ts;
    return { channel, ts: message.ts };
  }

  // ---- store -----------------------------------------------------------------------------------------------

  #post(fields: Omit<StoredMessage, 'ts' | 'user' | 'updates'>, user = this.botUserId): StoredMessage {
    const message: StoredMessage = { ...fields, ts: this.#nextTs(), user, updates: 0 };
    const list = this.#messages.get(message.channel) ?? [];
    list.push(message);
    this.#messages.set(message.channel, list);
    this.emit('change', { kind: 'message.posted', channel: message.channel, ts: message.ts });
    return message;
  }

  #update(message: StoredMessage, content: MessageContent): void {
    message.text = content.text;
    message.blocks = content.blocks;
    message.attachments = content.attachments;
    message.updates += 1;
    this.emit('change', { kind: 'message.updated', channel: message.channel, ts: message.ts });
  }

  #delete(message: StoredMessage): void {
    const list = this.#messages.get(message.channel) ?? [];
    this.#messages.set(
      message.channel,
      list.filter((m) => m !== message),
    );
    this.emit('change', { kind: 'message.deleted', channel: message.channel, ts: message.ts });
  }

  #nextTs(): string {
    this.#tsSeq += TS_STEP_MICROS;
    const seconds = TS_EPOCH_SECONDS + Math.floor(this.#tsSeq / 1_000_000);
    return `${seconds}.${String(this.#tsSeq % 1_000_000).padStart(6, '0')}`;
  }

  #channelExists(channel: string): boolean {
    return this.#channels === undefined || Object.hasOwn(this.#channels, channel);
  }

  #inject(method: string, injection: Injection): void {
    if (injection.remaining < 1) return;
    const queue = this.#injections.get(method) ?? [];
    queue.push(injection);
    this.#injections.set(method, queue);
  }

  #takeInjection(method: string): Injection | undefined {
    const queue = this.#injections.get(method);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) queue.shift();
    return head;
  }

  #slackMessage(m: StoredMessage): Record<string, unknown> {
    return {
      type: 'message',
      ...(m.files.length > 0 ? { subtype: 'file_share' } : {}),
      text: m.text,
      user: m.user,
      bot_id: this.botId,
      team: this.teamId,
      ts: m.ts,
      ...(m.threadTs !== undefined ? { thread_ts: m.threadTs } : {}),
      ...(m.blocks !== undefined ? { blocks: m.blocks } : {}),
      ...(m.attachments !== undefined ? { attachments: m.attachments } : {}),
      ...(m.updates > 0 ? { edited: { user: m.user, ts: m.ts } } : {}),
    };
  }

  #slackFile(f: StoredFile): Record<string, unknown> {
    return {
      id: f.id,
      name: f.filename,
      title: f.title ?? f.filename,
      size: f.content?.length ?? 0,
      user: this.botUserId,
      permalink: `${this.baseUrl}/files/${f.id}`,
      ...(f.channel !== undefined ? { channels: [f.channel] } : {}),
    };
  }
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new FakeSlack(server, options);
}

// ---- helpers -----------------------------------------------------------------------------------------------

interface MessageContent {
  text: string;
  blocks: unknown[] | undefined;
  attachments: unknown[] | undefined;
}

/** A message needs text, blocks or attachments (Slack's `no_text` otherwise). */
function messageContent(args: Args): MessageContent | undefined {
  const text = str(args.text);
  const blocks = arrayOrUndefined(args.blocks);
  const attachments = arrayOrUndefined(args.attachments);
  if ((text === undefined || text === '') && blocks === undefined && attachments === undefined) return undefined;
  return { text: text ?? '', blocks, attachments };
}

interface ParsedArgs {
  args: Args;
  /** Set when the body could not be read as the content type it declared (Slack answers `invalid_json` etc.). */
  error: string | undefined;
}

/** Query parameters, then the body (form, JSON or multipart) on top, as Slack accepts arguments in either place. */
async function parseArgs(req: IncomingMessage, url: URL, body: Buffer): Promise<ParsedArgs> {
  const args: Args = {};
  for (const [key, value] of url.searchParams) setFormArg(args, key, value);
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (body.length === 0) return { args, error: undefined };
  if (contentType.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (!isRecord(parsed)) return { args, error: 'invalid_json' };
      return { args: { ...args, ...parsed }, error: undefined };
    } catch {
      return { args, error: 'invalid_json' };
    }
  }
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Request('http://fake.invalid/', {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body,
    }).formData();
    for (const [key, value] of form) {
      if (typeof value === 'string') setFormArg(args, key, value);
    }
    return { args, error: undefined };
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) setFormArg(args, key, value);
    return { args, error: undefined };
  }
  return { args, error: 'invalid_form_data' };
}

/**
 * Form values stay strings (as Slack receives them), except fields that web-api JSON-encodes. Defined as an own
 * property so that a field named `__proto__` is recorded as data instead of touching the prototype.
 */
function setFormArg(args: Args, key: string, value: string): void {
  let parsed: unknown = value;
  if (JSON_FORM_FIELDS.has(key)) {
    try {
      parsed = JSON.parse(value);
    } catch {
      // Not JSON after all: keep the string, as Slack would report the bad value rather than drop it.
    }
  }
  Object.defineProperty(args, key, { value: parsed, enumerable: true, writable: true, configurable: true });
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}
