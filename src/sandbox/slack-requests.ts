/**
 * Signed requests to a Bolt HTTP receiver, shaped like the ones Slack sends for slash commands and button
 * clicks, plus switches to forge them (bad signature, stale timestamp, wrong content type) for the rejection
 * paths.
 */
import { createHmac } from 'node:crypto';

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{rawBody}`, as in Slack's "verifying requests" doc. */
export function signSlackRequest(signingSecret: string, timestamp: number | string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Ways to make a request that a correct receiver must refuse. */
export interface ForgeOptions {
  /** Unix seconds for `X-Slack-Request-Timestamp`; default now. More than 5 minutes old is stale. */
  timestamp?: number;
  /** Sent as `X-Slack-Signature` instead of the correct signature. */
  signatureOverride?: string;
  /** Default exactly `application/x-www-form-urlencoded` (Bolt compares the header with `===`). */
  contentType?: string;
  /** Default `/slack/events`, resolved against the base URL. */
  path?: string;
}

export interface SlackHttpResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  elapsedMs: number;
}

/** Who acts, where, and where the answer goes: common to slash commands and clicks. */
export interface RequestOrigin extends ForgeOptions {
  userId: string;
  channelId: string;
  responseUrl: string;
  userName?: string;
  channelName?: string;
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  triggerId?: string;
}

export interface SlashCommandOptions extends RequestOrigin {
  text: string;
  command?: string;
  enterpriseId?: string;
}

export interface BlockActionOptions extends RequestOrigin {
  actionId: string;
  value: string;
  /** ts of the message that carries the button. */
  messageTs: string;
  blockId?: string;
  /** Label of the clicked button. */
  buttonText?: string;
  /** The message as Slack echoes it back (blocks etc.); `ts` and `type` are filled in. */
  message?: Record<string, unknown>;
  /** Whether the button sat on an ephemeral message. */
  isEphemeral?: boolean;
}

const DEFAULT_TEAM_ID = 'T0MESHBOT';
const DEFAULT_TEAM_DOMAIN = 'mesh-bot-sandbox';
const DEFAULT_APP_ID = 'A0MESHBOT';
const DEFAULT_TRIGGER_ID = '1731000000.1234567890.0123456789abcdef0123456789abcdef';

/** The form fields of a slash command, in Slack's order. Also usable as a Socket Mode `slash_commands` payload. */
export function slashCommandFields(options: SlashCommandOptions): Record<string, string> {
  return {
    // Slack still sends the deprecated verification token; Bolt ignores it, so a placeholder is realistic enough.
    token: 'verification-token',
    team_id: options.teamId ?? DEFAULT_TEAM_ID,
    team_domain: options.teamDomain ?? DEFAULT_TEAM_DOMAIN,
    ...(options.enterpriseId !== undefined ? { enterprise_id: options.enterpriseId } : {}),
    channel_id: options.channelId,
    channel_name: options.channelName ?? options.channelId.toLowerCase(),
    user_id: options.userId,
    user_name: options.userName ?? options.userId.toLowerCase(),
    command: options.command ?? '/mesh',
    text: options.text,
    api_app_id: options.apiAppId ?? DEFAULT_APP_ID,
    is_enterprise_install: options.enterpriseId !== undefined ? 'true' : 'false',
    response_url: options.responseUrl,
    trigger_id: options.triggerId ?? DEFAULT_TRIGGER_ID,
  };
}

/** A `block_actions` payload for one button click. Also usable as a Socket Mode `interactive` payload. */
export function blockActionPayload(options: BlockActionOptions): Record<string, unknown> {
  const teamId = options.teamId ?? DEFAULT_TEAM_ID;
  const userName = options.userName ?? options.userId.toLowerCase();
  const blockId = options.blockId ?? 'actions';
  const actionTs = `${(Date.now() / 1000).toFixed(6)}`;
  return {
    type: 'block_actions',
    user: { id: options.userId, username: userName, name: userName, team_id: teamId },
    api_app_id: options.apiAppId ?? DEFAULT_APP_ID,
    token: 'verification-token',
    container: {
      type: 'message',
      message_ts: options.messageTs,
      channel_id: options.channelId,
      is_ephemeral: options.isEphemeral ?? false,
    },
    trigger_id: options.triggerId ?? DEFAULT_TRIGGER_ID,
    team: { id: teamId, domain: options.teamDomain ?? DEFAULT_TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: options.channelId, name: options.channelName ?? options.channelId.toLowerCase() },
    message: { type: 'message', text: '', ...options.message, ts: options.messageTs },
    state: { values: {} },
    response_url: options.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: options.actionId,
        block_id: blockId,
        text: { type: 'plain_text', text: options.buttonText ?? options.actionId, emoji: true },
        value: options.value,
        action_ts: actionTs,
      },
    ],
  };
}

export function sendSlashCommand(baseUrl: string, signingSecret: string, options: SlashCommandOptions): Promise<SlackHttpResponse> {
  const body = new URLSearchParams(slashCommandFields(options)).toString();
  return sendSignedRequest(baseUrl, signingSecret, body, options);
}

export function sendBlockAction(baseUrl: string, signingSecret: string, options: BlockActionOptions): Promise<SlackHttpResponse> {
  const body = new URLSearchParams({ payload: JSON.stringify(blockActionPayload(options)) }).toString();
  return sendSignedRequest(baseUrl, signingSecret, body, options);
}

/** Posts a raw body signed like Slack does; the forge options bend exactly one rule each. */
export async function sendSignedRequest(
  baseUrl: string,
  signingSecret: string,
  rawBody: string,
  forge: ForgeOptions = {},
): Promise<SlackHttpResponse> {
  const timestamp = forge.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  // The body is a string on purpose: a URLSearchParams body makes fetch add `;charset=UTF-8`, which Bolt rejects.
  const response = await fetch(new URL(forge.path ?? '/slack/events', baseUrl), {
    method: 'POST',
    headers: {
      'content-type': forge.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': forge.signatureOverride ?? signSlackRequest(signingSecret, timestamp, rawBody),
    },
    body: rawBody,
  });
  const body = await response.text();
  return {
    status: response.status,
    body,
    headers: Object.fromEntries(response.headers),
    elapsedMs: performance.now() - started,
  };
}
