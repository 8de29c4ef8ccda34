import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { UPLOAD_FULL_ACTION } from '../../../../commands/proxy-config.render.ts';
import { clockTime, resolveCluster } from '../../../command.ts';
import { PROXY_CONFIG_TYPES } from '../../../istioctl/istioctl.ts';
import { redactProxyConfig } from '../../../mesh/proxy-config-report.ts';
import { isDnsLabel, isDnsSubdomain } from '../../../names.ts';
import { audit, postSafely, type AuditOutcome, type ListenerContext } from '../../context.ts';
import { safeJson } from './show-problems.ts';

// Everything in the value goes back into an istioctl argument list, so it is validated as strictly as typed input.
const buttonValue = z.object({
  cluster: z.string().min(1).max(100),
  type: z.enum(PROXY_CONFIG_TYPES),
  pod: z.string().refine(isDnsSubdomain),
  namespace: z.string().refine(isDnsLabel),
});

/**
 * "Upload full output (redacted)": runs the machine-readable form of the same proxy-config (the JSON, or the
 * text for `log`), removes keys, certificates, tokens and credentials, and uploads the result with
 * files.uploadV2 into the message's thread. Nothing unredacted is posted or logged.
 */
export function registerUploadProxyConfig(app: App, ctx: ListenerContext): void {
  app.action<BlockButtonAction>(UPLOAD_FULL_ACTION, async ({ ack, body, action, client, respond }) => {
    await ack();
    const started = Date.now();
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container.channel_id ?? '';
    const finish = (outcome: AuditOutcome, detail?: string) => {
      ctx.metrics.clicks.inc({ action: UPLOAD_FULL_ACTION, outcome });
      audit(ctx.logger, 'click', { user, channel, command: UPLOAD_FULL_ACTION, outcome, durationMs: Date.now() - started, ...(detail ? { detail } : {}) });
    };
    const tell = (text: string, what: string) => postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', replace_original: false, text }), what);

    const allowed = ctx.access.channel(channel);
    if (!allowed.allowed) {
      await tell(`:no_entry: ${allowed.reason}`, 'refusal');
      finish('refused', 'channel');
      return;
    }
    const parsedValue = buttonValue.safeParse(safeJson(action.value ?? ''));
    const target = parsedValue.success ? resolveCluster(ctx.deps.config, parsedValue.data.cluster) : null;
    if (!parsedValue.success || !target?.ok) {
      await tell(':x: This button refers to a cluster or pod mesh-bot cannot use. Run `/mesh proxy-config` again.', 'invalid');
      finish('invalid');
      return;
    }

    const { type, pod, namespace } = parsedValue.data;
    const outcome = await ctx.deps.istioctl.proxyConfig(target.value, { type, pod, namespace, full: true });
    if (!outcome.ok) {
      await tell(`:warning: Could not read the full output: ${outcome.error.message}`, 'proxy-config failure');
      finish('error');
      return;
    }
    const redacted = redactProxyConfig(outcome.value.value);
    const threadTs = body.container.message_ts ?? body.message?.ts;
    const title = `proxy-config ${type} of ${pod}.${namespace} (${target.value.name}), redacted, as of ${clockTime(outcome.value.asOf)}`;
    const posted = await postSafely(
      ctx.logger,
      () =>
        client.files.uploadV2({
          channel_id: channel,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          content: redacted.content,
          filename: `proxy-config-${type}-${pod}.${namespace}.${redacted.extension}`,
          title,
          initial_comment: `${title}. Private keys, certificate bodies, tokens and credentials are removed.`,
        }),
      'proxy-config file',
    );
    if (!posted) await tell(':warning: mesh-bot could not upload the file here. Invite it (`/invite @mesh-bot`) and click again.', 'post failure notice');
    finish(posted ? 'ok' : 'error');
  });
}
