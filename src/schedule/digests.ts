import { composeDigest } from '../../commands/digest.ts';
import { digestDetail, digestHeadline } from '../../commands/digest.render.ts';
import type { Digest } from '../mesh/digest/types.ts';
import { context, escapeMrkdwn, message, section, type SlackMessage } from '../slack/blocks.ts';
import { refusedContent } from '../slack/errors.ts';
import { resolveCluster } from '../command.ts';
import type { StateStore } from '../kube/state-store.ts';
import type { DigestRunner } from '../server.ts';
import { alreadyPosted, digestKey, notePosted, type PostedEntry } from './channel-posts.ts';

/** The digest's one-line verdict, with what happened to the rest. */
function verdictOnly(digest: Digest, refused: string): SlackMessage {
  const headline = digestHeadline(digest);
  return message(headline, [
    section(escapeMrkdwn(headline)),
    context([`:warning: Slack refused the full digest (${escapeMrkdwn(refused)}), so its sections are left out here and the whole digest is in this message's thread; the next digest compares with the same earlier one, so nothing it would have shown as new is lost.`]),
  ]);
}

/**
 * A scheduled digest: content is built at fire time, posted through the paced poster — only while this replica
 * still owns the fire's claim — and only then do its facts become the baseline for "since the last digest". A
 * failed post rejects, so the scheduler retries the fire and the old baseline stays in place.
 *
 * The channel's record of posted digests is read before gathering and again right before posting: a fire that this
 * digest already posted (an owner that was cut off, or paused, and finished after the next leader took the claim
 * over), or that the digest of an earlier configuration it replaces posted (a rolling update that changed the
 * digest), is done without a second post. That record is a help, not the fence: when it cannot be read the digest
 * is posted as before.
 *
 * A digest whose message shortens a list (Slack's limits) gets the whole digest, as the terminal prints it, in its
 * thread (or as a file there when long).
 */
export const runScheduledDigest: DigestRunner = async (deps, poster, digest, firedAt, fence) => {
  const cluster = resolveCluster(deps.config, digest.cluster);
  if (!cluster.ok) {
    // Configuration is checked at start, so this cannot be retried into working; the fire is done.
    deps.logger.error({ digest: digest.channel, err: cluster.error }, 'digest names an unknown cluster');
    return;
  }
  const at = { channel: digest.channel, cluster: cluster.value.name, firedAt: firedAt.toISOString() };
  const mine: PostedEntry = { digest: digestKey({ ...digest, cluster: cluster.value.name }), cluster: cluster.value.name };
  const store = deps.state();
  const configured = new Set(
    deps.config.digests.flatMap((other) => {
      const otherCluster = resolveCluster(deps.config, other.cluster);
      return otherCluster.ok ? [digestKey({ ...other, cluster: otherCluster.value.name })] : [];
    }),
  );
  /** True when the channel already has this fire's digest (the reason is logged); false when it must be posted. */
  const postedBefore = async (records: StateStore): Promise<boolean> => {
    const earlier = await alreadyPosted(records, digest.channel, mine, firedAt, configured);
    if (!earlier.ok) {
      deps.logger.warn({ digest: at, err: earlier.error.message }, 'could not read which digests this channel already got; posting');
      return false;
    }
    if (earlier.value?.by === 'itself') {
      deps.logger.info({ digest: at }, 'digest already posted for this time; not posting it again');
      return true;
    }
    if (earlier.value?.by === 'replaced') {
      await notePosted(records, digest.channel, { ...mine, replaces: earlier.value.replaced }, firedAt);
      deps.logger.info({ digest: at, replaced: earlier.value.replaced }, 'the digest this one replaces (an earlier configuration) already posted for this time; not posting it again');
      return true;
    }
    return false;
  };

  if (store.ok && (await postedBefore(store.value))) return;
  const composed = await composeDigest(
    deps,
    { channel: digest.channel, cluster: cluster.value, timezone: digest.timezone, schedule: digest.schedule, ...(digest.namespaces ? { namespaces: digest.namespaces } : {}) },
    firedAt,
  );
  // Looked at again once gathered (gathering takes a while: another owner of this fire may have posted meanwhile),
  // outside the fence, so that a slow read never stands between the fence's check and the post.
  if (store.ok && (await postedBefore(store.value))) return;
  const posted = await poster.post(digest.channel, composed.message, fence).then(
    (message) => ({ ts: message.ts, refused: null }),
    (error: unknown) => {
      const answer = refusedContent(error);
      if (answer === null) throw error;
      return { ts: null, refused: answer };
    },
  );
  const { refused } = posted;
  // Slack's answer is final (nothing was posted) and the same blocks would be refused again: the channel gets the
  // verdict at least, with the whole digest in its thread, and the baseline stays, so the next digest still shows
  // what this one could not.
  if (refused !== null) deps.logger.error({ digest: at, slackError: refused }, 'Slack refused the digest message; posting its verdict alone');
  const threadTs = refused === null ? posted.ts : (await poster.post(digest.channel, verdictOnly(composed.digest, refused), fence)).ts;
  if (store.ok) {
    const noted = await notePosted(store.value, digest.channel, mine, firedAt);
    if (!noted.ok) deps.logger.warn({ digest: at, err: noted.error.message }, 'digest posted, but not noted in the channel’s record of posted digests');
  }
  if (refused === null) {
    const committed = await composed.commit();
    if (!committed.ok) deps.logger.warn({ digest: digest.channel, err: committed.error }, 'digest posted, but its facts were not stored as the next baseline');
  }
  // Last, once the fire is recorded as posted and its facts stored: the reply waits for the channel's spacing, and a
  // crash meanwhile must not have the fire retried into a second digest. A thread Slack does not take is logged.
  const detail = refused === null ? composed.detail : digestDetail(composed.digest);
  if (detail !== null && threadTs !== '') {
    await poster.reply(digest.channel, threadTs, detail, fence).catch((error: unknown) => deps.logger.warn({ digest: at, err: error }, 'digest posted, but not its full lists in its thread'));
  }
  deps.logger.info({ digest: at }, refused === null ? 'digest posted' : 'digest verdict posted');
};
