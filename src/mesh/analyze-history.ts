import { z } from 'zod';
import type { AnalyzeFinding } from '../istioctl/parsers/analyze.ts';
import { RECORD_BUDGET_BYTES, recordName, storedBytes, type StateStore } from '../kube/state-store.ts';
import type { Result } from '../result.ts';
import { err, ok } from '../result.ts';
import { diffAgainstSnapshot, fitSnapshot, toSnapshot, type AnalyzeDiff, type AnalyzeSnapshot } from './analyze.ts';

/** The previous run a fresh analyze is compared with. */
export interface PreviousRun {
  /** When the previous analyze of this scope ran (ISO 8601). */
  readonly at: string;
  readonly diff: AnalyzeDiff;
}

/** What one analyze stores for the next one: when, and the compact snapshot (no messages, see toSnapshot). */
interface StoredRun {
  readonly at: string;
  readonly snapshot: AnalyzeSnapshot;
}

/** The snapshot as stored (analyze history and digest baselines): outside input, so anything else is refused. */
export const analyzeSnapshotSchema: z.ZodType<AnalyzeSnapshot> = z
  .object({
    version: z.literal(1),
    codes: z.array(z.string()),
    origins: z.array(z.string()),
    clusters: z.array(z.string()),
    entries: z.array(z.tuple([z.string(), z.number().int().min(0), z.number().int().min(0).max(2), z.number().int().min(0), z.number().int().min(-1)])),
    cutoff: z.object({ level: z.number().int().min(-1).max(2), fingerprint: z.string(), omitted: z.number().int().min(0) }).optional(),
  })
  // An entry names its code, origin and cluster by their place in the tables: one pointing past them was never
  // written by mesh-bot, and read anyway it becomes a finding with an empty code.
  .refine(
    (snapshot) => snapshot.entries.every(([, code, , origin, cluster]) => code < snapshot.codes.length && origin < snapshot.origins.length && cluster < snapshot.clusters.length),
    { message: 'an entry points past the code, origin or cluster table' },
  );

// The ConfigMap is outside input: anything else there (hand edits, an older format) is refused, not trusted.
const storedRun: z.ZodType<StoredRun> = z.object({ at: z.iso.datetime(), snapshot: analyzeSnapshotSchema });

/** `analyze -n default` and `analyze -A` of one cluster are different histories. */
export function historyRecordName(cluster: string, scope: string): string {
  return recordName('mesh-bot-analyze', cluster, scope);
}

export interface HistoryOutcome {
  /** null when there was no previous run of this scope (the first analyze). */
  readonly previous: PreviousRun | null;
  /** One sentence per problem with the store; the analyze answer is still given. */
  readonly errors: readonly string[];
}

/**
 * Compares `findings` with the previous analyze of the same cluster and scope, then stores them as the new
 * previous run. Kept in a ConfigMap (not in memory) so the comparison survives restarts and every replica
 * sees the same history. Last write wins: two analyzes at the same moment both compare with the run before.
 * `record: false` compares only (the terminal).
 */
export async function compareAndRecord(
  store: Result<StateStore, { readonly message: string }>,
  key: { readonly cluster: string; readonly scope: string },
  findings: readonly AnalyzeFinding[],
  now: Date,
  { record = true }: { readonly record?: boolean } = {},
): Promise<HistoryOutcome> {
  if (!store.ok) return { previous: null, errors: [`could not compare with the previous run: ${store.error.message}`] };
  const name = historyRecordName(key.cluster, key.scope);
  const errors: string[] = [];
  let previous: PreviousRun | null = null;
  const read = await store.value.get(name, storedRun);
  if (read.ok) {
    if (read.value) previous = { at: read.value.value.at, diff: diffAgainstSnapshot(read.value.value.snapshot, findings) };
  } else {
    errors.push(`could not compare with the previous run: ${read.error.message}`);
  }
  if (previous && previous.diff.notCompared > 0) {
    errors.push(`${plural(previous.diff.notCompared, 'finding')} (the least severe) not compared with the previous run, which had more findings than its ConfigMap holds.`);
  }
  if (!record) return { previous, errors };
  const at = now.toISOString();
  const snapshot = fitSnapshot(toSnapshot(findings), RECORD_BUDGET_BYTES, (candidate) => storedBytes({ at, snapshot: candidate }));
  if (snapshot.cutoff) {
    errors.push(`only the ${snapshot.entries.length} most severe of ${snapshot.entries.length + snapshot.cutoff.omitted} findings are kept for the next comparison (ConfigMap size limit); the other ${snapshot.cutoff.omitted} will not be compared.`);
  }
  const written = await writeRun(store.value, name, { at, snapshot }, key);
  if (!written.ok) errors.push(`could not save this run for the next comparison: ${written.error}`);
  return { previous, errors };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

async function writeRun(store: StateStore, name: string, run: StoredRun, key: { readonly cluster: string; readonly scope: string }): Promise<Result<void, string>> {
  const labels = { 'mesh-bot/kind': 'analyze-snapshot', 'mesh-bot/cluster': labelValue(key.cluster) };
  const written = await store.upsert(name, run, labels);
  return written.ok ? ok(undefined) : err(written.error.message);
}

/** Label values: at most 63 characters of `[A-Za-z0-9_.-]`, alphanumeric at both ends. */
function labelValue(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
