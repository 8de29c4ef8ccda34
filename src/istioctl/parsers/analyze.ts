import { z } from 'zod';
import { err, ok } from '../../result.ts';
import type { Result } from '../../result.ts';
import type { ParseFailure } from '../types.ts';
import { scanJson, trimmedBytes } from './proxy-config/json-text.ts';

export type AnalyzeLevel = 'Error' | 'Warning' | 'Info';

/** The Kubernetes object a finding is about, parsed from istioctl's "friendly name" origin. */
export interface AnalyzeResource {
  readonly kind: string;
  /** Absent for cluster-scoped objects (`Namespace default`). */
  readonly namespace?: string;
  readonly name: string;
}

export interface AnalyzeFinding {
  readonly code: string;
  readonly level: AnalyzeLevel;
  readonly message: string;
  /** istioctl's origin as printed (`VirtualService default/reviews`); '' when the message has no resource. */
  readonly origin: string;
  /** null when the origin is not of the `Kind [ns/]name` form (e.g. precheck's `Cluster`). */
  readonly resource: AnalyzeResource | null;
  /** File and line the resource came from (`samples/bookinfo/gateway.yaml:9`), only when analyzing files. */
  readonly reference?: string;
  readonly documentationUrl?: string;
  /** Multi-cluster analyze (1.26+): the cluster id from ` [cluster-<id>]`, or the `cluster` field of `-o json`. */
  readonly cluster?: string;
}

// istioctl prints keys sorted and tab-indented; only the fields below are relied upon, anything else is tolerated.
const findingJson = z.looseObject({
  code: z.string().min(1),
  level: z.enum(['Error', 'Warning', 'Info']),
  message: z.string(),
  // Unstructured() omits origin (and reference) when the message has no resource.
  origin: z.string().optional(),
  reference: z.string().optional(),
  documentationUrl: z.string().optional(),
  // Multi-cluster analyze (1.26+): istio diag Message.Unstructured adds the cluster id when PrintCluster is set.
  cluster: z.string().optional(),
});
const analyzeJson = z.array(findingJson);

function failure(message: string): { readonly ok: false; readonly error: ParseFailure } {
  return err({ kind: 'parse', message });
}

/**
 * Splits istioctl's resource friendly name (`Kind ns/name`, `Kind name` for cluster-scoped objects).
 * Anything else (`Cluster`, test origins like `SoapBubble`) has no resource.
 */
export function parseOrigin(origin: string): AnalyzeResource | null {
  const match = /^(\S+) (\S+)$/.exec(origin.trim());
  if (!match) return null;
  const kind = match[1] ?? '';
  const full = match[2] ?? '';
  const slash = full.indexOf('/');
  if (slash === -1) return { kind, name: full };
  const namespace = full.slice(0, slash);
  const name = full.slice(slash + 1);
  if (namespace === '' || name === '' || name.includes('/')) return null;
  return { kind, namespace, name };
}

/** `istioctl analyze -o json`: a JSON array (`[]` when there is nothing to report). */
export function parseAnalyzeJson(stdout: string): Result<AnalyzeFinding[], ParseFailure> {
  const text = stdout.trim();
  if (text === '') return failure('istioctl analyze -o json printed nothing (expected a JSON array).');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return failure(`istioctl analyze -o json output is not JSON: ${(e as Error).message}`);
  }
  const parsed = analyzeJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `at ${issue.path.join('.') || '(root)'}: ${issue.message}` : '';
    return failure(`istioctl analyze -o json output has an unexpected shape ${where}`.trim());
  }
  return ok(parsed.data.map(toFinding));
}

function toFinding(item: z.infer<typeof findingJson>): AnalyzeFinding {
  const origin = item.origin ?? '';
  return {
    code: item.code,
    level: item.level,
    message: item.message,
    origin,
    resource: parseOrigin(origin),
    ...(item.reference !== undefined ? { reference: item.reference } : {}),
    ...(item.documentationUrl !== undefined ? { documentationUrl: item.documentationUrl } : {}),
    ...(item.cluster !== undefined && item.cluster !== '' ? { cluster: item.cluster } : {}),
  };
}

