import { hash } from 'node:crypto';
import { messageTemplates, type AnalyzeCatalogue } from '../istioctl/analyze-catalogue.ts';
import { parseOrigin } from '../istioctl/parsers/analyze.ts';
import type { AnalyzeFinding, AnalyzeLevel } from '../istioctl/parsers/analyze.ts';

export type AnalyzeVerdict = 'clean' | 'warnings' | 'errors';

/** All findings of one analyzer code, ready to render as one line plus a list of objects. */
export interface AnalyzeGroup {
  readonly code: string;
  readonly level: AnalyzeLevel;
  /** Catalogue name (`ReferencedResourceNotFound`); undefined for codes the catalogue does not know. */
  readonly name?: string;
  readonly description?: string;
  readonly docUrl: string;
  readonly count: number;
  /** `Kind ns/name` of every affected object, deduplicated, in first-seen order. */
  readonly resources: readonly string[];
}

export interface AnalyzeSummary {
  readonly total: number;
  readonly byLevel: Readonly<Record<AnalyzeLevel, number>>;
  readonly byCode: Readonly<Record<string, number>>;
  /** Errors first, then by descending count, then by code. */
  readonly groups: readonly AnalyzeGroup[];
  readonly verdict: AnalyzeVerdict;
  /** The DESIGN.md section 5 `findings.items` shape, plus `cluster` in a multi-cluster analyze. */
  readonly items: readonly { code: string; level: AnalyzeLevel; message: string; origin: string; cluster?: string }[];
}

const LEVEL_RANK: Readonly<Record<AnalyzeLevel, number>> = { Error: 0, Warning: 1, Info: 2 };

/** istioctl's own documentationUrl wins over the catalogue's; its `?ref=istioctl-analyze` tracking query is dropped. */
function stripQuery(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function summarizeAnalyze(
  findings: readonly AnalyzeFinding[],
  options: { readonly catalogue: AnalyzeCatalogue },
): AnalyzeSummary {
  const byLevel: Record<AnalyzeLevel, number> = { Error: 0, Warning: 0, Info: 0 };
  const byCode: Record<string, number> = {};
  const groups = new Map<string, { level: AnalyzeLevel; count: number; resources: Set<string>; docUrl?: string }>();
  for (const finding of findings) {
    byLevel[finding.level] += 1;
    byCode[finding.code] = (byCode[finding.code] ?? 0) + 1;
    let group = groups.get(finding.code);
    if (!group) {
      group = { level: finding.level, count: 0, resources: new Set() };
      groups.set(finding.code, group);
    }
    group.count += 1;
    // One code can be emitted at several levels only through a bug or mixed versions; keep the most severe.
    if (LEVEL_RANK[finding.level] < LEVEL_RANK[group.level]) group.level = finding.level;
    if (finding.origin !== '') group.resources.add(finding.origin);
    if (group.docUrl === undefined && finding.documentationUrl) group.docUrl = stripQuery(finding.documentationUrl);
  }
  const rendered: AnalyzeGroup[] = [...groups.entries()].map(([code, g]) => {
    const described = options.catalogue.describeCode(code);
    return {
      code,
      level: g.level,
      ...(described ? { name: described.name, description: described.description } : {}),
      docUrl: g.docUrl ?? described?.docUrl ?? options.catalogue.docUrlFor(code),
      count: g.count,
      resources: [...g.resources],
    };
  });
  rendered.sort(
    (a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level] || b.count - a.count || a.code.localeCompare(b.code),
  );
  const verdict: AnalyzeVerdict = byLevel.Error > 0 ? 'errors' : byLevel.Warning > 0 ? 'warnings' : 'clean';
  return {
    total: findings.length,
    byLevel,
    byCode,
    groups: rendered,
    verdict,
    items: findings.map((f) => ({ code: f.code, level: f.level, message: f.message, origin: f.origin, ...(f.cluster !== undefined ? { cluster: f.cluster } : {}) })),
  };
}

/**
 * Identity of a finding across runs: code, cluster, origin and the message with its volatile parts normalised
 * (see stableMessage). The file/line reference and the doc URL are left out because they change without the
 * problem changing. A message without volatile parts keys exactly as before, so stored histories stay comparable.
 */
export function fingerprint(finding: AnalyzeFinding): string {
  return fingerprintKeys(finding).fingerprint;
}

/**
 * The fingerprint, and the one earlier releases gave the same finding when it differs — a list argument istioctl
 * printed out of order (lists are sorted now), or a `-o json` cluster (read since multi-cluster JSON was parsed): a
 * stored snapshot keeps matching the unchanged finding it was written for.
 */
function fingerprintKeys(finding: AnalyzeFinding): { readonly fingerprint: string; readonly legacy?: string } {
  const origin = stableOrigin(finding.origin.trim());
  const { text, unsorted } = stableMessage(finding.code, finding.message);
  // 64 bits: collisions among a mesh's findings are practically impossible, and the snapshot stays small. The
  // one-shot hash leaves no Hash object per finding holding native memory until a GC finalizes it.
  const key = (cluster: string, message: string) => hash('sha256', [finding.code, cluster, origin, message].join('\n'), 'hex').slice(0, 16);
  const fingerprint = key(finding.cluster ?? '', text);
  const legacy = finding.cluster !== undefined || unsorted !== undefined ? key('', unsorted ?? text) : fingerprint;
  return legacy === fingerprint ? { fingerprint } : { fingerprint, legacy };
}

// Kubernetes' random suffixes use this alphabet (no vowels, no 0/1/3): `reviews-v1-545db77b95-x7k2p` is a
// ReplicaSet pod (pod-template-hash, then 5 random characters), `ztunnel-x7k2p` a DaemonSet or Job pod.
const SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]';
const GENERATED_POD = new RegExp(`^([a-z0-9][-a-z0-9]*?)-(?:${SUFFIX}{6,10}-)?${SUFFIX}{5}(?=$|\\.)`);
const REPLICASET_POD_IN_TEXT = new RegExp(`\\b([a-z0-9][-a-z0-9]*?)-${SUFFIX}{6,10}-${SUFFIX}{5}\\b`, 'g');

