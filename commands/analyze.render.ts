import type { KnownBlock } from '@slack/types';
import { clockTime } from '../src/command.ts';
import type { AnalyzeFinding, AnalyzeLevel } from '../src/istioctl/parsers/analyze.ts';
import { explainAmbientFinding, type AnalyzeGroup, type AnalyzeVerdict } from '../src/mesh/analyze.ts';
import { actions, button, context, escapeMrkdwn, header, message, section, truncate, type SlackMessage } from '../src/slack/blocks.ts';
import { counted } from '../src/words.ts';
import type { AnalyzeRead, AnalyzeResult } from './analyze.ts';

export const SHOW_FINDINGS_ACTION = 'analyze_show_findings';
/** Enough to act on at once; the rest is one click away. Sized so the message stays far inside Block Kit's budget. */
const GROUPS_SHOWN = 8;
/** Findings quoted per code: their own messages say what is wrong where; the catalogue text only says what the code means. */
const FINDINGS_PER_GROUP = 3;
const CHANGES_SHOWN = 5;
const LINE_MAX = 200;
/** An explained ambient finding carries its meaning and the object's own reason: room for both. */
const EXPLAINED_LINE_MAX = 360;

const NOT_COMPARED = 'Not compared with the previous run: its stored history could not be read (see the error).';

const VERDICT_ICON: Readonly<Record<AnalyzeVerdict, string>> = {
  clean: ':large_green_circle:',
  warnings: ':large_yellow_circle:',
  errors: ':red_circle:',
};
const LEVEL_ICON: Readonly<Record<AnalyzeLevel, string>> = { Error: ':red_circle:', Warning: ':large_yellow_circle:', Info: ':information_source:' };

export function scopeLabel(result: Pick<AnalyzeRead, 'cluster' | 'scope'>): string {
  return result.scope.kind === 'all' ? `${result.cluster} (all namespaces)` : `${result.cluster}/${result.scope.namespace}`;
}

/** `2 errors, 5 warnings, 1 info` or `no validation issues`. */
function countsLine(result: AnalyzeRead): string {
  const summary = result.summary;
  if (!summary) return 'analysis unavailable';
  if (summary.total === 0) return 'no validation issues';
  const { Error: errors, Warning: warnings, Info: infos } = summary.byLevel;
  return `${counted(errors, 'error')}, ${counted(warnings, 'warning')}, ${infos} info`;
}

function changesLine(result: AnalyzeResult): string | null {
  if (!result.summary) return null;
  if (!result.previous) return result.historyUnread === true ? 'not compared with the previous run' : 'first analyze of this scope';
  const { added, resolved } = result.previous.diff;
  if (added.length === 0 && resolved.length === 0) return 'nothing changed since the previous run';
  return `${added.length} new, ${resolved.length} resolved since the previous run`;
}

/** The one line notifications show. */
export function analyzeHeadline(result: AnalyzeResult): string {
  const parts = [`${scopeLabel(result)}: ${countsLine(result)}`];
  const changes = changesLine(result);
  if (changes) parts.push(changes);
  return `${parts.join(' — ')} (as of ${clockTime(result.asOf)})`;
}

/** istioctl's own log line, with its ` [cluster-<id>]` tag in a multi-cluster mesh. */
function findingLine(finding: Pick<AnalyzeFinding, 'code' | 'level' | 'origin' | 'message' | 'cluster'>): string {
  const cluster = finding.cluster === undefined ? '' : ` [cluster-${finding.cluster}]`;
  const origin = finding.origin === '' ? '' : ` (${finding.origin})`;
  const text = finding.message === '' ? '' : ` ${finding.message.replace(/\s+/g, ' ')}`;
  return `${finding.level} [${finding.code}]${cluster}${origin}${text}`;
}

/** `VirtualService default/reviews (cluster east)`: the same problem in two clusters is two findings. */
export function findingWhere(finding: Pick<AnalyzeFinding, 'origin' | 'cluster'>): string {
  return finding.cluster === undefined ? finding.origin : `${finding.origin}${finding.origin === '' ? '' : ' '}(cluster ${finding.cluster})`;
}

function groupTitle(group: AnalyzeGroup): string {
  const name = group.name ? ` ${group.name}` : '';
  const description = group.description ? ` — ${group.description}` : '';
  return `${group.code}${name} (${group.level}, ${group.count}×)${description}`;
}

/** `VirtualService default/bookinfo: Referenced gateway not found: "bookinfo-gateway"` (card and terminal). */
function findingOnCard(finding: AnalyzeFinding): string {
  const message = explainAmbientFinding(finding) ?? finding.message.replace(/\s+/g, ' ').trim();
  return [findingWhere(finding), message].filter((part) => part !== '').join(': ');
}

