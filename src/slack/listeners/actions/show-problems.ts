import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { readStatus } from '../../../../commands/status.ts';
import { renderProblemList, SHOW_PROBLEMS_ACTION } from '../../../../commands/status.render.ts';
import { resolveCluster } from '../../../command.ts';
import { isDnsLabel } from '../../../names.ts';
import { audit, postSafely, type AuditOutcome, type ListenerContext } from '../../context.ts';
import { section } from '../../blocks.ts';

const buttonValue = z.object({
  cluster: z.string().min(1).max(100),
  namespace: z.string().refine(isDnsLabel).nullable(),
});

/** A thread reply holds a few thousand characters comfortably; longer lists go into a file. */
const THREAD_LIMIT_CHARS = 9000;

/** "Show all problem proxies": the full list in the message's thread, or as a file when long. */
export function registerShowProblems(app: App, ctx: ListenerContext): void {
  app.action<BlockButtonAction>(SHOW_PROBLEMS_ACTION, async ({ ack, body, action, client, respond }) => {
    await ack();
    const started = Date.now();
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container.channel_id ?? '';
    const finish = (outcome: AuditOutcome, detail?: string) => {
      ctx.metrics.clicks.inc({ action: SHOW_PROBLEMS_ACTION, outcome });
      audit(ctx.logger, 'click', { user, channel, command: SHOW_PROBLEMS_ACTION, outcome, durationMs: Date.now() - started, ...(detail ? { detail } : {}) });
    };

    const allowed = ctx.access.channel(channel);
    if (!allowed.allowed) {
      await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', replace_original: false, text: `:no_entry: ${allowed.reason}` }), 'refusal');
      finish('refused', 'channel');
      return;
    }
    const parsedValue = buttonValue.safeParse(safeJson(action.value ?? ''));
    const target = parsedValue.success ? resolveCluster(ctx.deps.config, parsedValue.data.cluster) : null;
    if (!parsedValue.success || !target?.ok) {
      await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', replace_original: false, text: ':x: This button refers to a cluster mesh-bot no longer knows. Run `/mesh status` again.' }), 'invalid');
      finish('invalid');
      return;
    }

    const result = await readStatus(target.value, parsedValue.data.namespace ?? undefined, ctx.deps);
    const list = renderProblemList(result);
    const threadTs = body.container.message_ts ?? body.message?.ts;
    const count = result.summary.proxies?.problems.length ?? 0;
    let posted: boolean;
    if (list.length <= THREAD_LIMIT_CHARS) {
      const chunks = chunkLines(list, 2900);
      posted = await postSafely(
        ctx.logger,
        () => client.chat.postMessage({ channel, thread_ts: threadTs, text: `${count} problem proxies in ${result.cluster}`, blocks: chunks.map((chunk) => section(`\`\`\`${chunk}\`\`\``)) }),
        'problem list',
      );
    } else {
      posted = await postSafely(
        ctx.logger,
        () =>
          client.files.uploadV2({
            channel_id: channel,
            ...(threadTs ? { thread_ts: threadTs } : {}),
            content: list,
            filename: `problem-proxies-${result.cluster}.txt`,
            title: `${count} problem proxies in ${result.cluster}`,
            initial_comment: `${count} problem proxies in ${result.cluster}: full list attached.`,
          }),
        'problem list file',
      );
    }
    if (!posted) {
      await postSafely(
        ctx.logger,
        () => respond({ response_type: 'ephemeral', replace_original: false, text: ':warning: mesh-bot could not post in this channel. Invite it (`/invite @mesh-bot`) and click again.' }),
        'post failure notice',
      );
    }
    finish(posted ? 'ok' : 'error');
  });
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Splits text on line boundaries into pieces of at most `max` characters (a single longer line is cut). */
export function chunkLines(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const piece = line.length > max ? line.slice(0, max) : line;
    if (current.length + piece.length + 1 > max && current !== '') {
      chunks.push(current);
      current = '';
    }
    current = current === '' ? piece : `${current}\n${piece}`;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}
