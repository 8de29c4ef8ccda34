import { defineCommand, type CommandDeps, type CommandResult } from '../src/command.ts';
import type { ClusterConfig } from '../src/config.ts';
import { clip, CLUSTER_FLAG, NAMESPACE_FLAG, parseArgs, type FlagSpec, type ParsedArgs } from '../src/grammar.ts';
import { catalogueFor } from '../src/istioctl/analyze-catalogue.ts';
import type { AnalyzeScope } from '../src/istioctl/istioctl.ts';
import type { AnalyzeFinding } from '../src/istioctl/parsers/analyze.ts';
import { compareAndRecord, type PreviousRun } from '../src/mesh/analyze-history.ts';
import { summarizeAnalyze, type AnalyzeSummary } from '../src/mesh/analyze.ts';
import { checkScopeNamespace } from '../src/kube/namespaces.ts';
import { listAmbientNamespaces } from '../src/kube/ambient.ts';
import { err, ok, type Result } from '../src/result.ts';
import { renderAnalyzeJson, renderAnalyzeSlack, renderAnalyzeText } from './analyze.render.ts';
import { namespaceMissingResult } from './namespace-missing.ts';

export const ALL_NAMESPACES_FLAG: FlagSpec = { name: 'all-namespaces', short: 'A', takesValue: false };
/** `-n NAMESPACE` or `-A` (not both); null when neither was given (the cluster's default namespace). */
export function scopeFromFlags(flags: ParsedArgs['flags']): Result<AnalyzeScope | null, string> {
  const namespace = flags.get('namespace');
  const all = flags.get('all-namespaces') === true;
  if (all && typeof namespace === 'string') return err('use either -n NAMESPACE or -A, not both');
  return ok(all ? { kind: 'all' } : typeof namespace === 'string' ? { kind: 'namespace', namespace } : null);
}

export interface AnalyzeArgs {
  /** null when the user gave neither `-n` nor `-A`: the cluster's default namespace, said so in the answer. */
  readonly scope: AnalyzeScope | null;
  readonly cluster: string | undefined;
}

/** One istioctl analyze run, without any history: what the "Show all findings" button re-reads. */
export interface AnalyzeRead {
  readonly cluster: string;
  readonly scope: AnalyzeScope;
  readonly asOf: Date;
  readonly errors: readonly string[];
  /** null when istioctl could not analyze at all. */
  readonly findings: readonly AnalyzeFinding[] | null;
  readonly summary: AnalyzeSummary | null;
  readonly istioctlVersion: string | undefined;
}

export interface AnalyzeResult extends AnalyzeRead {
  readonly namespaceDefaulted: boolean;
  /** null on the first analyze of this scope, or when the history could not be read. */
  readonly previous: PreviousRun | null;
  /** The stored history exists or may exist but could not be read: this is not the first analyze of the scope. */
  readonly historyUnread?: boolean;
  /** Namespaces in scope labelled `istio.io/dataplane-mode=ambient` (IST0102 is never reported for them); undefined when not read. */
  readonly ambientNamespaces?: readonly string[];
}

/** The history key of a scope: the same words for `-n default` and for `analyze` without flags. */
export function scopeKey(scope: AnalyzeScope): string {
  return scope.kind === 'all' ? 'all-namespaces' : `namespace-${scope.namespace}`;
}

export async function readAnalyze(target: ClusterConfig, scope: AnalyzeScope, deps: CommandDeps): Promise<AnalyzeRead> {
  const outcome = await deps.istioctl.analyze(target, scope);
  if (!outcome.ok) {
    return { cluster: target.name, scope, asOf: deps.now(), errors: [`istioctl: ${outcome.error.message}`], findings: null, summary: null, istioctlVersion: undefined };
  }
  const { findings, client } = outcome.value.value;
  return {
    cluster: target.name,
    scope,
    asOf: outcome.value.asOf,
    errors: [],
    findings,
    summary: summarizeAnalyze(findings, { catalogue: catalogueFor(client.minor) }),
    istioctlVersion: client.version,
  };
}

