import type { App } from '@slack/bolt';
import { z } from 'zod';
import { readStatus } from '../../../../commands/status.ts';
import { renderProblemList, SHOW_PROBLEMS_ACTION } from '../../../../commands/status.render.ts';
import { resolveCluster } from '../../../command.ts';
import { isDnsLabel } from '../../../names.ts';
import type { ListenerContext } from '../../context.ts';
import { CANNOT_POST, postListUnder } from '../../thread-or-file.ts';
import { safeJson } from '../../../json.ts';
import { onClick } from './click.ts';

const buttonValue = z.object({
  cluster: z.string().min(1).max(100),
  namespace: z.string().refine(isDnsLabel).nullable(),
});

/** "Show all problem proxies": the full list in the message's thread, or as a file when long. */
export function registerShowProblems(app: App, ctx: ListenerContext): void {
  onClick(app, ctx, SHOW_PROBLEMS_ACTION, async (click) => {
    const parsedValue = buttonValue.safeParse(safeJson(click.value ?? ''));
    const target = parsedValue.success ? resolveCluster(ctx.deps.config, parsedValue.data.cluster) : null;
    if (!parsedValue.success || !target?.ok) return click.refuse('This button refers to a cluster mesh-bot no longer knows. Run `/mesh status` again.', 'invalid');

    const result = await readStatus(target.value, parsedValue.data.namespace ?? undefined, ctx.deps);
    const count = result.summary.proxies?.problems.length ?? 0;
    const posted = await postListUnder(click.client, ctx.logger, {
      channel: click.channel,
      threadTs: click.messageTs,
      title: `${count} problem proxies in ${result.cluster}`,
      text: renderProblemList(result),
      filename: `problem-proxies-${result.cluster}.txt`,
    });
    if (!posted) await click.tell(CANNOT_POST);
    return { outcome: posted ? 'ok' : 'error' };
  });
}
