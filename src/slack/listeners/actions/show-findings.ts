import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { readAnalyze } from '../../../../commands/analyze.ts';
import { renderFindingList, scopeLabel, SHOW_FINDINGS_ACTION } from '../../../../commands/analyze.render.ts';
import { resolveCluster } from '../../../command.ts';
import { isDnsLabel } from '../../../names.ts';
import { section } from '../../blocks.ts';
import { audit, postSafely, type AuditOutcome, type ListenerContext } from '../../context.ts';
import { chunkLines, safeJson } from './show-problems.ts';

const buttonValue = z.object({
  cluster: z.string().min(1).max(100),
  /** null = all namespaces (`-A`). */
  namespace: z.string().refine(isDnsLabel).nullable(),
});

/** A thread reply holds a few thousand characters comfortably; longer lists go into a file. */
const THREAD_LIMIT_CHARS = 9000;

/**
 * "Show all findings": every finding of the analyzed scope in the message's thread, or as a file when long.
 * It re-reads istioctl (a recent identical run is shared by the runner's cache) and leaves the analyze
 * history alone: only `/mesh analyze` itself moves "the previous run" forward.
 */
export function registerShowFindings(app: App, ctx: ListenerContext): void {
  app.action<BlockButtonAction>(SHOW_FINDINGS_ACTION, async ({ ack, body, action, client, respond }) => {
    await ack();
    const started = Date.now();
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container.channel_id ?? '';
    const finish = (outcome: AuditOutcome, detail?: string) => {
      ctx.metrics.clicks.inc({ action: SHOW_FINDINGS_ACTION, outcome });
      audit(ctx.logger, 'click', { user, channel, command: SHOW_FINDINGS_ACTION, outcome, durationMs: Date.now() - started, ...(detail ? { detail } : {}) });
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
      await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', replace_original: false, text: ':x: This button refers to a cluster mesh-bot no longer knows. Run `/mesh analyze` again.' }), 'invalid');
      finish('invalid');
      return;
    }

    const namespace = parsedValue.data.namespace;
    const result = await readAnalyze(target.value, namespace === null ? { kind: 'all' } : { kind: 'namespace', namespace }, ctx.deps);
    if (result.findings === null) {
      const reason = result.errors[0] ?? 'istioctl analyze failed.';
      await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', replace_original: false, text: `:warning: Could not list the findings: ${reason}` }), 'analyze failure');
      finish('error');
      return;
    }
    const list = renderFindingList(result);
    const threadTs = body.container.message_ts ?? body.message?.ts;
    const title = `${result.findings.length} findings in ${scopeLabel(result)}`;
    let posted: boolean;
    if (list.length <= THREAD_LIMIT_CHARS) {
      posted = await postSafely(
        ctx.logger,
        () => client.chat.postMessage({ channel, thread_ts: threadTs, text: title, blocks: chunkLines(list, 2900).map((chunk) => section(`\`\`\`${chunk}\`\`\``)) }),
        'finding list',
      );
    } else {
      posted = await postSafely(
        ctx.logger,
        () =>
          client.files.uploadV2({
            channel_id: channel,
            ...(threadTs ? { thread_ts: threadTs } : {}),
            content: list,
            filename: `analyze-${result.cluster}-${namespace ?? 'all-namespaces'}.txt`,
            title,
            initial_comment: `${title}: full list attached.`,
          }),
        'finding list file',
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