/**
 * istioctl's injection analyzer skips every namespace labelled `istio.io/dataplane-mode=ambient` (istio
 * pkg/config/analysis/analyzers/injection; the corpus's injection input: namespace `ambient` gets no IST0102), so
 * "no IST0102" there is not a sign that injection is set up: say so.
 */
export function injectionSkipSentence(namespaces: readonly string[] | undefined): string | null {
  if (namespaces === undefined || namespaces.length === 0) return null;
  const shown = namespaces.slice(0, 5).join(', ');
  const more = namespaces.length > 5 ? ` and ${namespaces.length - 5} more` : '';
  const which = namespaces.length === 1 ? `ambient namespace ${shown}` : `${namespaces.length} ambient namespaces (${shown}${more})`;
  return `IST0102 (namespace not enabled for injection) is skipped for ${which}: istioctl does not check namespaces labelled istio.io/dataplane-mode=ambient, whose pods are captured by ztunnel instead of a sidecar.`;
}

function groupBlock(group: AnalyzeGroup, findings: readonly AnalyzeFinding[]): KnownBlock {
  const quoted = findings.slice(0, FINDINGS_PER_GROUP).map((finding) => `• ${escapeMrkdwn(truncate(findingOnCard(finding), explainAmbientFinding(finding) === undefined ? LINE_MAX : EXPLAINED_LINE_MAX))}`);
  if (group.count > quoted.length) quoted.push(`…and ${group.count - quoted.length} more`);
  const title = `${LEVEL_ICON[group.level]} *${escapeMrkdwn(truncate(groupTitle(group), 400))}* <${group.docUrl}|docs>`;
  return section([title, ...quoted].join('\n'));
}

/** The first findings of each code, in istioctl's order. */
function firstFindingsByCode(findings: readonly AnalyzeFinding[]): Map<string, AnalyzeFinding[]> {
  const byCode = new Map<string, AnalyzeFinding[]>();
  for (const finding of findings) {
    const list = byCode.get(finding.code) ?? [];
    if (list.length < FINDINGS_PER_GROUP) list.push(finding);
    byCode.set(finding.code, list);
  }
  return byCode;
}

function changeLines(findings: readonly AnalyzeFinding[]): string[] {
  const lines = findings.slice(0, CHANGES_SHOWN).map((finding) => `• ${escapeMrkdwn(truncate(findingLine(finding), LINE_MAX))}`);
  if (findings.length > CHANGES_SHOWN) lines.push(`…and ${findings.length - CHANGES_SHOWN} more`);
  return lines;
}

function previousStamp(at: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? at : `${date.toISOString().slice(0, 10)} ${clockTime(date)}`;
}

export function renderAnalyzeSlack(result: AnalyzeResult): SlackMessage {
  const summary = result.summary;
  const blocks: KnownBlock[] = [header(`Mesh analyze · ${scopeLabel(result)}`)];
  if (summary) {
    const scopeNote = result.namespaceDefaulted ? `\n_Analyzed namespace \`${escapeMrkdwn(result.scope.kind === 'namespace' ? result.scope.namespace : '')}\` (no \`-n\` given); use \`-A\` for the whole mesh._` : '';
    blocks.push(section(`${VERDICT_ICON[summary.verdict]} *${escapeMrkdwn(countsLine(result))}*${scopeNote}`));
  }
  for (const error of result.errors) blocks.push(section(`:warning: ${escapeMrkdwn(truncate(error, 1000))}`));
  if (summary && result.previous) {
    const { added, resolved } = result.previous.diff;
    const lines = [`*Since the previous run* (${previousStamp(result.previous.at)}): ${added.length} new, ${resolved.length} resolved`];
    if (added.length > 0) lines.push('*New*', ...changeLines(added));
    if (resolved.length > 0) lines.push('*Resolved*', ...changeLines(resolved));
    blocks.push(section(lines.join('\n')));
  } else if (summary) {
    blocks.push(context([result.historyUnread === true ? NOT_COMPARED : 'First analyze of this scope: the next run will show what is new and what was resolved.']));
  }
  const skipped = summary ? injectionSkipSentence(result.ambientNamespaces) : null;
  if (skipped) blocks.push(context([escapeMrkdwn(skipped)]));
  if (summary && summary.groups.length > 0) {
    const firstFindings = firstFindingsByCode(result.findings ?? []);
    for (const group of summary.groups.slice(0, GROUPS_SHOWN)) blocks.push(groupBlock(group, firstFindings.get(group.code) ?? []));
    if (summary.groups.length > GROUPS_SHOWN) blocks.push(context([`…and ${counted(summary.groups.length - GROUPS_SHOWN, 'more code')}`]));
    // A button for "all" findings only when the card could not quote them all.
    const allQuoted = summary.groups.length <= GROUPS_SHOWN && summary.groups.every((group) => group.count <= FINDINGS_PER_GROUP);
    if (!allQuoted) {
      blocks.push(
        actions('analyze_actions', [
          button({
            text: `Show all ${summary.total} findings`,
            actionId: SHOW_FINDINGS_ACTION,
            value: JSON.stringify({ cluster: result.cluster, namespace: result.scope.kind === 'namespace' ? result.scope.namespace : null }),
          }),
        ]),
      );
    }
  }
  const footer = [`as of ${clockTime(result.asOf)}`];
  if (result.istioctlVersion) footer.push(`istioctl ${escapeMrkdwn(result.istioctlVersion)}`);
  blocks.push(context([footer.join(' · ')]));
  return message(analyzeHeadline(result), blocks);
}

