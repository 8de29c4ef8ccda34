import { composeDigest } from '../../commands/digest.ts';
import { resolveCluster } from '../command.ts';
import type { DigestRunner } from '../server.ts';

/**
 * A scheduled digest: content is built at fire time, posted through the paced poster — only while this replica
 * still owns the fire's claim — and only then do its facts become the baseline for "since the last digest". A
 * failed post rejects, so the scheduler retries the fire and the old baseline stays in place.
 */
export const runScheduledDigest: DigestRunner = async (deps, poster, digest, firedAt, fence) => {
  const cluster = resolveCluster(deps.config, digest.cluster);
  if (!cluster.ok) {
    // Configuration is checked at start, so this cannot be retried into working; the fire is done.
    deps.logger.error({ digest: digest.channel, err: cluster.error }, 'digest names an unknown cluster');
    return;
  }
  const composed = await composeDigest(
    deps,
    { channel: digest.channel, cluster: cluster.value, timezone: digest.timezone, schedule: digest.schedule, ...(digest.namespaces ? { namespaces: digest.namespaces } : {}) },
    firedAt,
  );
  await fence.commit(() => poster.post(digest.channel, composed.message));
  const committed = await composed.commit();
  if (!committed.ok) deps.logger.warn({ digest: digest.channel, err: committed.error }, 'digest posted, but its facts were not stored as the next baseline');
  deps.logger.info({ digest: { channel: digest.channel, cluster: cluster.value.name, firedAt: firedAt.toISOString() } }, 'digest posted');
};
