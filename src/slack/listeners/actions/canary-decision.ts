import type { App, BlockButtonAction } from '@slack/bolt';
import { APPROVE_ACTION, REJECT_ACTION, propagationLine } from '../../../../commands/canary.render.ts';
import { resolveCluster } from '../../../command.ts';
import { weightChange, REQUEST_ID, promotionRequestSchema, type PromotionRequest } from '../../../mesh/canary/request.ts';
import type { Decision } from '../../../mesh/canary/service.ts';
import { canaryServiceFor } from '../../../mesh/canary/wiring.ts';
import { audit, postSafely, type AuditOutcome, type ListenerContext } from '../../context.ts';

/** Loads a request named by a button (the value is only a lookup key, never trusted for anything else). */
export async function requestFromButton(ctx: ListenerContext, value: string | undefined): Promise<PromotionRequest | string> {
  if (!value || !REQUEST_ID.test(value)) return 'This button does not name a promotion request mesh-bot knows.';
  const store = ctx.deps.state();
  if (!store.ok) return `mesh-bot cannot read promotion state: ${store.error.message}`;
  const read = await store.value.get(`mesh-bot-promo-${value}`, promotionRequestSchema);
  if (!read.ok) return read.error.message;
  return read.value?.value ?? `Promotion request ${value} is unknown (it may have been cleaned up after it expired).`;
}

function register(app: App, ctx: ListenerContext, actionId: string, decision: Decision): void {
  app.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
    await ack();
    const started = Date.now();
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container.channel_id ?? '';
    const finish = (outcome: AuditOutcome, detail: string) => {
      ctx.metrics.clicks.inc({ action: actionId, outcome });
      audit(ctx.logger, 'click', { user, channel, command: actionId, outcome, durationMs: Date.now() - started, detail });
    };
    const refuse = async (text: string, outcome: AuditOutcome = 'refused') => {
      await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', replace_original: false, text: `:no_entry: ${text}` }), 'refusal');
      finish(outcome, text);
    };

    const allowed = ctx.access.channel(channel);
    if (!allowed.allowed) return refuse(allowed.reason);
    const request = await requestFromButton(ctx, action.value);
    if (typeof request === 'string') return refuse(request, 'invalid');
    const verb = decision === 'approve' ? 'approve promotions' : 'reject promotions';
    // The requester may withdraw their own request; approving it always needs someone else.
    if (!(decision === 'reject' && user === request.requester)) {
      const role = await ctx.access.role(user, 'approver', verb);
      if (!role.allowed) return refuse(role.reason);
    }
    const target = resolveCluster(ctx.deps.config, request.cluster);
    if (!target.ok) return refuse(`Cluster ${request.cluster} of this request is no longer configured.`);
    const service = canaryServiceFor(ctx.deps, target.value);
    if (!service.ok) return refuse(service.error, 'error');

    const cards = ctx.deps.cards;
    const decided = await service.value.decide(request.id, user, decision, async (current) => {
      await cards?.update(current);
    });
    if (!decided.ok) return refuse(decided.error);
    const final = decided.value.request;
    await cards?.update(final);
    const change = weightChange(final.plan);
    const reply =
      final.state === 'applied'
        ? `Approved by <@${user}>: ${final.namespace}/${final.virtualService} ${change} (requested by <@${final.requester}>). ${propagationLine(final.outcome?.propagation ?? null)}`
        : final.state === 'rejected'
          ? `Rejected by <@${user}>: ${final.namespace}/${final.virtualService} ${change}. Nothing was changed.`
          : `Approved by <@${user}> but not applied: ${final.outcome?.message ?? 'unknown error'}`;
    await cards?.reply(final, reply);
    finish(final.state === 'failed' ? 'error' : 'ok', `${request.id} ${final.state}`);
  });
}

export function registerCanaryDecisions(app: App, ctx: ListenerContext): void {
  register(app, ctx, APPROVE_ACTION, 'approve');
  register(app, ctx, REJECT_ACTION, 'reject');
}
