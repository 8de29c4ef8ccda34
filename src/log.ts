import { pino, type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from './config.ts';
import { redactText } from './mesh/redact.ts';

export type { Logger } from 'pino';

/**
 * Secrets can reach a log line inside free text (a Slack error message, an istioctl stderr line),
 * not only under known keys, so every string is scrubbed as well as the key paths below.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  // Every Slack token family: bot, user, app-level configuration (xoxe.xoxp-…), refresh (xoxe-…), client, cookie.
  /xox[a-z]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /Bearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // A slash command's or a click's response_url (Slack's SDK logs each Socket Mode envelope at debug): whoever holds
  // it may post into that channel for 30 minutes. As a JSON member, and as Slack's own hooks URL anywhere. Likewise
  // the pre-signed upload_url of a file upload (files.getUploadURLExternal's answer, logged at debug).
  /(?<=["']?(?:response_url|upload_url)["']?\s*[:=]\s*["']?)[^\s"',;]+/gi,
  /\bhttps:\/\/hooks\.slack\.com\/[^\s"',;)]+/gi,
  // The ticket of a Socket Mode WebSocket URL (apps.connections.open's answer, logged by the SDK at debug).
  /(?<=[?&]ticket=)[^\s"'&]+/gi,
  // Kubernetes bearer tokens without their `Bearer`: EKS (`aws eks get-token`) and OpenShift OAuth tokens.
  /\bk8s-aws-v1\.[A-Za-z0-9_-]{20,}/g,
  /\bsha256~[A-Za-z0-9_-]{20,}/g,
  // Google OAuth access tokens (gke-gcloud-auth-plugin, a GKE kubeconfig's credential plugin).
  /\bya29\.[A-Za-z0-9_.-]{20,}/g,
];

const SECRET_KEYS = /^(token|botToken|appToken|signingSecret|signing_secret|authorization|password|secret|private_key|privateKey|client_secret)$/i;

const REDACTED = '[redacted]';

/**
 * The patterns above, then what an uploaded text is cleared of (src/mesh/redact.ts redactText): base64 DER and PEM
 * keys, `Basic` credentials, `token=`/`"password":` assignments (the verification token in each Slack envelope),
 * a password in a URL (a kubeconfig server `https://user:pass@host`, quoted by fetch's error).
 */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  return redactText(out);
}

type Scrub = (text: string) => string;

/**
 * What stands for an object nested deeper than the scrubber walks: left as it was, pino would write it whole, with
 * whatever `token` or `password` it holds.
 */
const TOO_DEEP = '[not logged: nested too deep]';

function scrubValue(value: unknown, depth: number, scrub: Scrub): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return TOO_DEEP;
  if (value instanceof Error) return { type: value.name, message: scrub(value.message) };
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1, scrub));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = SECRET_KEYS.test(key) ? REDACTED : scrubValue(item, depth + 1, scrub);
  return out;
}

/**
 * A configured value shorter than this is not searched for: it would match ordinary words and numbers and turn
 * every line into "[redacted]", and no Slack credential is that short (config refuses a shorter signing secret;
 * tokens are dozens of characters). The same length is the shortest piece of a secret that is redacted on its own.
 */
export const MIN_SECRET_LENGTH = 8;

/** The values of the environment contract (DESIGN.md §2) that are credentials: never written to a log line. */
export function configuredSecrets(config: Pick<AppConfig, 'slack'>): string[] {
  const { signingSecret, botToken, appToken } = config.slack;
  return [signingSecret, botToken, appToken].filter((secret): secret is string => secret !== undefined);
}

/** A string inside a JSON text: a value pasted into a Slack error body or another JSON document. */
function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/**
 * Replaces every piece of at least MIN_SECRET_LENGTH characters cut from the start or the end of `form`: text is
 * clipped for audit lines and messages (60 or 200 characters), and a clipped secret is still mostly a secret.
 */
function redactPieces(text: string, form: string): string {
  let out = text;
  const head = form.slice(0, MIN_SECRET_LENGTH);
  for (let at = out.indexOf(head); at !== -1; at = out.indexOf(head, at + REDACTED.length)) {
    let end = at + head.length;
    while (end - at < form.length && out[end] === form[end - at]) end += 1;
    out = `${out.slice(0, at)}${REDACTED}${out.slice(end)}`;
  }
  const tail = form.slice(-MIN_SECRET_LENGTH);
  for (let at = out.indexOf(tail); at !== -1; ) {
    let start = at;
    for (let inForm = form.length - tail.length; start > 0 && inForm > 0 && out[start - 1] === form[inForm - 1]; inForm -= 1) start -= 1;
    out = `${out.slice(0, start)}${REDACTED}${out.slice(at + tail.length)}`;
    at = out.indexOf(tail, start + REDACTED.length);
  }
  return out;
}