/** `reviews-v1-545db77b95-x7k2p(.default)` → `reviews-v1-*(.default)`: the workload stays, the rollout's suffix goes. */
function stablePod(name: string): string {
  return name.replace(GENERATED_POD, '$1-*');
}

/** A finding about a Pod (`Pod default/reviews-v1-545db77b95-x7k2p`) is about its workload. */
function stableOrigin(origin: string): string {
  const pod = /^Pod (?:([^/\s]+)\/)?(\S+)$/.exec(origin);
  return pod ? `Pod ${pod[1] ? `${pod[1]}/` : ''}${stablePod(pod[2] ?? '')}` : origin;
}

const GO_VERB = /%[vqsdt]/g;
const INTEGER = /^u?int(?:8|16|32|64)?$/;

interface CompiledTemplate {
  /** Anchored: `%q` a Go-quoted string, every other verb anything (lazily). */
  readonly pattern: RegExp;
  /** The text between the verbs (one more than the arguments). */
  readonly literals: readonly string[];
  readonly args: readonly { readonly name: string; readonly type: string }[];
}

// Compiled once per code: a 50,000-finding mesh must not compile a regex per finding.
const compiledTemplates = new Map<string, readonly CompiledTemplate[]>();

function templatesOf(code: string): readonly CompiledTemplate[] {
  const cached = compiledTemplates.get(code);
  if (cached) return cached;
  const compiled = messageTemplates(code).flatMap(({ template, args }) => {
    const normalised = template.replace(/\s+/g, ' ').trim();
    const verbs = normalised.match(GO_VERB) ?? [];
    if (verbs.length !== args.length) return [];
    const literals = normalised.split(GO_VERB);
    const escaped = literals.map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const source = escaped.map((literal, index) => literal + (index < verbs.length ? (verbs[index] === '%q' ? '("(?:[^"\\\\]|\\\\.)*")' : '(.*?)') : '')).join('');
    return [{ pattern: new RegExp(`^${source}$`, 's'), literals, args }];
  });
  compiledTemplates.set(code, compiled);
  return compiled;
}

/**
 * One argument as the fingerprint sees it: pod names (`pod`, `podNames`, `workloadPod`) lose their rollout suffix and
 * a list of them its order and duplicates; counts (integers that are not ports) and the names they count become
 * `#` and `…`. Ports, hosts and resource names identify the problem and are kept: a port does not change in a
 * rollout, and two misnamed ports of one Service are two problems.
 */
