import { defineCommand, type CommandDeps, type CommandResult } from '../src/command.ts';
import type { AppConfig } from '../src/config.ts';
import { CLUSTER_FLAG, clip, grammarWord, parseArgs } from '../src/grammar.ts';
import { gatherDigest, type DigestTarget } from '../src/mesh/digest/gather.ts';
import type { Digest } from '../src/mesh/digest/types.ts';
import { err, ok, type Result } from '../src/result.ts';
import type { SlackMessage } from '../src/slack/blocks.ts';
import type { ThreadDetail } from '../src/slack/thread-or-file.ts';
import { digestDetail, digestErrors, digestForSlack, renderDigestJson, renderDigestSlack, renderDigestText } from './digest.render.ts';

export interface DigestArgs {
  readonly cluster: string | undefined;
}

/** The scheduled digests (config `digests:`) of a channel and cluster. */
function scheduledDigests(deps: CommandDeps, channel: string | undefined, cluster: string): AppConfig['digests'] {
  const defaultName = deps.config.clusters.find((candidate) => candidate.default)?.name;
  return deps.config.digests.filter((digest) => digest.channel === channel && (digest.cluster ?? defaultName) === cluster);
}

/**
 * An on-demand digest uses the zone of the channel's scheduled digest for that cluster, else UTC (stated in the
 * header): the whole-mesh one first, whose baseline it shares, then any scoped one.
 */
function onDemandTimezone(deps: CommandDeps, channel: string | undefined, cluster: string): string {
  const scheduled = scheduledDigests(deps, channel, cluster);
  return (scheduled.find((digest) => (digest.namespaces ?? []).length === 0) ?? scheduled[0])?.timezone ?? 'UTC';
}

/** Whether a scheduled digest of this channel and cluster (whole mesh) shares the on-demand digest's baseline. */
function scheduledHere(deps: CommandDeps, channel: string, cluster: string): boolean {
  return scheduledDigests(deps, channel, cluster).some((digest) => (digest.namespaces ?? []).length === 0);
}

/** A digest gathered at fire time and rendered three ways; its facts become the next baseline only on `commit`. */
export interface ComposedDigest {
  readonly digest: Digest;
  /** The Block Kit message, with its one-line top-level `text`. */
  readonly message: SlackMessage;
  /** The whole digest, to post under the message when the message shortens it (DESIGN.md §6); else null. */
  readonly detail: ThreadDetail | null;
  readonly json: Record<string, unknown>;
  /** Stores this digest's facts as the next baseline; call after a successful post. Errors are one sentence. */
  commit(): Promise<Result<void, string>>;
}

/** The scheduler's entry point (src/schedule/digests.ts). */
export async function composeDigest(deps: CommandDeps, target: DigestTarget, firedAt: Date): Promise<ComposedDigest> {
  const gathered = await gatherDigest(deps, target, firedAt);
  const { digest } = gathered;
  const slack = digestForSlack(digest);
  return { digest, message: slack.message, detail: slack.leavesOut ? digestDetail(digest) : null, json: renderDigestJson(digest), commit: () => gathered.commit() };
}

function digestResult(withErrors: Digest): CommandResult {
  const sections = [withErrors.controlPlane, withErrors.proxies, withErrors.analyze, withErrors.rootCa, withErrors.workloadCerts, withErrors.canaries, withErrors.pending];
  return {
    envelope: { command: 'digest', cluster: withErrors.cluster, asOf: withErrors.firedAt, errors: digestErrors(withErrors) },
    failed: sections.every((result) => !result.ok),
    // As `status` without istioctl's proxy list: proxy sync, version skew and the certificate sample all stand on it,
    // so a script reading the exit code must not take this digest for a full read — unless, as `status` says
    // "control plane down", the Kubernetes API shows no istiod ready: then that is the verdict, and why nothing lists them.
    incomplete: !withErrors.proxies.ok && !(withErrors.controlPlane.ok && withErrors.controlPlane.value.ready === 0),
    toJson: () => renderDigestJson(withErrors),
    toText: () => renderDigestText(withErrors),
    toSlack: () => renderDigestSlack(withErrors),
  };
}

export const digestCommand = defineCommand<DigestArgs>({
  name: 'digest',
  aliases: [],
  usage: 'digest [now] [--cluster NAME]',
  summary: 'the mesh digest now, in this channel: what got worse since the last digest',
  role: 'reader',
  parse(tokens) {
    const parsed = parseArgs(tokens, [CLUSTER_FLAG]);
    if (!parsed.ok) return parsed;
    const [first, second] = parsed.value.positionals;
    if (first !== undefined && grammarWord(first, ['now']) === undefined) return err(`unexpected argument "${clip(first)}" (only \`digest now\` exists; scheduled digests are set in the config file)`);
    if (second !== undefined) return err(`unexpected argument "${clip(second)}"`);
    const cluster = parsed.value.flags.get('cluster');
    return ok({ cluster: typeof cluster === 'string' ? cluster : undefined });
  },
  /**
   * Slack: the digest of this channel and cluster (whole mesh), compared with that channel's baseline, which it
   * replaces once the message is in the channel. Terminal: read-only, compares with nothing and stores nothing.
   */
  async execute(_args, target, deps, invocation) {
    const firedAt = deps.now();
    const timezone = onDemandTimezone(deps, invocation.channel, target.name);
    if (invocation.surface === 'terminal' || invocation.channel === undefined) {
      const gathered = await gatherDigest(deps, { channel: 'terminal', cluster: target, timezone }, firedAt, { compare: false });
      return digestResult(gathered.digest);
    }
    const gathered = await gatherDigest(deps, { channel: invocation.channel, cluster: target, timezone }, firedAt);
    const channel = invocation.channel;
    const slack = digestForSlack(gathered.digest);
    return {
      ...digestResult(gathered.digest),
      toSlack: () => slack.message,
      ...(slack.leavesOut ? { threadDetail: digestDetail(gathered.digest) } : {}),
      channelMessage: true,
      afterPost: async () => {
        // Anyone may ask for a digest (reader role); only the schedule moves a scheduled digest's baseline, so
        // asking twice cannot hide a change from the next scheduled digest.
        if (scheduledHere(deps, channel, target.name)) return;
        const committed = await gathered.commit();
        if (!committed.ok) deps.logger.warn({ digest: channel, err: committed.error }, 'digest baseline not stored');
      },
    };
  },
});
