import type { App, BlockButtonAction } from '@slack/bolt';
import { ROLLBACK_ACTION, ROLLBACK_WINDOW_MS, propagationLine } from '../../../../commands/canary.render.ts';
import { resolveCluster } from '../../../command.ts';
import { canaryServiceFor } from '../../../mesh/canary/wiring.ts';
import { audit, postSafely, type AuditOutcome, type ListenerContext } from '../../context.ts';
import { requestFromButton } from './canary-decision.ts';

/** "Roll back" on an applied promotion's card: canary to 0 % at once, for operators and approvers, for 15 minutes. */
export function registerCanaryRollback(app: App, ctx: ListenerContext): void {
  app.action<BlockButtonAction>(ROLLBACK_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    const started = Date.now();
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container.channel_id ?? '';
    const finish = (outcome: AuditOutcome, detail: string) => {
      ctx.metrics.clicks.inc({ action: ROLLBACK_ACTION, outcome });
      audit(ctx.logger, 'click', { user, channel, command: ROLLBACK_ACTION, outcome, durationMs: Date.now() - started, detail });
    };
    const refuse = async (text: string, outcome: AuditOutcome = 'refused') => {
      await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', replace_original: false, text: `:no_entry: ${text}` }), 'refusal');
      finish(outcome, text);
    };

    const allowed = ctx.access.channel(channel);
    if (!allowed.allowed) return refuse(allowed.reason);
    const request = await requestFromButton(ctx, action.value);
    if (typeof request === 'string') return refuse(request, 'invalid');
    const operator = await ctx.access.role(user, 'operator', 'roll back canaries');
    if (!operator.allowed && !(await ctx.access.role(user, 'approver', 'roll back canaries')).allowed) return refuse(operator.reason.replace('Only operators', 'Only operators and approvers'));
    const appliedAt = request.outcome?.appliedAt ? Date.parse(request.outcome.appliedAt) : null;
    if (request.state !== 'applied' || appliedAt === null) return refuse('Only an applied promotion can be rolled back from its card.');
    if (request.rolledBack) return refuse(`This promotion was already rolled back by <@${request.rolledBack.by}>.`);
    if (ctx.deps.now().getTime() - appliedAt > ROLLBACK_WINDOW_MS) {
      return refuse(`The card's rollback window (15 minutes) has passed. Run \`/mesh canary rollback ${request.virtualService} -n ${request.namespace} --cluster ${request.cluster}\` instead.`);
    }
    const target = resolveCluster(ctx.deps.config, request.cluster);
    if (!target.ok) return refuse(`Cluster ${request.cluster} of this request is no longer configured.`);
    const service = canaryServiceFor(ctx.deps, target.value);
    if (!service.ok) return refuse(service.error, 'error');
    const rolled = await service.value.rollback(request.namespace, request.virtualService, user);
    if (!rolled.ok) return refuse(rolled.error, 'error');
    const note = `${request.plan.canarySubset} back to 0%. ${propagationLine(rolled.value.propagation)}`;
    const updated = await service.value.markRolledBack(request.id, user, note);
    if (updated) {
      await ctx.deps.cards?.update(updated);
      await ctx.deps.cards?.reply(updated, `Rolled back by <@${user}>: ${request.namespace}/${request.virtualService} ${note}`);
    }
    finish('ok', `${request.id} rolled back`);
  });
}