function stableArgument(arg: { readonly name: string; readonly type: string }, value: string, sortLists: boolean): string {
  if (/pod/i.test(arg.name)) {
    if (isGoList(arg, value)) {
      return `[${[...new Set(value.slice(1, -1).split(/\s+/).filter((pod) => pod !== '').map(stablePod))].sort().join(' ')}]`;
    }
    return value.startsWith('"') ? `"${stablePod(value.slice(1, -1))}"` : stablePod(value);
  }
  if (INTEGER.test(arg.type) && !/port/i.test(arg.name)) return '#';
  // IST0175 lists the resources it counts (`%d RequestAuthentication resource(s) exist (%s)`): one more is not a new problem.
  if (arg.name === 'names') return '…';
  // Analyzers build some lists from Go maps (IST0116's services: `for protocol := range protMap`), so their order
  // changes between runs of the same problem. A list already in order keys exactly as before.
  if (sortLists && isGoList(arg, value)) return `[${value.slice(1, -1).split(/\s+/).filter((item) => item !== '').sort().join(' ')}]`;
  return value;
}

/** A slice argument as Go's %v/%q prints it: `[a b]`, `["a" "b"]`. */
function isGoList(arg: { readonly type: string }, value: string): boolean {
  return arg.type.startsWith('[]') && value.startsWith('[') && value.endsWith(']');
}

/**
 * The message with its volatile parts normalised, read through the catalogue's templates of the code (every
 * shipped release). A message no template matches (a newer istioctl) still loses ReplicaSet pod suffixes.
 */
function stableMessage(code: string, message: string): { readonly text: string; readonly unsorted?: string } {
  const text = message.replace(/\s+/g, ' ').trim();
  for (const { pattern, literals, args } of templatesOf(code)) {
    const match = pattern.exec(text);
    if (!match) continue;
    const join = (sortLists: boolean) =>
      literals.map((literal, index) => {
        const arg = args[index];
        return literal + (arg ? stableArgument(arg, match[index + 1] ?? '', sortLists) : '');
      }).join('');
    const stable = join(true);
    const unsorted = args.some((arg) => arg.type.startsWith('[]')) ? join(false) : stable;
    return unsorted === stable ? { text: stable } : { text: stable, unsorted };
  }
  return { text: text.replace(REPLICASET_POD_IN_TEXT, '$1-*') };
}

export interface AnalyzeDiff {
  readonly added: AnalyzeFinding[];
  readonly resolved: AnalyzeFinding[];
  readonly unchanged: number;
  /**
   * Current findings left out of the comparison because the previous run stored only its most severe findings
   * (its ConfigMap was full, see fitSnapshot): neither new nor unchanged, just not known. 0 normally.
   */
  readonly notCompared: number;
}

export function diffFindings(previous: readonly AnalyzeFinding[], current: readonly AnalyzeFinding[]): AnalyzeDiff {
  return diffKeyed(new Map(previous.map((f) => [fingerprint(f), f] as const)), current);
}

function diffKeyed(before: ReadonlyMap<string, AnalyzeFinding>, current: readonly AnalyzeFinding[]): AnalyzeDiff {
  const after = new Map<string, { readonly finding: AnalyzeFinding; readonly legacy?: string }>();
  for (const finding of current) {
    const keys = fingerprintKeys(finding);
    if (!after.has(keys.fingerprint)) after.set(keys.fingerprint, { finding, ...(keys.legacy !== undefined ? { legacy: keys.legacy } : {}) });
  }
  const added: AnalyzeFinding[] = [];
  const matched = new Set<string>();
  for (const [fp, { finding, legacy }] of after) {
    // A snapshot stored before list sorting holds the unsorted key of the same finding.
    const stored = before.has(fp) ? fp : legacy !== undefined && before.has(legacy) ? legacy : undefined;
    if (stored === undefined) added.push(finding);
    else matched.add(stored);
  }
  const resolved = [...before].filter(([fp]) => !matched.has(fp)).map(([, f]) => f);
  return { added, resolved, unchanged: matched.size, notCompared: 0 };
}

/**
 * What the digest stores between runs (in a ConfigMap, so well under 1 MiB for 10,000 findings). Codes and
 * origins are interned; messages are NOT kept, they are the bulk of the size and the fingerprint already
 * covers them.
 */
