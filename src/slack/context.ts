import type { AccessPolicy } from '../access.ts';
import type { CommandDeps } from '../command.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { SlackRedaction } from './outgoing.ts';

/** What every listener receives: the command dependencies plus the Slack-side policy, audit and metrics. */
export interface ListenerContext {
  readonly deps: CommandDeps;
  readonly access: AccessPolicy;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** What keeps the configured credentials out of Slack (set by startSlackApp): file contents pass it before upload. */
  readonly outgoing?: SlackRedaction;
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
 * The detail quotes what someone typed, pasted credentials included: the logger redacts those (src/log.ts).
 */
export function audit(ctx: Pick<ListenerContext, 'logger'>, kind: 'command' | 'click', entry: AuditEntry): void {
  ctx.logger.child({}, { level: 'info' }).info({ audit: { kind, ...entry } }, `${kind} ${entry.command} ${entry.outcome}`);
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
