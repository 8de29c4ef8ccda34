import type { App } from '@slack/bolt';
import { APPROVE_ACTION, REJECT_ACTION, propagationLine } from '../../../../commands/canary.render.ts';
import { resolveCluster } from '../../../command.ts';
import { cardKey, weightChange, REQUEST_ID, promotionRequestSchema, type PromotionRequest } from '../../../mesh/canary/request.ts';
import { escapeMrkdwnKeepingMentions } from '../../blocks.ts';
import { canaryServiceFor } from '../../../mesh/canary/wiring.ts';
import type { CanaryService, Decision } from '../../../mesh/canary/service.ts';
import type { ListenerContext } from '../../context.ts';
import { onClick, type Click, type ClickOutcome } from './click.ts';

/** A promotion request named by a button, and the canary service of its cluster; a string says why not. */
export async function requestFromButton(ctx: ListenerContext, value: string | undefined): Promise<{ request: PromotionRequest; service: CanaryService } | string> {
  if (!value || !REQUEST_ID.test(value)) return 'This button does not name a promotion request mesh-bot knows.';
  const store = ctx.deps.state();
  if (!store.ok) return `mesh-bot cannot read promotion state: ${store.error.message}`;
  const read = await store.value.get(`mesh-bot-promo-${value}`, promotionRequestSchema);
  if (!read.ok) return read.error.message;
  const request = read.value?.value;
  if (!request) return `Promotion request ${value} is unknown (it may have been cleaned up after it expired).`;
  const target = resolveCluster(ctx.deps.config, request.cluster);
  if (!target.ok) return `Cluster ${request.cluster} of this request is no longer configured.`;
  const service = canaryServiceFor(ctx.deps, target.value);
  return service.ok ? { request, service: service.value } : service.error;
}

/**
 * The card is the clicker's feedback. One that could not be rewritten (deleted from the channel, Slack down) still
 * shows the buttons just clicked, so the outcome (`said`, as replied in the card's thread) is told to the clicker too.
 */
export async function tellIfCardBehind(ctx: ListenerContext, click: Click, shown: PromotionRequest, said: string): Promise<void> {
  if (shown.card === null || shown.cardShows === undefined || shown.cardShows === cardKey(shown, ctx.deps.now())) return;
  await click.tell(`${escapeMrkdwnKeepingMentions(said)} The card could not be updated (it may have been deleted from the channel).`);
}

async function decide(ctx: ListenerContext, click: Click, decision: Decision): Promise<ClickOutcome> {
  const found = await requestFromButton(ctx, click.value);
  if (typeof found === 'string') return click.refuse(found, 'invalid');
  const { request, service } = found;
  // The requester may withdraw their own request; approving it always needs someone else.
  if (!(decision === 'reject' && click.user === request.requester)) {
    const role = await ctx.access.role(click.user, 'approver', decision === 'approve' ? 'approve promotions' : 'reject promotions');
    if (!role.allowed) return click.refuse(role.reason);
  }
  const cards = ctx.deps.cards;
  const decided = await service.decide(request.id, click.user, decision, async (current) => {
    await service.showCard(current);
  });
  if (!decided.ok) {
    // The click may have ended the request (expired), or the card clicked may be stale: show what is true now.
    const current = await service.get(request.id);
    if (current && current.state !== 'pending') {
      await service.showCard(current);
      if (click.messageTs && click.messageTs !== current.card?.ts) await service.showCard(current, { channel: click.channel, ts: click.messageTs });
    }
    return click.refuse(decided.error);
  }
  const final = await service.showCard(decided.value.request);
  const change = `${final.namespace}/${final.virtualService} ${weightChange(final.plan)}`;
  const reply =
    final.state === 'applied'
      ? `Approved by <@${click.user}>: ${change} (requested by <@${final.requester}>). ${propagationLine(final.outcome?.propagation ?? null)}`
      : final.state === 'rejected'
        ? `${click.user === final.requester ? 'Withdrawn' : 'Rejected'} by <@${click.user}>: ${change}. Nothing was changed.`
        : final.state === 'approved'
          ? `Approved by <@${click.user}>; the outcome is not known yet: ${final.outcome?.message ?? 'still applying'}`
          : `Approved by <@${click.user}> but not applied: ${final.outcome?.message ?? 'unknown error'}`;
  await cards?.reply(final, reply);
  await tellIfCardBehind(ctx, click, final, reply);
  for (const earlier of decided.value.superseded ?? []) {
    await service.showCard(earlier);
    await cards?.reply(earlier, `Superseded: request ${final.id} changed ${change} (approved by <@${click.user}>).`);
  }
  return { outcome: final.state === 'failed' ? 'error' : 'ok', detail: `${request.id} ${final.state}` };
}

export function registerCanaryDecisions(app: App, ctx: ListenerContext): void {
  onClick(app, ctx, APPROVE_ACTION, (click) => decide(ctx, click, 'approve'));
  onClick(app, ctx, REJECT_ACTION, (click) => decide(ctx, click, 'reject'));
}