export function renderAnalyzeText(result: AnalyzeResult): string {
  const summary = result.summary;
  const lines = [`Mesh analyze: ${scopeLabel(result)} — ${countsLine(result)} (as of ${clockTime(result.asOf)})`];
  if (result.namespaceDefaulted && result.scope.kind === 'namespace') lines.push(`Analyzed namespace ${result.scope.namespace} (no -n given); use -A for the whole mesh.`);
  if (summary && result.previous) {
    const { added, resolved } = result.previous.diff;
    lines.push(`Since the previous run (${previousStamp(result.previous.at)}): ${added.length} new, ${resolved.length} resolved`);
    for (const finding of added) lines.push(`  new: ${findingLine(finding)}`);
    for (const finding of resolved) lines.push(`  resolved: ${findingLine(finding)}`);
  } else if (summary) {
    lines.push(result.historyUnread === true ? NOT_COMPARED : 'First analyze of this scope: nothing to compare with yet.');
  }
  const skipped = summary ? injectionSkipSentence(result.ambientNamespaces) : null;
  if (skipped) lines.push(skipped);
  const findings = result.findings ?? [];
  for (const group of summary?.groups ?? []) {
    lines.push(`${groupTitle(group)}`, `  ${group.docUrl}`);
    for (const finding of findings) if (finding.code === group.code) lines.push(`  ${findingOnCard(finding)}`);
  }
  return `${lines.join('\n')}\n`;
}

function changeItem(finding: AnalyzeFinding): Record<string, unknown> {
  return { code: finding.code, level: finding.level, origin: finding.origin, ...(finding.message ? { message: finding.message } : {}), ...(finding.cluster !== undefined ? { cluster: finding.cluster } : {}) };
}

/** The `scope` field of the JSON of commands that take `-n NAMESPACE | -A`. */
export function scopeJson(scope: AnalyzeRead['scope'], defaulted: boolean): Record<string, unknown> {
  return scope.kind === 'all' ? { allNamespaces: true, namespace: null } : { allNamespaces: false, namespace: scope.namespace, defaulted };
}

export function renderAnalyzeJson(result: AnalyzeResult): Record<string, unknown> {
  const summary = result.summary;
  return {
    command: 'analyze',
    cluster: result.cluster,
    asOf: result.asOf.toISOString(),
    errors: result.errors,
    scope: scopeJson(result.scope, result.namespaceDefaulted),
    verdict: summary?.verdict ?? null,
    findings: summary
      ? {
          total: summary.total,
          byLevel: summary.byLevel,
          byCode: summary.byCode,
          items: summary.items,
          groups: summary.groups,
        }
      : null,
    changes:
      summary && result.previous
        ? { previousAt: result.previous.at, new: result.previous.diff.added.map(changeItem), resolved: result.previous.diff.resolved.map(changeItem), unchanged: result.previous.diff.unchanged }
        : null,
    istioctlVersion: result.istioctlVersion ?? null,
    ambient: summary
      ? {
          injectionSkippedNamespaces: result.ambientNamespaces ?? null,
          explained: (result.findings ?? []).flatMap((finding) => {
            const explanation = explainAmbientFinding(finding);
            return explanation === undefined ? [] : [{ code: finding.code, origin: finding.origin, explanation }];
          }),
        }
      : null,
  };
}

/** Every finding, worst code first, one line each: for the thread reply or the uploaded file. */
export function renderFindingList(result: AnalyzeRead): string {
  const summary = result.summary;
  const findings = result.findings ?? [];
  const order = new Map((summary?.groups ?? []).map((group, index) => [group.code, index] as const));
  const sorted = [...findings].sort((a, b) => (order.get(a.code) ?? 0) - (order.get(b.code) ?? 0));
  return [`${counted(findings.length, 'finding')} in ${scopeLabel(result)}, as of ${clockTime(result.asOf)}:`, ...sorted.map(findingLine)].join('\n');
}
