import type { App } from '@slack/bolt';
import { z } from 'zod';
import { readStatus } from '../../../../commands/status.ts';
import { renderProblemList, SHOW_PROBLEMS_ACTION } from '../../../../commands/status.render.ts';
import { clockTime, resolveCluster } from '../../../command.ts';
import { isDnsLabel } from '../../../names.ts';
import { findProblemList, type ProblemList } from '../../../mesh/status-lists.ts';
import type { ListenerContext } from '../../context.ts';
import { cannotPost, postListUnder } from '../../thread-or-file.ts';
import { safeJson } from '../../../json.ts';
import { err } from '../../../result.ts';
import { counted } from '../../../words.ts';
import { onClick, onePostAtATime } from './click.ts';

const buttonValue = z.object({
  cluster: z.string().min(1).max(100),
  namespace: z.string().refine(isDnsLabel).nullable(),
  /** The card's run; cards posted before it was carried have none and get a new run. */
  asOf: z.iso.datetime().optional(),
});

/**
 * "Show all problem proxies": the full list of the card's own run in the message's thread, or as a file when
 * long. Only when that run is no longer kept (several newer runs of the same scope since) is a new run read,
 * and the reply says so with both times.
 */
export function registerShowProblems(app: App, ctx: ListenerContext): void {
  onClick(app, ctx, SHOW_PROBLEMS_ACTION, onePostAtATime(async (click) => {
    const parsedValue = buttonValue.safeParse(safeJson(click.value ?? ''));
    const target = parsedValue.success ? resolveCluster(ctx.deps.config, parsedValue.data.cluster) : null;
    if (!parsedValue.success || !target?.ok) return click.refuse('This button refers to a cluster mesh-bot no longer knows. Run `/mesh status` again.', 'invalid');

    const { namespace, asOf } = parsedValue.data;
    const scope = { cluster: target.value.name, namespace: namespace ?? undefined };
    let list: ProblemList | null = null;
    let why = 'the card does not say which run it shows';
    if (asOf !== undefined) {
      const store = ctx.deps.state();
      const found = store.ok ? await findProblemList(store.value, scope, asOf) : err(store.error.message);
      why = found.ok ? 'newer runs of the same status replaced it' : found.error;
      list = found.ok ? found.value : null;
    }
    if (list === null) {
      const fresh = await readStatus(target.value, scope.namespace, ctx.deps);
      const card = asOf === undefined ? '' : ` of the card (${clockTime(new Date(asOf))})`;
      list = {
        asOf: fresh.asOf.toISOString(),
        count: fresh.summary.proxies?.problems.length ?? 0,
        text: `The list${card} is no longer available (${why}); this is a new run.\n${renderProblemList(fresh)}`,
      };
    }
    const failure = await postListUnder(click.client, ctx, {
      channel: click.channel,
      threadTs: click.messageTs,
      title: `${counted(list.count, 'problem proxy', 'problem proxies')} in ${scope.namespace === undefined ? scope.cluster : `${scope.cluster}/${scope.namespace}`}, as of ${clockTime(new Date(list.asOf))}`,
      text: list.text,
      filename: `problem-proxies-${scope.cluster}.txt`,
    });
    if (failure !== null) await click.tell(cannotPost(failure));
    return { outcome: failure === null ? 'ok' : 'error' };
  }));
}
