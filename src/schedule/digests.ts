import { composeDigest } from '../../commands/digest.ts';
import { resolveCluster } from '../command.ts';
import type { DigestRunner } from '../server.ts';

/**
 * A scheduled digest: content is built at fire time, posted through the paced poster, and only then do its
 * facts become the baseline for "since the last digest" (a failed post leaves the old baseline in place).
 */
export const runScheduledDigest: DigestRunner = async (deps, poster, digest, firedAt) => {
  const cluster = resolveCluster(deps.config, digest.cluster);
  if (!cluster.ok) {
    deps.logger.error({ digest: digest.channel, err: cluster.error }, 'digest names an unknown cluster');
    return;
  }
  const composed = await composeDigest(
    deps,
    { channel: digest.channel, cluster: cluster.value, timezone: digest.timezone, schedule: digest.schedule, ...(digest.namespaces ? { namespaces: digest.namespaces } : {}) },
    firedAt,
  );
  await poster.post(digest.channel, composed.message);
  const committed = await composed.commit();
  if (!committed.ok) deps.logger.warn({ digest: digest.channel, err: committed.error }, 'digest posted, but its facts were not stored as the next baseline');
  deps.logger.info({ digest: { channel: digest.channel, cluster: cluster.value.name, firedAt: firedAt.toISOString() } }, 'digest posted');
};
