import type { AccessPolicy } from '../access.ts';
import type { CommandDeps } from '../command.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';

/** What every listener receives: the command dependencies plus the Slack-side policy, audit and metrics. */
export interface ListenerContext {
  readonly deps: CommandDeps;
  readonly access: AccessPolicy;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The Slack credentials this process was given (signing secret, tokens): never written into an audit line. */
  readonly secrets?: readonly string[];
}

export type AuditOutcome = 'ok' | 'refused' | 'invalid' | 'error' | 'degraded';

export interface AuditEntry {
  readonly user: string;
  readonly channel: string;
  readonly command: string;
  readonly outcome: AuditOutcome;
  readonly durationMs: number;
  readonly cluster?: string;
  readonly detail?: string;
}

/**
 * One structured JSON line per command and click (who, where, what, outcome, how long). The audit trail is a record,
 * not chatter: it is written at level info whatever LOG_LEVEL says (a child logger's level is its own in pino).
 */
export function audit(ctx: Pick<ListenerContext, 'logger' | 'secrets'>, kind: 'command' | 'click', entry: AuditEntry): void {
  const logged = entry.detail === undefined ? entry : { ...entry, detail: withoutSecrets(entry.detail, ctx.secrets ?? []) };
  ctx.logger.child({}, { level: 'info' }).info({ audit: { kind, ...logged } }, `${kind} ${entry.command} ${entry.outcome}`);
}

/**
 * The detail quotes what someone typed, and people paste the wrong thing into `/mesh`. Tokens have a shape the
 * logger recognises; a signing secret has none (32 hex digits), so the configured values themselves are replaced.
 */
function withoutSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('[redacted]');
  return out;
}

/** Slack calls after the ack must never crash a listener: a failure is logged and reported as false. */
export function postSafely(logger: Logger, call: () => Promise<unknown>, what: string): Promise<boolean> {
  return call().then(
    () => true,
    (cause: unknown) => {
      logger.warn({ err: cause, what }, 'Slack call failed');
      return false;
    },
  );
}
