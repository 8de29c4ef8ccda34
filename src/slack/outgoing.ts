import type { FetchFunction } from '@slack/web-api';
import { valueRedaction } from '../log.ts';
import { escapeMrkdwn, LIMITS, truncate } from './blocks.ts';

type Redact = (text: string) => string;
type FetchRequestInit = NonNullable<Parameters<FetchFunction>[1]>;

/**
 * What keeps the configured Slack credentials (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_APP_TOKEN) out of
 * everything mesh-bot says in Slack: a pasted command echoed back, an istioctl error quoted, a name read from the
 * cluster. It works where payloads leave the process, not where they are written, so no message can forget it.
 */
export interface SlackRedaction {
  /** One text as it will reach Slack: a file's content, redacted before files.uploadV2 declares its length. */
  text(text: string): string;
  /** An ack body or a message: every string and key, Block Kit limits kept (unchanged when nothing matched). */
  payload<T>(payload: T): T;
  /** `base` with every request body redacted: Web API calls, response_url posts and file uploads all go through it. */
  fetch(base: FetchFunction): FetchFunction;
}

/**
 * The matcher of the log lines (src/log.ts: as typed, JSON-escaped, URL-encoded, 8+-character ends of a clipped
 * value), given also the form escapeMrkdwn writes into every mrkdwn text.
 */
export function slackRedaction(secrets: readonly string[]): SlackRedaction {
  const byValue = valueRedaction([...secrets, ...secrets.map(escapeMrkdwn)])?.text;
  if (byValue === undefined) return { text: (text) => text, payload: (payload) => payload, fetch: (base) => base };
  const redact: Redact = (text) => {
    const redacted = byValue(text);
    // The rest of a token an earlier redaction cut short (istioctl errors' "[REDACTED]") is the same credential.
    return redacted === text ? text : redacted.replace(/\[redacted\](?=\[redacted\])/gi, '');
  };
  const payload = <T>(value: T): T => redactTree(value, redact, value, []) as T;
  return {
    text: redact,
    payload,
    fetch: (base) => async (url, init) => base(url, init === undefined ? init : await redactedRequest(init, redact)),
  };
}

/**
 * Block Kit limits (DESIGN.md §6) of the text fields mesh-bot's messages use, by block type and path inside the
 * block. `[redacted]` is longer than an 8- or 9-character piece it replaces, so a text at its limit is clipped again.
 */
const BLOCK_TEXT_LIMITS: Readonly<Record<string, number>> = {
  'header:text.text': LIMITS.headerText,
  'section:text.text': LIMITS.sectionText,
  'section:fields.#.text': LIMITS.fieldText,
  'context:elements.#.text': LIMITS.fieldText,
  ...buttonLimits('section:accessory'),
  ...buttonLimits('actions:elements.#'),
};

function buttonLimits(at: string): Record<string, number> {
  return {
    [`${at}.text.text`]: LIMITS.buttonText,
    [`${at}.value`]: LIMITS.buttonValue,
    [`${at}.confirm.title.text`]: LIMITS.confirmTitle,
    [`${at}.confirm.text.text`]: LIMITS.confirmText,
    [`${at}.confirm.confirm.text`]: LIMITS.confirmButton,
    [`${at}.confirm.deny.text`]: LIMITS.confirmButton,
  };
}

type Path = readonly (string | number)[];

