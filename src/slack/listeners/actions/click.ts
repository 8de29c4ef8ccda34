import type { App, BlockButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { audit, postSafely, type AuditOutcome, type ListenerContext } from '../../context.ts';

/** One button click as every listener sees it: who, where, the button's value, and how to answer. */
export interface Click {
  readonly user: string;
  readonly channel: string;
  /** The button's value: a lookup key at most, never trusted for identity or permissions. */
  readonly value: string | undefined;
  /** The clicked message, for thread replies. */
  readonly messageTs: string | undefined;
  readonly client: WebClient;
  /** An ephemeral answer to the person who clicked. */
  tell(text: string): Promise<void>;
  /** Tell why nothing happened; returns the outcome for the audit line. */
  refuse(text: string, outcome?: AuditOutcome): Promise<ClickOutcome>;
}

export interface ClickOutcome {
  readonly outcome: AuditOutcome;
  readonly detail?: string;
}

/** The action ids each app has a click listener for (registerUnhandled acks every other one). */
const handled = new WeakMap<App, Set<string>>();

export function handledActionIds(app: App): ReadonlySet<string> {
  return handled.get(app) ?? new Set();
}

/**
 * Registers a button listener with what every click needs: ack at once, the channel check for buttons, one audit line
 * and one metric per click with its outcome and duration.
 */
export function onClick(app: App, ctx: ListenerContext, actionId: string, handle: (click: Click) => Promise<ClickOutcome>): void {
  const known = handled.get(app) ?? new Set<string>();
  handled.set(app, known.add(actionId));
  app.action<BlockButtonAction>(actionId, async ({ ack, body, action, client, respond }) => {
    await ack();
    const started = Date.now();
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container.channel_id ?? '';
    const tell = async (text: string) => {
      await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', replace_original: false, text }), `reply to ${actionId}`);
    };
    const click: Click = {
      user,
      channel,
      value: action.value,
      messageTs: body.container.message_ts ?? body.message?.ts,
      client,
      tell,
      async refuse(text, outcome = 'refused') {
        await tell(`:no_entry: ${text}`);
        return { outcome, detail: text };
      },
    };
    const allowed = ctx.access.button(channel);
    const result = allowed.allowed ? await handle(click) : await click.refuse(allowed.reason);
    ctx.metrics.clicks.inc({ action: actionId, outcome: result.outcome });
    audit(ctx, 'click', { user, channel, command: actionId, outcome: result.outcome, durationMs: Date.now() - started, ...(result.detail ? { detail: result.detail } : {}) });
  });
}

/**
 * For buttons that post a list or a file under their message: a second click on the same button of the same message
 * while the first one's answer is being gathered and posted (a double click, two people at once) posts nothing more.
 * Per replica: a click delivered to another replica may still post its own copy.
 */
export function onePostAtATime(handle: (click: Click) => Promise<ClickOutcome>): (click: Click) => Promise<ClickOutcome> {
  const inFlight = new Set<string>();
  return async (click) => {
    const key = JSON.stringify([click.channel, click.messageTs ?? '', click.value ?? '']);
    if (inFlight.has(key)) {
      await click.tell(":hourglass_flowing_sand: Already on it: this button's answer is on its way to the message's thread.");
      return { outcome: 'ok', detail: 'already in flight' };
    }
    inFlight.add(key);
    try {
      return await handle(click);
    } finally {
      inFlight.delete(key);
    }
  };
}