export interface AnalyzeSnapshot {
  readonly version: 1;
  readonly codes: readonly string[];
  readonly origins: readonly string[];
  readonly clusters: readonly string[];
  /** [fingerprint, code index, level (0 Error, 1 Warning, 2 Info), origin index, cluster index or -1]. */
  readonly entries: readonly (readonly [string, number, number, number, number])[];
  /**
   * Only when the run did not fit its ConfigMap (fitSnapshot): `entries` are exactly the findings up to (level,
   * fingerprint) in (level, fingerprint) order — the most severe first — and `omitted` more were not stored.
   */
  readonly cutoff?: SnapshotCutoff;
}

export interface SnapshotCutoff {
  readonly level: number;
  readonly fingerprint: string;
  readonly omitted: number;
}

const LEVEL_BY_RANK: readonly AnalyzeLevel[] = ['Error', 'Warning', 'Info'];

function interner(): { table: string[]; index(value: string): number } {
  const table: string[] = [];
  const positions = new Map<string, number>();
  return {
    table,
    index(value: string): number {
      let at = positions.get(value);
      if (at === undefined) {
        at = table.length;
        table.push(value);
        positions.set(value, at);
      }
      return at;
    },
  };
}

export function toSnapshot(findings: readonly AnalyzeFinding[]): AnalyzeSnapshot {
  const codes = interner();
  const origins = interner();
  const clusters = interner();
  const seen = new Set<string>();
  const entries: [string, number, number, number, number][] = [];
  for (const f of findings) {
    const fp = fingerprint(f);
    if (seen.has(fp)) continue;
    seen.add(fp);
    entries.push([
      fp,
      codes.index(f.code),
      LEVEL_RANK[f.level],
      origins.index(f.origin),
      f.cluster === undefined ? -1 : clusters.index(f.cluster),
    ]);
  }
  return { version: 1, codes: codes.table, origins: origins.table, clusters: clusters.table, entries };
}

/** Findings as far as a snapshot remembers them: `message` is '' (not stored), the fingerprint is preserved. */
export interface SnapshotFinding extends AnalyzeFinding {
  readonly fingerprint: string;
}

export function fromSnapshot(snapshot: AnalyzeSnapshot): SnapshotFinding[] {
  return snapshot.entries.map(([fp, code, level, origin, cluster]) => {
    const originText = snapshot.origins[origin] ?? '';
    const clusterName = cluster >= 0 ? snapshot.clusters[cluster] : undefined;
    return {
      fingerprint: fp,
      code: snapshot.codes[code] ?? '',
      level: LEVEL_BY_RANK[level] ?? 'Info',
      message: '',
      origin: originText,
      resource: parseOrigin(originText),
      ...(clusterName !== undefined ? { cluster: clusterName } : {}),
    };
  });
}

/**
 * Compares the stored snapshot with a fresh run. Separate from diffFindings because a snapshot has no messages,
 * so its findings are matched by the stored fingerprint rather than by recomputing one. When the snapshot was
 * cut (see fitSnapshot), current findings past its cutoff are not compared (counted in `notCompared`).
 */
export function diffAgainstSnapshot(previous: AnalyzeSnapshot, current: readonly AnalyzeFinding[]): AnalyzeDiff {
  const before = new Map<string, AnalyzeFinding>();
  for (const { fingerprint: fp, ...finding } of fromSnapshot(previous)) before.set(fp, finding);
  const { cutoff } = previous;
  if (cutoff === undefined) return diffKeyed(before, current);
  const compared: AnalyzeFinding[] = [];
  const beyond = new Set<string>();
  for (const finding of current) {
    const fp = fingerprint(finding);
    if (isCovered(cutoff, LEVEL_RANK[finding.level], fp)) compared.push(finding);
    else beyond.add(fp);
  }
  return { ...diffKeyed(before, compared), notCompared: beyond.size };
}

function isCovered(cutoff: SnapshotCutoff, level: number, fp: string): boolean {
  return level < cutoff.level || (level === cutoff.level && fp <= cutoff.fingerprint);
}

