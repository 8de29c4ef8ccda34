import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { RECORD_BUDGET_BYTES, recordName, type StateStore } from '../../kube/state-store.ts';
import { analyzeSnapshotSchema } from '../analyze-history.ts';
import { err, ok, type Result } from '../../result.ts';
import { fitSnapshot, type AnalyzeSnapshot } from '../analyze.ts';
import type { AmbientBaselineFacts } from './ambient.ts';

/**
 * What a digest remembers for the next one: counts, fingerprints and dates only, never messages or certificates.
 * A section that could not be read keeps the previous digest's facts (with their own `at`), so one bad morning
 * does not turn every finding into "new" the day after.
 */
export interface DigestBaseline {
  readonly version: 1;
  /** When the digest that wrote this ran (ISO 8601). */
  readonly at: string;
  readonly controlPlane: { readonly at: string; readonly restarts: Readonly<Record<string, number>> } | null;
  readonly proxies: { readonly at: string; readonly total: number; readonly stale: number; readonly error: number } | null;
  /** The analyze snapshot (src/mesh/analyze.ts), gzip + base64: 10,000 findings take ~200 KB instead of ~620 KB. */
  readonly analyze: { readonly at: string; readonly snapshot: string } | null;
  readonly rootCa: { readonly at: string; readonly serials: readonly string[] } | null;
  /** Absent in baselines written before ambient digests, and null while the mesh has no ztunnel. */
  readonly ambient?: AmbientBaselineFacts | null;
}

const at = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'not an ISO 8601 time');

// The ConfigMap is outside input (hand edits, older formats): anything unexpected is refused, not trusted.
export const baselineSchema: z.ZodType<DigestBaseline> = z.object({
  version: z.literal(1),
  at,
  controlPlane: z.object({ at, restarts: z.record(z.string(), z.number().int().min(0)) }).nullable(),
  proxies: z.object({ at, total: z.number().int().min(0), stale: z.number().int().min(0), error: z.number().int().min(0) }).nullable(),
  analyze: z.object({ at, snapshot: z.string() }).nullable(),
  rootCa: z.object({ at, serials: z.array(z.string()) }).nullable(),
  ambient: z
    .object({
      at,
      ready: z.number().int().min(0),
      desired: z.number().int().min(0),
      notProgrammed: z.array(z.string()),
      notProgrammedCount: z.number().int().min(0).optional(),
      notCaptured: z.number().int().min(0),
      notCapturedPods: z.array(z.string()).optional(),
      earliestNotAfter: z.string().nullable(),
      lastSeen: z.object({ at, ready: z.number().int().min(0), desired: z.number().int().min(0) }).nullable().optional(),
      notRead: z.array(z.enum(['waypoints', 'capture'])).optional(),
    })
    .nullable()
    .optional(),
});

/** The analyze share of a baseline: the rest (counts, restarts, serials) takes a few KiB. */
const ANALYZE_BUDGET_BYTES = RECORD_BUDGET_BYTES - 32 * 1024;

function gzipJson(value: unknown): Buffer {
  return gzipSync(JSON.stringify(value));
}

/**
 * gzip + base64 of the snapshot, cut to its most severe findings when it would not fit the ConfigMap (see
 * fitSnapshot): the baseline always moves on to the newest digest instead of freezing on the last one that fit.
 */
export function packSnapshot(snapshot: AnalyzeSnapshot): string {
  // fitSnapshot returns the candidate it measured last: its gzip is reused rather than made again.
  let last: { readonly candidate: AnalyzeSnapshot; readonly packed: Buffer } | undefined;
  const fitted = fitSnapshot(snapshot, ANALYZE_BUDGET_BYTES, (candidate) => {
    last = { candidate, packed: gzipJson(candidate) };
    return last.packed.length;
  });
  return (last?.candidate === fitted ? last.packed : gzipJson(fitted)).toString('base64');
}

export function unpackSnapshot(packed: string): Result<AnalyzeSnapshot, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(gunzipSync(Buffer.from(packed, 'base64')).toString('utf8')) as unknown;
  } catch {
    return err('the stored analyze snapshot is not readable');
  }
  const parsed = analyzeSnapshotSchema.safeParse(raw);
  return parsed.success ? ok(parsed.data) : err(`the stored analyze snapshot has an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'})`);
}

/**
 * One baseline per channel, cluster and namespace scope: two channels with different digests of one cluster do
 * not steal each other's "since last digest".
 */
export function baselineRecordName(cluster: string, channel: string, namespaces: readonly string[] | undefined): string {
  return recordName('mesh-bot-digest', cluster, channel, ...[...(namespaces ?? [])].sort());
}

const LABELS = { 'mesh-bot/kind': 'digest-baseline' } as const;

/** Why a baseline could not be read: `invalid` when the ConfigMap holds something else than a baseline. */
export interface BaselineReadError {
  readonly message: string;
  /** The content is unusable (hand edit, another format): replacing it is the way out. Else the API failed. */
  readonly invalid: boolean;
}

export async function readBaseline(store: StateStore, name: string): Promise<Result<DigestBaseline | null, BaselineReadError>> {
  const read = await store.get(name, baselineSchema);
  if (!read.ok) return err({ message: read.error.message, invalid: read.error.kind === 'invalid' });
  return ok(read.value?.value ?? null);
}

/** Last write wins: two replicas posting the same digest at once store equivalent facts. */
export async function writeBaseline(store: StateStore, name: string, baseline: DigestBaseline): Promise<Result<void, string>> {
  const written = await store.upsert(name, baseline, LABELS);
  return written.ok ? ok(undefined) : err(written.error.message);
}
