import { z } from 'zod';
import { recordName, type StateStore, type StoreError } from '../kube/state-store.ts';
import { err, ok, type Result } from '../result.ts';

/**
 * Which digests a channel got for its latest fire time, across configurations. Each schedule's claim record is keyed
 * by the whole digest (channel, cluster, schedule, time zone, namespaces), so a changed digest is a new job: during a
 * rolling update the old pods post 09:00 under the old job while a new pod, started at 08:59, catches 09:00 up under
 * the new one. This record lets the new job see that the digest it replaces already went out at that time.
 */
const postedEntry = z.object({
  /** The digest as configured (digestKey). */
  digest: z.string(),
  cluster: z.string(),
  /** Set when this digest did not post because the entry it names (an earlier configuration's) already had. */
  replaces: z.string().optional(),
});
const channelPostsSchema = z.object({ firedAt: z.string(), posted: z.array(postedEntry) });
export type PostedEntry = z.output<typeof postedEntry>;
type ChannelPosts = z.output<typeof channelPostsSchema>;

export interface DigestIdentity {
  readonly channel: string;
  readonly cluster: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly namespaces?: readonly string[] | undefined;
}

export function digestKey(digest: DigestIdentity): string {
  return JSON.stringify([digest.channel, digest.cluster, digest.schedule, digest.timezone, digest.namespaces ?? []]);
}

const nameOf = (channel: string) => recordName('mesh-bot-digest-posts', channel);
const sameTime = (record: ChannelPosts, firedAt: Date) => Date.parse(record.firedAt) === firedAt.getTime();

/** `itself`: this digest posted the fire already; `replaced`: a digest of an earlier configuration did. */
export type AlreadyPosted = { readonly by: 'itself' } | { readonly by: 'replaced'; readonly replaced: string };

/** Why `mine` need not post at `firedAt`, or null when it must. `configured`: the digest keys of this replica's config. */
export async function alreadyPosted(store: StateStore, channel: string, mine: PostedEntry, firedAt: Date, configured: ReadonlySet<string>): Promise<Result<AlreadyPosted | null, StoreError>> {
  const read = await store.get(nameOf(channel), channelPostsSchema);
  if (!read.ok) return read;
  const record = read.value?.value;
  if (!record || !sameTime(record, firedAt)) return ok(null);
  if (record.posted.some((entry) => entry.digest === mine.digest)) return ok({ by: 'itself' });
  // A digest no longer configured, for the same cluster, not yet taken as replaced by another: the one this replaces.
  const replaced = record.posted.find(
    (entry) => entry.cluster === mine.cluster && !configured.has(entry.digest) && !record.posted.some((other) => other.replaces === entry.digest),
  );
  return ok(replaced ? { by: 'replaced', replaced: replaced.digest } : null);
}

/** Adds `entry` to the channel's record for `firedAt` (a newer fire time starts a new list); compare-and-swap, retried on a race. */
export async function notePosted(store: StateStore, channel: string, entry: PostedEntry, firedAt: Date): Promise<Result<void, StoreError>> {
  const name = nameOf(channel);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const read = await store.get(name, channelPostsSchema);
    if (!read.ok) return read;
    if (read.value === null) {
      const created = await store.create(name, { firedAt: firedAt.toISOString(), posted: [entry] }, { 'mesh-bot/kind': 'digest-posts' });
      if (created.ok) return ok(undefined);
      if (created.error.kind !== 'exists') return created;
      continue;
    }
    const record = read.value.value;
    // A later fire of this channel is already recorded: this late one must not hide it.
    if (Date.parse(record.firedAt) > firedAt.getTime()) return ok(undefined);
    const posted = sameTime(record, firedAt) ? [...record.posted, entry] : [entry];
    const written = await store.replace(read.value, { firedAt: firedAt.toISOString(), posted });
    if (written.ok) return ok(undefined);
    if (written.error.kind !== 'conflict') return written;
  }
  return err({ kind: 'conflict', message: `the record of digests posted to ${channel} kept changing while mesh-bot wrote it` });
}
