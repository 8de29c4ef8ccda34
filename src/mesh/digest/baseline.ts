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
  /** Set when reading: the parts of the stored baseline that did not have their shape (dropped, so not compared). */
  readonly unreadable?: readonly string[];
}

const at = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'not an ISO 8601 time');

const count = z.number().int().min(0);

/** Each part of a baseline on its own: a part edited by hand into something else is dropped alone (see baselineSchema). */
const PARTS = {
  controlPlane: z.object({ at, restarts: z.record(z.string(), count) }).nullable(),
  proxies: z.object({ at, total: count, stale: count, error: count }).nullable(),
  analyze: z.object({ at, snapshot: z.string() }).nullable(),
  rootCa: z.object({ at, serials: z.array(z.string()) }).nullable(),
  ambient: z
    .object({
      at,
      ready: count,
      desired: count,
      notProgrammed: z.array(z.string()),
      notProgrammedCount: count.optional(),
      notCaptured: count,
      notCapturedPods: z.array(z.string()).optional(),
      earliestNotAfter: z.string().nullable(),
      lastSeen: z.object({ at, ready: count, desired: count }).nullable().optional(),
      notRead: z.array(z.enum(['waypoints', 'capture'])).optional(),
    })
    .nullable()
    .optional(),
} as const;

/** What the digest calls each part when it could not be read from the stored baseline. */
const PART_NAMES: Readonly<Record<keyof typeof PARTS, string>> = {
  controlPlane: 'istiod restart counts',
  proxies: 'proxy counts',
  analyze: 'analyze findings',
  rootCa: 'root CA serials',
  ambient: 'ambient facts',
};

/**
 * The ConfigMap is outside input (hand edits, older formats): anything unexpected is refused, not trusted. A baseline
 * that is not one at all (another version, no time) is refused whole; a part that does not have its shape is dropped
 * alone (as if that section had never been read) and named in `unreadable`, so one bad edit does not cost every
 * other section its comparison.
 */
export const baselineSchema: z.ZodType<DigestBaseline> = z
  .object({ version: z.literal(1), at, controlPlane: z.unknown().optional(), proxies: z.unknown().optional(), analyze: z.unknown().optional(), rootCa: z.unknown().optional(), ambient: z.unknown().optional() })
  .transform((raw): DigestBaseline => {
    const unreadable: string[] = [];
    const part = <T>(schema: z.ZodType<T>, key: keyof typeof PARTS): T | null => {
      const parsed = schema.safeParse(raw[key] ?? null);
      if (parsed.success) return parsed.data;
      unreadable.push(PART_NAMES[key]);
      return null;
    };
    const baseline = {
      version: 1,
      at: raw.at,
      controlPlane: part(PARTS.controlPlane, 'controlPlane'),
      proxies: part(PARTS.proxies, 'proxies'),
      analyze: part(PARTS.analyze, 'analyze'),
      rootCa: part(PARTS.rootCa, 'rootCa'),
      ambient: part(PARTS.ambient, 'ambient') ?? null,
    } as const;
    return unreadable.length > 0 ? { ...baseline, unreadable } : baseline;
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
