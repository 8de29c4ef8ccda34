/** Slack's error code (`ratelimited`, `no_such_subteam`, …) or the request's failure code; never a message body. */
export function slackErrorCode(cause: unknown): string {
  const data = (cause as { data?: { error?: unknown } } | null)?.data;
  if (typeof data?.error === 'string' && /^[a-z_]+$/.test(data.error)) return data.error;
  const code = (cause as { code?: unknown } | null)?.code;
  // The Web API client's own code once it gave up waiting out 429s.
  if (code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  return typeof code === 'string' && /^[\w.-]+$/.test(code) ? code : 'no answer';
}

/** Slack's answers that refuse a message for its content (chat.postMessage): final, and the same blocks would fail again. */
const REFUSED_CONTENT: ReadonlySet<string> = new Set(['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'msg_blocks_too_long']);

/** The Slack error code when `cause` is Slack refusing a message's content, else null. */
export function refusedContent(cause: unknown): string | null {
  const code = slackErrorCode(cause);
  return REFUSED_CONTENT.has(code) ? code : null;
}

/** Slack's answers to a post in a channel the bot is not in (a private one it cannot see is "not found"). */
export function notInChannel(cause: unknown): boolean {
  const code = slackErrorCode(cause);
  return code === 'not_in_channel' || code === 'channel_not_found';
}

/**
 * When a post's answer was lost (an HTTP error from Slack's edge, a reset, a timeout), the post may have landed all
 * the same: what Slack's side did, in words ("HTTP 502", "no answer"), else null (Slack answered, e.g. refused it).
 */
export function unconfirmed(cause: unknown): string | null {
  const { code, statusCode } = (cause ?? {}) as { code?: unknown; statusCode?: unknown };
  if (code === 'slack_webapi_http_error') return typeof statusCode === 'number' ? `HTTP ${statusCode}` : 'an HTTP error';
  if (code === 'slack_webapi_request_error') return 'no answer';
  return null;
}