function limitAt(root: unknown, path: Path): number | undefined {
  if (path.length === 1 && path[0] === 'text') return LIMITS.topLevelText;
  const [list, index, ...inside] = path;
  if (list !== 'blocks' || typeof index !== 'number' || !isRecord(root) || !Array.isArray(root['blocks'])) return undefined;
  const block: unknown = root['blocks'][index];
  if (!isRecord(block) || typeof block['type'] !== 'string') return undefined;
  return BLOCK_TEXT_LIMITS[`${block['type']}:${inside.map((key) => (typeof key === 'number' ? '#' : key)).join('.')}`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The same value when nothing in it matched (so unchanged payloads are sent exactly as built), else a redacted copy. */
function redactTree(value: unknown, redact: Redact, root: unknown, path: Path): unknown {
  if (typeof value === 'string') {
    const redacted = redact(value);
    if (redacted === value) return value;
    // Never past the limit, and never shorter than the text was: a text already longer is not ours to clip here.
    const limit = limitAt(root, path);
    return limit === undefined ? redacted : truncate(redacted, Math.max(limit, value.length));
  }
  if (typeof value === 'number') {
    const digits = String(value);
    const redacted = redact(digits);
    return redacted === digits ? value : redacted;
  }
  if (Array.isArray(value)) {
    const items = value.map((item: unknown, index) => redactTree(item, redact, root, [...path, index]));
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  if (!isRecord(value)) return value;
  const entries = Object.entries(value);
  const redacted = entries.map(([key, item]) => [redact(key), redactTree(item, redact, root, [...path, key])] as const);
  return redacted.some(([key, item], index) => key !== entries[index]?.[0] || item !== entries[index]?.[1]) ? Object.fromEntries(redacted) : value;
}

/**
 * The WebClient sends form fields (objects such as `blocks` JSON-encoded in them) or, for a file's bytes,
 * multipart form data; Bolt's respond() sends JSON. Headers are left alone: the bot token authenticates there.
 */
async function redactedRequest(init: FetchRequestInit, redact: Redact): Promise<FetchRequestInit> {
  const { body } = init;
  if (body instanceof FormData) return { ...init, body: await redactedMultipart(body, redact) };
  if (typeof body !== 'string') return init;
  const type = Object.entries(init.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (type.startsWith('application/json')) {
    const parsed = parseJson(body);
    if (parsed === undefined) return { ...init, body: redact(body) };
    const redacted = redactTree(parsed.value, redact, parsed.value, []);
    return redacted === parsed.value ? init : { ...init, body: JSON.stringify(redacted) };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const fields = redactedFields([...new URLSearchParams(body)], redact);
    return fields === undefined ? init : { ...init, body: new URLSearchParams(fields).toString() };
  }
  return { ...init, body: redact(body) };
}

/**
 * Form fields redacted as the message they make up (JSON fields such as `blocks` read as JSON, so their limits are
 * known); a field that did not change keeps its exact text. Undefined when none changed. Field names are the API's.
 */
function redactedFields(fields: readonly (readonly [string, string])[], redact: Redact): [string, string][] | undefined {
  const parsed = fields.map(([name, raw]) => [name, raw, parseJson(raw)?.value ?? raw] as const);
  const message: Record<string, unknown> = Object.fromEntries(parsed.map(([name, , value]) => [name, value]));
  let changed = false;
  const out = parsed.map(([name, raw, value]): [string, string] => {
    const redacted = redactTree(value, redact, message, [name]);
    if (redacted === value) return [name, raw];
    changed = true;
    return [name, typeof redacted === 'string' ? redacted : JSON.stringify(redacted)];
  });
  return changed ? out : undefined;
}

/**
 * A file upload's bytes. Its length was declared to files.getUploadURLExternal before they are sent, so mesh-bot
 * redacts a file's content before uploading it (uploadFile); this catches a file that was not, at the cost of a
 * length Slack may refuse, instead of sending the secret.
 */
async function redactedMultipart(form: FormData, redact: Redact): Promise<FormData> {
  const entries = [...form.entries()];
  const strings = entries.flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as const] : []));
  const out = new FormData();
  for (const [name, value] of redactedFields(strings, redact) ?? strings) out.append(name, value);
  for (const [name, file] of entries) {
    if (typeof file === 'string') continue;
    const text = await file.text();
    const redacted = redact(text);
    out.append(name, redacted === text ? file : new Blob([redacted], { type: file.type }), file.name);
  }
  return out;
}

function parseJson(text: string): { value: unknown } | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}
