import type { App } from '@slack/bolt';
import { ROLLBACK_ACTION, ROLLBACK_WINDOW_MS, propagationLine } from '../../../../commands/canary.render.ts';
import { showEnded } from '../../../mesh/canary/cards.ts';
import { escapeMrkdwn } from '../../blocks.ts';
import { isNothingToChange } from '../../../mesh/canary/plan.ts';
import type { ListenerContext } from '../../context.ts';
import { requestFromButton, tellIfCardBehind } from './canary-decision.ts';
import { onClick } from './click.ts';

/**
 * "Roll back" on an applied promotion's card: canary to 0 % at once, for 15 minutes. The same rule as
 * `/mesh canary rollback`: operators roll back (DESIGN.md §4), approvers approve. It sends traffic back to the
 * stable subset of the request this card is about, whatever the rest of mesh-bot's records say.
 */
export function registerCanaryRollback(app: App, ctx: ListenerContext): void {
  onClick(app, ctx, ROLLBACK_ACTION, async (click) => {
    const found = await requestFromButton(ctx, click.value);
    if (typeof found === 'string') return click.refuse(found, 'invalid');
    const { request, service } = found;
    const operator = await ctx.access.role(click.user, 'operator', 'roll back canaries');
    if (!operator.allowed) return click.refuse(operator.reason);
    const appliedAt = request.outcome?.appliedAt ? Date.parse(request.outcome.appliedAt) : null;
    if (request.state !== 'applied' || appliedAt === null) return click.refuse('Only an applied promotion can be rolled back from its card.');
    if (request.rolledBack) return click.refuse(`This promotion was already rolled back by <@${request.rolledBack.by}>.`);
    if (request.supersededBy) return click.refuse(`Request ${request.supersededBy.id} changed these weights again since; roll back with \`/mesh canary rollback ${request.virtualService} -n ${request.namespace} --cluster ${request.cluster}\` instead.`);
    if (ctx.deps.now().getTime() - appliedAt > ROLLBACK_WINDOW_MS) {
      return click.refuse(`The card's rollback window (15 minutes) has passed. Run \`/mesh canary rollback ${request.virtualService} -n ${request.namespace} --cluster ${request.cluster} --to ${request.plan.stableSubset}\` instead.`);
    }
    const rolled = await service.rollback(request.namespace, request.virtualService, click.user, { to: request.plan.stableSubset, requestId: request.id });
    if (!rolled.ok && isNothingToChange(rolled.error)) {
      await click.tell(`:information_source: ${rolled.error}`);
      return { outcome: 'ok', detail: `${request.id} already rolled back` };
    }
    if (!rolled.ok) return click.refuse(rolled.error, 'error');
    const updated = rolled.value.rolledBack;
    if (updated) {
      const shown = await service.showCard(updated);
      const said = [`Rolled back by <@${click.user}>: ${request.namespace}/${request.virtualService} ${updated.rolledBack?.message ?? ''} ${propagationLine(rolled.value.propagation)}`, ...rolled.value.leftOnCanary.map(escapeMrkdwn)].join(' ');
      await ctx.deps.cards?.reply(updated, said);
      await tellIfCardBehind(ctx, click, shown, said);
    }
    await showEnded(service.showCard, ctx.deps.cards, rolled.value.cancelled);
    return { outcome: 'ok', detail: `${request.id} rolled back` };
  });
}
