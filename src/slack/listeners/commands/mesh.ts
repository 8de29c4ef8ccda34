import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { findCommand } from '../../../../commands/index.ts';
import { resolveCluster } from '../../../command.ts';
import { clip, tokenize } from '../../../grammar.ts';
import { audit, postSafely, type AuditOutcome, type ListenerContext } from '../../context.ts';
import { context, escapeMrkdwn, section } from '../../blocks.ts';
import { notInChannel, refusedContent, slackErrorCode, unconfirmed } from '../../errors.ts';
import { postListUnder } from '../../thread-or-file.ts';

const slashCommandSchema = z.object({
  text: z.string().max(2000, 'the command line is too long'),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
});

/** How long the ack may wait for a role decision; Slack drops a slash command not acked within 3 s. */
const ROLE_CHECK_BUDGET_MS = 1500;

/** The promise's value if it settles within `ms`, else undefined (the promise keeps running). */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What became of a response_url post that failed, in words: Slack's HTTP status, or no answer at all. */
function respondFailure(cause: unknown): string {
  const status = (cause as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? `HTTP ${status}` : 'no answer';
}

/**
 * The command line as typed: Slack sends &, < and > as HTML entities in a slash command's text (whatever
 * should_escape says), and what is quoted back from it is escaped again for mrkdwn.
 */
function typedText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** Event-loop turns a command's work waits at most for other commands' acks. */
const MAX_ACK_TURNS = 50;

/**
 * The slash commands received and not yet acked. A command's work (istioctl, API calls, rendering) waits until
 * they are acked, turn by turn of the event loop (setImmediate runs after the poll phase, where the next requests
 * arrive), so a burst is acked as fast as a bare Bolt app acks it. Bounded: a listener that never acks (it threw)
 * holds nobody for more than MAX_ACK_TURNS turns.
 */
export function pendingAcks() {
  let unacked = 0;
  let lastTurn: Promise<void> = Promise.resolve();
  return {
    counted(listener: (args: CommandArgs) => Promise<void>) {
      return async (args: CommandArgs): Promise<void> => {
        unacked += 1;
        let acked = false;
        const release = () => {
          if (!acked) unacked -= 1;
          acked = true;
        };
        try {
          await listener({
            ...args,
            ack: (response) => {
              release();
              return args.ack(response);
            },
          });
        } finally {
          release();
        }
      };
    },
    async settled(): Promise<void> {
      for (let turn = 0; turn === 0 || (unacked > 0 && turn < MAX_ACK_TURNS); turn++) await new Promise((resolve) => setImmediate(resolve));
    },
    /**
     * Resolves in an event-loop turn of the caller's own. Answers that become ready together (a burst sharing one
     * istioctl run) are rendered and posted one per turn, so requests that arrive meanwhile are read and acked
     * between them instead of after all of them: rendering and posting thirty answers at once kept the loop busy
     * for ≈ 70 ms (bench/RESULTS.md "acks").
     */
    turn(): Promise<void> {
      const mine = lastTurn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
      lastTurn = mine;
      return mine;
    },
  };
}

function usageHint(usage: string): string {
  return `Usage: \`/mesh ${usage}\``;
}

/** `/mesh <command line>`: validate, authorize, ack at once (always < 3 s), then answer via response_url. */
export function registerMeshCommand(app: App, ctx: ListenerContext): void {
  const acks = pendingAcks();
  app.command('/mesh', acks.counted(async ({ command, ack, respond, client }) => {
    const started = Date.now();
    const finish = (name: string, outcome: AuditOutcome, extra: { cluster?: string; detail?: string } = {}) => {
      ctx.metrics.commands.inc({ command: name, outcome });
      audit(ctx, 'command', { user: command.user_id, channel: command.channel_id, command: name, outcome, durationMs: Date.now() - started, ...extra });
    };

    const payload = slashCommandSchema.safeParse(command);
    if (!payload.success) {
      await ack({ response_type: 'ephemeral', text: `:x: ${payload.error.issues[0]?.message ?? 'invalid command'}. Try \`/mesh help\`.` });
      finish('invalid', 'invalid');
      return;
    }
    const text = typedText(payload.data.text);
    const lookup = findCommand(tokenize(text));
    if (!lookup.ok) {
      const hint = lookup.error.suggestion ? ` Did you mean \`/mesh ${lookup.error.suggestion}\`?` : '';
      await ack({ response_type: 'ephemeral', text: `:x: ${escapeMrkdwn(lookup.error.message)}.${hint} Try \`/mesh help\` for the list of commands.` });
      finish('unknown', 'invalid', { detail: clip(text) });
      return;
    }
    const { command: meshCommand, rest } = lookup.value;
    let name = meshCommand.name;

    const channel = ctx.access.channel(payload.data.channel_id);
    if (!channel.allowed) {
      await ack({ response_type: 'ephemeral', text: `:no_entry: ${channel.reason}` });
      finish(name, 'refused', { detail: 'channel' });
      return;
    }
    const prepared = meshCommand.prepare(rest);
    if (!prepared.ok) {
      await ack({ response_type: 'ephemeral', text: `:x: ${escapeMrkdwn(prepared.error)}.\n${usageHint(meshCommand.usageFor(rest))}` });
      finish(name, 'invalid', { detail: prepared.error });
      return;
    }
    name = prepared.value.label;
    const target = resolveCluster(ctx.deps.config, prepared.value.clusterName);
    if (!target.ok) {
      await ack({ response_type: 'ephemeral', text: `:x: ${escapeMrkdwn(target.error)}.\n${usageHint(meshCommand.usageFor(rest))}` });
      finish(name, 'invalid', { detail: target.error });
      return;
    }
    const cluster = target.value.name;

    const invocation = { surface: 'slack', user: payload.data.user_id, channel: payload.data.channel_id } as const;
    if (meshCommand.name === 'help') {
      const result = await prepared.value.execute(target.value, ctx.deps, invocation);
      const rendered = result.toSlack();
      await ack({ response_type: 'ephemeral', text: rendered.text, blocks: [...rendered.blocks] });
      finish(name, 'ok');
      return;
    }

    // The role is known before anything is said to run, so a viewer never reads "Running …" right before a
    // refusal. A user-group lookup that is slow (Slack rate limits) must not cost the 3-second ack: past the
    // budget the ack says the role is being checked, and the refusal or the answer follows via response_url.
    const roleCheck = ctx.access.role(payload.data.user_id, prepared.value.role, `run \`/mesh ${name}\``);
    const early = await settledWithin(roleCheck, ROLE_CHECK_BUDGET_MS);
    const running = `:hourglass_flowing_sand: Running \`${name}\` on cluster \`${escapeMrkdwn(cluster)}\`…`;
    if (early?.allowed === false) {
      await ack({ response_type: 'ephemeral', text: `:no_entry: ${early.reason}` });
      finish(name, 'refused', { cluster, detail: 'role' });
      return;
    }
    await ack({ response_type: 'ephemeral', text: early ? running : `:hourglass_flowing_sand: Checking whether you may run \`${name}\`…` });
    const role = early ?? (await roleCheck);
    if (!role.allowed) {
      await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', text: `:no_entry: ${role.reason}` }), 'refusal');
      finish(name, 'refused', { cluster, detail: 'role' });
      return;
    }

    try {
      // The ack is on its way; the command's work waits until the commands received since are acked too.
      await acks.settled();
      const result = await prepared.value.execute(target.value, ctx.deps, invocation);
      await acks.turn();
      const rendered = result.toSlack();
      if (result.channelMessage) {
        const channel = payload.data.channel_id;
        const posted = await client.chat.postMessage({ channel, text: rendered.text, blocks: [...rendered.blocks] }).then(
          (answer) => ({ ts: answer.ts }),
          (cause: unknown) => {
            ctx.logger.warn({ err: cause, what: 'command result' }, 'Slack call failed');
            return { refusal: cause };
          },
        );
        if (!('refusal' in posted)) {
          await result.afterPost?.();
          if (result.threadDetail && posted.ts !== undefined) {
            const failure = await postListUnder(client, ctx, { channel, threadTs: posted.ts, ...result.threadDetail });
            if (failure !== null) await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', text: threadRefusedNotice(failure.cause, name) }), 'thread detail notice');
          }
        } else {
          const refusal = posted.refusal;
          // Nothing was posted, so nothing is stored (afterPost): the next answer still shows what this one could not.
          const refused = refusedContent(refusal);
          const firstLine = refused === null ? false : await postSafely(ctx.logger, () => client.chat.postMessage({ channel, text: rendered.text, blocks: [section(escapeMrkdwn(rendered.text)), context([`:warning: Slack refused the full answer (${refused}), so the rest of it is left out.`])] }), 'first line only');
          const lost = unconfirmed(refusal);
          const notice = lost !== null
            ? `:warning: Slack did not confirm that the \`${name}\` answer was posted (${lost}); it may be in the channel all the same. Check the channel before running \`/mesh ${name}\` again.`
            : notInChannel(refusal)
            ? `:warning: mesh-bot could not post in this channel. Invite it (\`/invite @mesh-bot\`) and run \`/mesh ${name}\` again.`
            : refused !== null
              ? `:warning: Slack refused the full answer (${refused})${firstLine ? ', so only its first line is in the channel' : ''}. \`mesh-bot ${name}\` in a terminal prints all of it; tell the bot's owners, as this is a message mesh-bot should have made fit.`
              : `:warning: mesh-bot could not post in this channel: Slack answered \`${slackErrorCode(refusal)}\`. Run \`/mesh ${name}\` again in a moment, and tell the bot's owners if it repeats.`;
          await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', text: notice }), 'cannot post notice');
        }
      } else {
        const lost = await respond({ response_type: result.ephemeral ? 'ephemeral' : 'in_channel', text: rendered.text, blocks: [...rendered.blocks] }).then(
          () => null,
          (cause: unknown) => {
            ctx.logger.warn({ err: cause, what: 'command result' }, 'Slack call failed');
            return cause;
          },
        );
        if (lost === null) await result.afterPost?.();
        else {
          // The answer may have been shown all the same (a 5xx or a reset after Slack took it): it is not sent again,
          // but the requester, who saw only "Running …", learns it may be missing. A response_url takes 5 posts.
          const why = respondFailure(lost);
          await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', replace_original: false, text: `:warning: Slack did not confirm that the \`${name}\` answer was shown (${why}). If you do not see it, run \`/mesh ${name}\` again.` }), 'lost answer notice');
        }
      }
      // A private answer is not necessarily a refusal: a promotion confirmed to its requester and a no-op notice are ok.
      const outcome: AuditOutcome = result.refused ? 'refused' : result.failed ? 'error' : result.envelope.errors.length > 0 ? 'degraded' : 'ok';
      finish(name, outcome, { cluster, ...(outcome === 'ok' ? {} : { detail: result.envelope.errors[0] ?? '' }) });
    } catch (cause) {
      ctx.logger.error({ err: cause, command: name }, 'command crashed');
      await postSafely(
        ctx.logger,
        () => respond({ response_type: 'ephemeral', text: `:boom: mesh-bot failed while running \`${name}\`; the error is in its log. Try again, and tell the bot's owners if it repeats.` }),
        'crash notice',
      );
      finish(name, 'error', { cluster });
    }
  }));
}

/** What the requester is told when the full lists did not reach the answer's thread: Slack's reason, and where else they are. */
function threadRefusedNotice(cause: unknown, name: string): string {
  const elsewhere = `\`mesh-bot ${name}\` in a terminal prints all of them.`;
  const lost = unconfirmed(cause);
  if (lost !== null) return `:warning: Slack did not confirm that the full lists reached the answer's thread (${lost}); look there first. ${elsewhere}`;
  const code = slackErrorCode(cause);
  const fix = code === 'missing_scope' ? ' The Slack app lacks the files:write scope its manifest asks for: reinstall it from manifest.yml.' : '';
  return `:warning: Slack did not take the full lists into the answer's thread (it answered \`${code}\`).${fix} ${elsewhere}`;
}
