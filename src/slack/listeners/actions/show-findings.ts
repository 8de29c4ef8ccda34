import type { App } from '@slack/bolt';
import { z } from 'zod';
import { readAnalyze } from '../../../../commands/analyze.ts';
import { renderFindingList, scopeLabel, SHOW_FINDINGS_ACTION } from '../../../../commands/analyze.render.ts';
import { clockTime, resolveCluster } from '../../../command.ts';
import { isDnsLabel } from '../../../names.ts';
import { escapeMrkdwn } from '../../blocks.ts';
import type { ListenerContext } from '../../context.ts';
import { cannotPost, postListUnder } from '../../thread-or-file.ts';
import { safeJson } from '../../../json.ts';
import { counted } from '../../../words.ts';
import { onClick, onePostAtATime } from './click.ts';

const buttonValue = z.object({
  cluster: z.string().min(1).max(100),
  /** null = all namespaces (`-A`). */
  namespace: z.string().refine(isDnsLabel).nullable(),
});

/**
 * "Show all findings": every finding of the analyzed scope in the message's thread, or as a file when long.
 * It re-reads istioctl (a recent identical run is shared by the runner's cache) and leaves the analyze
 * history alone: only `/mesh analyze` itself moves "the previous run" forward.
 */
export function registerShowFindings(app: App, ctx: ListenerContext): void {
  onClick(app, ctx, SHOW_FINDINGS_ACTION, onePostAtATime(async (click) => {
    const parsedValue = buttonValue.safeParse(safeJson(click.value ?? ''));
    const target = parsedValue.success ? resolveCluster(ctx.deps.config, parsedValue.data.cluster) : null;
    if (!parsedValue.success || !target?.ok) return click.refuse('This button refers to a cluster mesh-bot no longer knows. Run `/mesh analyze` again.', 'invalid');

    const namespace = parsedValue.data.namespace;
    const result = await readAnalyze(target.value, namespace === null ? { kind: 'all' } : { kind: 'namespace', namespace }, ctx.deps);
    if (result.findings === null) {
      await click.tell(`:warning: Could not list the findings: ${escapeMrkdwn(result.errors[0] ?? 'istioctl analyze failed.')}`);
      return { outcome: 'error' };
    }
    const failure = await postListUnder(click.client, ctx, {
      channel: click.channel,
      threadTs: click.messageTs,
      title: `${counted(result.findings.length, 'finding')} in ${scopeLabel(result)}, as of ${clockTime(result.asOf)}`,
      text: renderFindingList(result),
      filename: `analyze-${result.cluster}-${namespace ?? 'all-namespaces'}.txt`,
    });
    if (failure !== null) await click.tell(cannotPost(failure));
    return { outcome: failure === null ? 'ok' : 'error' };
  }));
}