/**
 * parseAnalyzeJson on the bytes istioctl printed: the array is checked on its bytes and each finding decoded,
 * parsed and reduced alone, so 10,000 findings never exist as one string nor as one parsed tree
 * (src/istioctl/parsers/proxy-config/json-text.ts). Anything the streaming read does not take is handed to
 * parseAnalyzeJson whole, so every error message is exactly the one it gives.
 */
export function parseAnalyzeJsonBytes(bytes: Uint8Array): Result<AnalyzeFinding[], ParseFailure> {
  const streamed = streamAnalyzeJson(bytes);
  if (streamed !== null) return ok(streamed);
  return parseAnalyzeJson(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}

/** The findings of a well-formed `-o json` array read one at a time; null for anything else. */
export function streamAnalyzeJson(bytes: Uint8Array): AnalyzeFinding[] | null {
  const array = scanJson(trimmedBytes(bytes));
  if (!('kind' in array) || array.kind !== 'array') return null;
  const findings: AnalyzeFinding[] = [];
  let complete = true;
  array.forEachElement((element) => {
    const item = findingJson.safeParse(element.parse());
    if (item.success) findings.push(toFinding(item.data));
    complete = item.success;
    return complete;
  });
  return complete ? findings : null;
}

// ESC[1;31m / ESC[33m / ESC[0m: `-o log` colours the level when stdout is a TTY or --color=true.
const ANSI = /\u001b\[[0-9;]*m/g;

// `Level [CODE][ [cluster-id]] (origin[ reference]) message`. With no resource istioctl prints an empty origin,
// which leaves two spaces between the code and the message.
const LOG_LINE = /^(Error|Warning|Info) \[([A-Za-z0-9]+)\](?: \[cluster-([^\]]*)\])? (?:\(([^)]*)\) | )?(.*)$/;

/**
 * Lines istioctl writes to stderr around the findings. They are skipped so that combined stdout+stderr,
 * or a pasted terminal session, still parses.
 */
function isStatusLine(line: string): boolean {
  return (
    line.startsWith('✔ ') ||
    line.startsWith('Error: ') ||
    line.startsWith('Warning: ') ||
    line.startsWith('See https://') ||
    line.startsWith('  - ') ||
    /^No validation issues found/.test(line)
  );
}

/**
 * The `-o log` text form (the default output), with or without ANSI colour and with the multi-cluster
 * ` [cluster-x]` tag. Lines that do not start a finding continue the previous finding's message (schema
 * validation errors can span lines).
 */
export function parseAnalyzeLog(text: string): Result<AnalyzeFinding[], ParseFailure> {
  const findings: AnalyzeFinding[] = [];
  const lines = text.replace(ANSI, '').split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const match = LOG_LINE.exec(line);
    if (match) {
      const level = match[1] as AnalyzeLevel;
      const inner = match[4] ?? '';
      // The origin is `Kind ns/name`; analyzing files appends ` path/to/file.yaml:line`.
      const parts = inner.split(' ');
      const hasReference = parts.length > 2;
      const origin = hasReference ? parts.slice(0, 2).join(' ') : inner;
      const reference = hasReference ? parts.slice(2).join(' ') : undefined;
      findings.push({
        code: match[2] ?? '',
        level,
        message: match[5] ?? '',
        origin,
        resource: parseOrigin(origin),
        ...(reference !== undefined ? { reference } : {}),
        ...(match[3] !== undefined ? { cluster: match[3] } : {}),
      });
      continue;
    }
    if (isStatusLine(line)) continue;
    const previous = findings.pop();
    if (!previous) {
      return failure(`line ${index + 1} of istioctl analyze output is not a finding: ${JSON.stringify(line.slice(0, 120))}`);
    }
    findings.push({ ...previous, message: `${previous.message}\n${line}` });
  }
  return ok(findings);
}
