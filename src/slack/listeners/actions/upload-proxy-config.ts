import type { App } from '@slack/bolt';
import { z } from 'zod';
import { proxyConfigFailure } from '../../../../commands/proxy-config.ts';
import { UPLOAD_FULL_ACTION } from '../../../../commands/proxy-config.render.ts';
import { clockTime, resolveCluster } from '../../../command.ts';
import { PROXY_CONFIG_TYPES } from '../../../istioctl/istioctl.ts';
import { redactProxyConfig } from '../../../mesh/proxy-config-report.ts';
import { REDACTED, redactText } from '../../../mesh/redact.ts';
import { escapeMrkdwn } from '../../blocks.ts';
import { isDnsLabel, isDnsSubdomain } from '../../../names.ts';
import type { ListenerContext } from '../../context.ts';
import { attemptPost, cannotPost, uploadFile } from '../../thread-or-file.ts';
import { safeJson } from '../../../json.ts';
import { onClick, onePostAtATime } from './click.ts';

// Everything in the value goes back into an istioctl argument list, so it is validated as strictly as typed input.
const buttonValue = z.object({
  cluster: z.string().min(1).max(100),
  type: z.enum(PROXY_CONFIG_TYPES),
  pod: z.string().refine(isDnsSubdomain),
  namespace: z.string().refine(isDnsLabel),
});

/**
 * "Upload full output (redacted)": runs the machine-readable form of the same proxy-config (the JSON, or the
 * text for `log`), keeps only the allow-listed routing facts (src/mesh/redact.ts), and uploads the result with
 * files.uploadV2 into the message's thread. Nothing unredacted is posted or logged.
 */
export function registerUploadProxyConfig(app: App, ctx: ListenerContext): void {
  onClick(app, ctx, UPLOAD_FULL_ACTION, onePostAtATime(async (click) => {
    const parsedValue = buttonValue.safeParse(safeJson(click.value ?? ''));
    const target = parsedValue.success ? resolveCluster(ctx.deps.config, parsedValue.data.cluster) : null;
    if (!parsedValue.success || !target?.ok) return click.refuse('This button refers to a cluster or pod mesh-bot cannot use. Run `/mesh proxy-config` again.', 'invalid');

    const { type, pod, namespace } = parsedValue.data;
    const outcome = await ctx.deps.istioctl.proxyConfig(target.value, { type, pod, namespace, full: true });
    if (!outcome.ok) {
      const reason = await proxyConfigFailure(outcome.error, `${pod}.${namespace}`, ctx.deps);
      await click.tell(`:warning: Could not read the full output: ${escapeMrkdwn(redactText(reason))}`);
      return { outcome: 'error' };
    }
    const redacted = redactProxyConfig(outcome.value.value);
    const title = `proxy-config ${type} of ${pod}.${namespace} (${target.value.name}), redacted, as of ${clockTime(outcome.value.asOf)}`;
    const failure = await attemptPost(
      ctx,
      () =>
        uploadFile(click.client, ctx, {
          channel: click.channel,
          threadTs: click.messageTs,
          content: redacted.content,
          filename: `proxy-config-${type}-${pod}.${namespace}.${redacted.extension}`,
          title,
          comment: `${escapeMrkdwn(title)}. Only names, addresses, ports, domains, route paths, enums, times, versions and certificate facts (serial, identity, validity) are kept; every other value reads ${REDACTED}.`,
        }),
      'proxy-config file',
    );
    if (failure !== null) await click.tell(cannotPost(failure));
    return { outcome: failure === null ? 'ok' : 'error' };
  }));
}
