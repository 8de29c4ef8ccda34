import type { ClusterConfig } from '../../config.ts';
import type { Istioctl } from '../../istioctl/istioctl.ts';
import type { AnalyzeFinding, AnalyzeLevel } from '../../istioctl/parsers/analyze.ts';
import { err, ok, type Result } from '../../result.ts';
import { diffAgainstSnapshot, toSnapshot } from '../analyze.ts';
import { packSnapshot, unpackSnapshot, type DigestBaseline } from './baseline.ts';
import type { AnalyzeFacts, Section } from './types.ts';

const LEVEL_RANK: Readonly<Record<AnalyzeLevel, number>> = { Error: 0, Warning: 1, Info: 2 };

/** `-A` for the whole mesh; one run per namespace when the digest is scoped (the runner bounds concurrency). */
export async function readFindings(istioctl: Istioctl, cluster: ClusterConfig, namespaces: readonly string[] | undefined): Promise<Result<AnalyzeFinding[], string>> {
  const scopes = namespaces === undefined ? [{ kind: 'all' } as const] : namespaces.map((namespace) => ({ kind: 'namespace', namespace }) as const);
  const runs = await Promise.all(scopes.map((scope) => istioctl.analyze(cluster, scope)));
  const findings: AnalyzeFinding[] = [];
  // Every namespaced run also prints the findings about cluster-scoped resources and those without one (istio's
  // filterMessages keeps them), so a later run's copy of a finding an earlier run printed is the same finding.
  const earlier = new Set<string>();
  for (const [index, run] of runs.entries()) {
    if (!run.ok) {
      const scope = scopes[index];
      const where = scope?.kind === 'namespace' ? ` (namespace ${scope.namespace})` : '';
      return err(`istioctl analyze${where}: ${run.error.message}`);
    }
    const keys = run.value.value.findings.map((finding) => JSON.stringify([finding.code, finding.level, finding.origin, finding.cluster ?? '', finding.message]));
    run.value.value.findings.forEach((finding, at) => {
      if (!earlier.has(keys[at] ?? '')) findings.push(finding);
    });
    for (const key of keys) earlier.add(key);
  }
  return ok(findings);
}

export interface AnalyzeOutcome {
  readonly section: Section<AnalyzeFacts>;
  /** The packed snapshot for the next baseline; null when analyze failed (the previous one is kept). */
  readonly packed: string | null;
  /** A stored snapshot that could not be read: said once, then treated as a first digest. */
  readonly note: string | null;
}

export function analyzeSection(findings: Result<readonly AnalyzeFinding[], string>, baseline: DigestBaseline | null): AnalyzeOutcome {
  if (!findings.ok) return { section: err(findings.error), packed: null, note: null };
  const current = findings.value;
  const byLevel: Record<AnalyzeLevel, number> = { Error: 0, Warning: 0, Info: 0 };
  for (const finding of current) byLevel[finding.level] += 1;
  const packed = packSnapshot(toSnapshot(current));

  const stored = baseline?.analyze ? unpackSnapshot(baseline.analyze.snapshot) : null;
  if (stored === null || !stored.ok) {
    const note = stored && !stored.ok ? `Analyze findings are not compared this time: ${stored.error}.` : null;
    return { section: ok({ total: current.length, byLevel, compared: false, added: [], resolved: [], unchanged: 0 }), packed, note };
  }
  const diff = diffAgainstSnapshot(stored.value, current);
  const bySeverity = (a: AnalyzeFinding, b: AnalyzeFinding) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level] || a.code.localeCompare(b.code) || a.origin.localeCompare(b.origin);
  return {
    section: ok({ total: current.length, byLevel, compared: true, added: [...diff.added].sort(bySeverity), resolved: [...diff.resolved].sort(bySeverity), unchanged: diff.unchanged }),
    packed,
    // The previous digest kept only its most severe findings (ConfigMap size limit): say what this one could not compare.
    note: diff.notCompared > 0 ? `${diff.notCompared} analyze finding(s) (the least severe) were not compared: the previous digest had more findings than its baseline ConfigMap holds, and kept the most severe.` : null,
  };
}
