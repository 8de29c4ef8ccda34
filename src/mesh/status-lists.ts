import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { recordName, type StateStore } from '../kube/state-store.ts';
import { err, ok, type Result } from '../result.ts';

/**
 * The full problem-proxy list of recent `/mesh status` runs, kept so that "Show all problem proxies" posts the
 * list of the run its card shows (same "as of"), on whichever replica receives the click, instead of a new
 * istioctl run that may disagree with the card. One ConfigMap per cluster and namespace scope holds the newest
 * few runs, so storage stays bounded without a sweep; a click on an older card finds its run gone and says so.
 */

/** Runs kept per scope: cards older than the last few runs of the same scope fall back to a new run. */
const RUNS_KEPT = 3;
/** gzip + base64 budget for all kept runs together, well inside the ConfigMap limit. */
const MAX_STORED_CHARS = 600 * 1024;

export interface ProblemList {
  /** The run's "as of" (ISO 8601), the key a card's button carries. */
  readonly asOf: string;
  readonly count: number;
  readonly text: string;
}

const storedLists = z.object({
  runs: z.array(z.object({ asOf: z.string(), count: z.number().int().min(0), gzip: z.string() })).max(RUNS_KEPT),
});
type StoredLists = z.infer<typeof storedLists>;

export interface ListScope {
  readonly cluster: string;
  /** undefined: the whole mesh. */
  readonly namespace: string | undefined;
}

export function problemListRecordName(scope: ListScope): string {
  return recordName('mesh-bot-status', scope.cluster, scope.namespace ?? 'all-namespaces');
}

/** Stores a run's list (a second card of the same run, e.g. from a coalesced istioctl, writes it once). */
export async function keepProblemList(store: StateStore, scope: ListScope, list: ProblemList): Promise<Result<void, string>> {
  const name = problemListRecordName(scope);
  const entry = { asOf: list.asOf, count: list.count, gzip: gzipSync(list.text).toString('base64') };
  if (entry.gzip.length > MAX_STORED_CHARS) return err(`the problem list is too large to keep (${entry.gzip.length} characters compressed)`);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const current = await store.get(name, storedLists);
    if (!current.ok) return err(current.error.message);
    // Many cards of one coalesced istioctl run: the first one keeps the list.
    if (current.value?.value.runs.some((run) => run.asOf === list.asOf)) return ok(undefined);
    const others = (current.value?.value.runs ?? []).filter((run) => run.asOf !== list.asOf);
    const runs = [entry, ...others].sort((a, b) => b.asOf.localeCompare(a.asOf)).slice(0, RUNS_KEPT);
    while (runs.reduce((sum, run) => sum + run.gzip.length, 0) > MAX_STORED_CHARS) runs.pop();
    const value: StoredLists = { runs };
    const written = current.value ? await store.replace(current.value, value) : await store.create(name, value, { 'mesh-bot/kind': 'status-problems' });
    if (written.ok) return ok(undefined);
    if (written.error.kind !== 'conflict' && written.error.kind !== 'exists') return err(written.error.message);
  }
  return err('another replica kept writing the problem list at the same time');
}

/** The list of the run with that "as of", or null when it is no longer kept. */
export async function findProblemList(store: StateStore, scope: ListScope, asOf: string): Promise<Result<ProblemList | null, string>> {
  const current = await store.get(problemListRecordName(scope), storedLists);
  if (!current.ok) return err(current.error.message);
  const run = current.value?.value.runs.find((candidate) => candidate.asOf === asOf);
  if (!run) return ok(null);
  try {
    return ok({ asOf: run.asOf, count: run.count, text: gunzipSync(Buffer.from(run.gzip, 'base64')).toString('utf8') });
  } catch {
    return err(`the kept problem list in ConfigMap ${store.namespace}/${problemListRecordName(scope)} is damaged`);
  }
}
