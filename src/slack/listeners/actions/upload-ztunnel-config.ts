import type { App } from '@slack/bolt';
import { z } from 'zod';
import { renderZtunnelConfigText, ZC_SHOW_ALL_ACTION } from '../../../../commands/ztunnel-config.render.ts';
import { clockTime, resolveCluster } from '../../../command.ts';
import { ZTUNNEL_CONFIG_TYPES } from '../../../istioctl/ztunnel-config.ts';
import { readZtunnelConfig } from '../../../mesh/ztunnel-config.ts';
import { isDnsLabel, isDnsSubdomain } from '../../../names.ts';
import { safeJson } from '../../../json.ts';
import { escapeMrkdwn } from '../../blocks.ts';
import type { ListenerContext } from '../../context.ts';
import { attemptPost, cannotPost, uploadFile } from '../../thread-or-file.ts';
import { onClick, onePostAtATime } from './click.ts';

// The value goes back into Kubernetes and istioctl calls, so it is validated as strictly as typed input.
const buttonValue = z.object({
  cluster: z.string().min(1).max(100),
  type: z.enum(ZTUNNEL_CONFIG_TYPES),
  pod: z.string().refine(isDnsSubdomain).nullable(),
  namespace: z.string().refine(isDnsLabel).nullable(),
  node: z.string().refine(isDnsSubdomain).nullable(),
});

/**
 * "Show all": reads the same ztunnel-config again and uploads the complete text answer (every row of every
 * section) into the card's thread. The rows are names, addresses, protocols and certificate facts: no secrets.
 */
export function registerUploadZtunnelConfig(app: App, ctx: ListenerContext): void {
  onClick(app, ctx, ZC_SHOW_ALL_ACTION, onePostAtATime(async (click) => {
    const parsed = buttonValue.safeParse(safeJson(click.value ?? ''));
    const target = parsed.success ? resolveCluster(ctx.deps.config, parsed.data.cluster) : null;
    if (!parsed.success || !target?.ok) return click.refuse('This button refers to a cluster or pod mesh-bot cannot use. Run `/mesh ztunnel-config` again.', 'invalid');
    const { type, pod, namespace, node } = parsed.data;
    const result = await readZtunnelConfig(target.value, { type, ...(pod ? { pod: { name: pod, namespace: namespace ?? undefined } } : {}), ...(node ? { node } : {}) }, ctx.deps);
    if (result.report === null) {
      await click.tell(`:warning: Could not read the ztunnel configuration again: ${escapeMrkdwn(result.errors[0] ?? 'unknown error')}`);
      return { outcome: 'error' };
    }
    const title = `ztunnel-config ${type} (${target.value.name}), as of ${clockTime(result.asOf)}`;
    const failure = await attemptPost(
      ctx,
      () =>
        uploadFile(click.client, ctx, {
          channel: click.channel,
          threadTs: click.messageTs,
          content: renderZtunnelConfigText(result),
          filename: `ztunnel-config-${type}-${target.value.name}.txt`,
          title,
          comment: escapeMrkdwn(title),
        }),
      'ztunnel-config file',
    );
    if (failure !== null) await click.tell(cannotPost(failure));
    return { outcome: failure === null ? 'ok' : 'error' };
  }));
}