/** The `keep` most severe entries (by level, then fingerprint), with tables holding only what they use. */
function cutSnapshot(snapshot: AnalyzeSnapshot, keep: number): AnalyzeSnapshot {
  const ordered = [...snapshot.entries].sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = ordered.slice(0, keep);
  const codes = interner();
  const origins = interner();
  const clusters = interner();
  const entries = kept.map(([fp, code, level, origin, cluster]): [string, number, number, number, number] => [
    fp,
    codes.index(snapshot.codes[code] ?? ''),
    level,
    origins.index(snapshot.origins[origin] ?? ''),
    cluster < 0 ? -1 : clusters.index(snapshot.clusters[cluster] ?? ''),
  ]);
  const last = kept.at(-1);
  return {
    version: 1,
    codes: codes.table,
    origins: origins.table,
    clusters: clusters.table,
    entries,
    // Nothing kept: a cutoff below every level, so no current finding counts as compared.
    cutoff: { level: last ? last[2] : -1, fingerprint: last ? last[0] : '', omitted: snapshot.entries.length - kept.length },
  };
}

/**
 * The snapshot itself when `bytes(snapshot)` is within `budget`; else its most severe findings that are, with a
 * cutoff saying where it stops. Keeping the newest run (cut) beats refusing the write: a refused write would
 * freeze every later comparison on the last snapshot that fit.
 */
export function fitSnapshot(snapshot: AnalyzeSnapshot, budget: number, bytes: (candidate: AnalyzeSnapshot) => number): AnalyzeSnapshot {
  let size = bytes(snapshot);
  if (size <= budget) return snapshot;
  let keep = snapshot.entries.length;
  for (;;) {
    // Sizes are close to proportional to the entries kept; aim a little low so one or two tries suffice.
    keep = Math.min(keep - 1, Math.floor((keep * budget * 0.97) / size));
    const candidate = cutSnapshot(snapshot, Math.max(keep, 0));
    size = bytes(candidate);
    if (size <= budget || keep <= 0) return candidate;
  }
}

/** Analyzer codes about ambient mode that the bot explains in plain words (messages.yaml IST0167, IST0171). */
export const AMBIENT_CODES: ReadonlySet<string> = new Set(['IST0167', 'IST0171']);

// The templates of messages.yaml (every release that has the code): IST0171 `A condition with a negative status is
// present: type=%s, reason=%s, message=%s.`, IST0167 `The policy has no impact: %s.`
const NEGATIVE_CONDITION = /^A condition with a negative status is present: type=(.*?), reason=(.*?), message=(.*)\.$/s;
const INEFFECTIVE_POLICY = /^The policy has no impact: (.*)\.$/s;

/** What a negative condition means in an ambient mesh, by condition type (the ConditionAnalyzer's inputs). */
function conditionMeaning(kind: string, type: string, reason: string): string {
  switch (type) {
    case 'istio.io/WaypointBound':
      return `not bound to its waypoint: traffic to it does not get the waypoint's L7 policies and routes`;
    case 'ZtunnelAccepted':
      return 'ztunnel does not enforce this policy (or part of it)';
    case 'WaypointAccepted':
      return reason === 'PartiallyInvalid' ? 'the waypoint enforces only part of this policy' : 'the waypoint does not enforce this policy';
    case 'Programmed':
      return kind === 'Gateway' ? 'not programmed: no proxy serves this Gateway (a waypoint when its class is istio-waypoint) yet' : 'not programmed';
    case 'Accepted':
      return reason === 'WaypointNotBound' ? 'not applied: the Service it attaches to is not bound to a waypoint, and in ambient only a waypoint applies routes' : 'not accepted by its parent';
    default:
      return `condition ${type} is negative`;
  }
}

/**
 * A plain-words reading of an ambient finding (IST0167 ineffective policy, IST0171 negative condition) for the card
 * and the terminal: what it means for traffic, with the object's own reason. undefined for other codes and for a
 * message no known template matches (a newer istioctl), which is then shown as istioctl wrote it.
 */
export function explainAmbientFinding(finding: Pick<AnalyzeFinding, 'code' | 'message' | 'resource'>): string | undefined {
  const text = finding.message.replace(/\s+/g, ' ').trim();
  if (finding.code === 'IST0171') {
    const match = NEGATIVE_CONDITION.exec(text);
    if (!match) return undefined;
    const [, type = '', reason = '', detail = ''] = match;
    const why = [reason, detail].filter((part) => part !== '').join(': ');
    return `${conditionMeaning(finding.resource?.kind ?? '', type, reason)} (${type}${why === '' ? '' : ` — ${why}`})`;
  }
  if (finding.code === 'IST0167') {
    const match = INEFFECTIVE_POLICY.exec(text);
    if (!match) return undefined;
    return `has no effect in ambient mode, where pods have no sidecar to apply it (${match[1] ?? ''})`;
  }
  return undefined;
}