export function analyzeResult(result: AnalyzeResult): CommandResult {
  return {
    envelope: { command: 'analyze', cluster: result.cluster, asOf: result.asOf, errors: result.errors },
    failed: result.summary === null,
    toJson: () => renderAnalyzeJson(result),
    toText: () => renderAnalyzeText(result),
    toSlack: () => renderAnalyzeSlack(result),
  };
}

export const analyzeCommand = defineCommand<AnalyzeArgs>({
  name: 'analyze',
  aliases: [],
  usage: 'analyze [-n NAMESPACE | -A] [--cluster NAME]',
  summary: 'istioctl analyze findings grouped by code, with what is new or resolved since the last run',
  role: 'reader',
  parse(tokens) {
    const parsed = parseArgs(tokens, [NAMESPACE_FLAG, ALL_NAMESPACES_FLAG, CLUSTER_FLAG]);
    if (!parsed.ok) return parsed;
    const [extra] = parsed.value.positionals;
    if (extra !== undefined) return err(`unexpected argument "${clip(extra)}" (analyze reads the cluster, not files)`);
    const scope = scopeFromFlags(parsed.value.flags);
    if (!scope.ok) return scope;
    const cluster = parsed.value.flags.get('cluster');
    return ok({ scope: scope.value, cluster: typeof cluster === 'string' ? cluster : undefined });
  },
  async execute(args, target, deps, invocation) {
    const scope: AnalyzeScope = args.scope ?? { kind: 'namespace', namespace: target.defaultNamespace };
    const namespaceDefaulted = args.scope === null;
    // istioctl analyze of a missing namespace only prints a stderr line (exit 0); the API server is asked as well.
    const kube = deps.kubeFor(target);
    const [read, namespaceState, ambient] = await Promise.all([
      readAnalyze(target, scope, deps),
      checkScopeNamespace(kube, scope.kind === 'namespace' ? scope.namespace : undefined),
      kube.ok ? listAmbientNamespaces(kube.value) : Promise.resolve(err({ message: kube.error.message })),
    ]);
    if (namespaceState.kind === 'missing') {
      const sentence = namespaceDefaulted ? `${namespaceState.message} It is the cluster's default namespace (no -n given): name one with -n NAMESPACE, or use -A for the whole mesh.` : namespaceState.message;
      const missing: AnalyzeResult = { ...read, errors: [sentence], findings: null, summary: null, namespaceDefaulted, previous: null };
      return namespaceMissingResult({ command: 'analyze', cluster: target.name, asOf: read.asOf, message: sentence, json: () => renderAnalyzeJson(missing) });
    }
    if (read.findings === null) return analyzeResult({ ...read, namespaceDefaulted, previous: null });
    // The history is what the channel saw: a terminal run compares with it but never records, so asking from a laptop
    // cannot hide a change from the channel (and the terminal never changes anything in the cluster).
    const history = await compareAndRecord(deps.state(), { cluster: target.name, scope: scopeKey(scope) }, read.findings, deps.now(), { record: invocation.surface === 'slack' });
    const ambientErrors = ambient.ok ? [] : [`Ambient namespaces could not be read, so IST0102 skips are not explained: ${ambient.error.message}`];
    const inScope = ambient.ok ? [...ambient.value].filter((name) => scope.kind === 'all' || name === scope.namespace).sort() : [];
    return analyzeResult({
      ...read,
      errors: [...read.errors, ...history.errors, ...ambientErrors],
      namespaceDefaulted,
      previous: history.previous,
      // compareAndRecord's one sentence for a history it could not read (or a store it could not reach).
      historyUnread: history.previous === null && history.errors.some((error) => error.startsWith('could not compare with the previous run')),
      ...(ambient.ok ? { ambientNamespaces: inScope } : {}),
    });
  },
});