export interface ValueRedaction {
  /** One string's text. */
  readonly text: Scrub;
  /** One finished JSON line. */
  readonly line: Scrub;
}

/**
 * Redaction by value of the configured secrets. Either check is a few substring searches for a secret's first and
 * last characters, and only text that holds some is rewritten: with three secrets a burst of 1,000 typical lines
 * took 5.1 ms instead of 4.4 ms on the 2-core CI machine. What mesh-bot says in Slack passes the same matcher
 * (src/slack/outgoing.ts).
 */
export function valueRedaction(secrets: readonly string[]): ValueRedaction | undefined {
  const usable = [...new Set(secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH))];
  if (usable.length === 0) return undefined;
  // As typed, as it reads inside a JSON document quoted in a string, and as it reads in a URL or form body.
  const forms = [...new Set(usable.flatMap((secret) => [secret, jsonEscaped(secret), encodeURIComponent(secret)]))];
  // Whole values first, the longest first (one secret could hold another); then pieces, as typed first.
  const longestFirst = [...forms].sort((a, b) => b.length - a.length);
  const ends = [...new Set(forms.flatMap((form) => [form.slice(0, MIN_SECRET_LENGTH), form.slice(-MIN_SECRET_LENGTH)]))];
  const endsInLine = [...new Set(ends.map(jsonEscaped))];
  const text = (input: string): string => {
    if (!ends.some((end) => input.includes(end))) return input;
    const whole = longestFirst.reduce((out, form) => out.replaceAll(form, REDACTED), input);
    // A token's tail the token pattern left (it knows Slack's alphabet only) would read "[redacted][redacted]".
    return forms.reduce(redactPieces, whole).replaceAll(`${REDACTED}${REDACTED}`, REDACTED);
  };
  return { text, line: (line) => (endsInLine.some((end) => line.includes(end)) ? redactJsonLine(line, text) : line) };
}

/** Applies `redact` to every string (keys included) and number of one JSON line, keeping the structure around them. */
function redactJsonLine(line: string, redact: Scrub): string {
  let out = '';
  let index = 0;
  while (index < line.length) {
    const char = line[index] as string;
    if (char === '"') {
      let end = index + 1;
      while (end < line.length && line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
      const literal = line.slice(index, end + 1);
      const value = JSON.parse(literal) as string;
      const redacted = redact(value);
      out += redacted === value ? literal : JSON.stringify(redacted);
      index = end + 1;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      let end = index + 1;
      while (end < line.length && /[0-9eE.+-]/.test(line[end] as string)) end += 1;
      const number = line.slice(index, end);
      const redacted = redact(number);
      out += redacted === number ? number : JSON.stringify(redacted);
      index = end;
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

/** The message pino takes when a line is logged with an error (or `{ err }`) and no message of its own. */
function errorMessage(value: unknown): string | undefined {
  if (value instanceof Error) return value.message;
  if (typeof value !== 'object' || value === null || 'msg' in value || !('err' in value)) return undefined;
  const { err } = value;
  return typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string' ? err.message : undefined;
}

/**
 * `secrets`: the configured credentials (configuredSecrets), known once the configuration is read; both entry points
 * create their logger only after that, so no line is written before they are known. Each finished line passes the
 * value redaction (pino's streamWrite hook): whatever field, key, child binding, Error message or message a secret
 * reached, it is in that line. Strings are also redacted by value before the patterns run, so a pattern that knows
 * only part of a token cannot cut it into pieces that no longer match.
 */
export function createLogger(level: string, destination?: DestinationStream, secrets: readonly string[] = []): Logger {
  const byValue = valueRedaction(secrets);
  const scrub: Scrub = byValue === undefined ? scrubSecrets : (text) => scrubSecrets(byValue.text(text));
  return pino(
    {
      level,
      base: { app: 'mesh-bot' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // The formatter below already wrote each error as { type, message }; pino's own error serializer would take that
      // for an error again and name its type "Object".
      serializers: { err: (value: unknown) => value },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubValue(object, 0, scrub) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg));
          // Given no message, pino uses the error's own, after the formatters ran: hand it the scrubbed one.
          const fromError = args.length === 1 ? errorMessage(args[0]) : undefined;
          method.apply(this, (fromError === undefined ? scrubbed : [...scrubbed, scrub(fromError)]) as Parameters<typeof method>);
        },
        ...(byValue === undefined ? {} : { streamWrite: byValue.line }),
      },
    },
    destination ?? pino.destination(1),
  );
}
