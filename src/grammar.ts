import { isDnsLabel, isDnsSubdomain } from './names.ts';
import { err, ok, type Result } from './result.ts';

export interface FlagSpec {
  /** Long name without dashes, e.g. `namespace`. */
  readonly name: string;
  readonly short?: string;
  readonly takesValue: boolean;
  /** How the value is checked before anything runs. */
  readonly value?: 'namespace' | 'name' | 'cluster' | 'percent' | 'text';
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  /** Long flag name → value (`true` for switches). Repeating a flag keeps the last value, like kubectl. */
  readonly flags: ReadonlyMap<string, string | true>;
}

export const NAMESPACE_FLAG: FlagSpec = { name: 'namespace', short: 'n', takesValue: true, value: 'namespace' };
export const CLUSTER_FLAG: FlagSpec = { name: 'cluster', takesValue: true, value: 'cluster' };

/** Slack turns `--` into an em dash and quotes into curly ones when users paste; undo that before parsing. */
export function tokenize(text: string): string[] {
  return text
    .replace(/[\u2014\u2013]/g, '--')
    .replace(/[\u201c\u201d\u2018\u2019]/g, '')
    .trim()
    .split(/\s+/)
    .filter((token) => token !== '');
}

export function parseArgs(tokens: readonly string[], specs: readonly FlagSpec[]): Result<ParsedArgs, string> {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] ?? '';
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }
    const long = token.startsWith('--');
    const body = long ? token.slice(2) : token.slice(1);
    const equals = body.indexOf('=');
    let key = equals === -1 ? body : body.slice(0, equals);
    let inline: string | undefined = equals === -1 ? undefined : body.slice(equals + 1);
    // pflag accepts `-nfoo` as `-n foo`.
    if (!long && inline === undefined && key.length > 1) {
      inline = key.slice(1);
      key = key.slice(0, 1);
    }
    const spec = specs.find((candidate) => (long ? candidate.name === key : candidate.short === key));
    if (!spec) return err(`unknown flag ${long ? '--' : '-'}${key}`);
    if (!spec.takesValue) {
      if (inline !== undefined) return err(`flag --${spec.name} takes no value`);
      flags.set(spec.name, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = tokens[index + 1];
      index += 1;
    }
    if (value === undefined || value === '') return err(`flag --${spec.name} needs a value`);
    const problem = checkValue(spec, value);
    if (problem) return err(problem);
    flags.set(spec.name, value);
  }
  return ok({ positionals, flags });
}

function checkValue(spec: FlagSpec, value: string): string | null {
  if (value.startsWith('-')) return `--${spec.name} needs a value, got the option-like "${value}"`;
  switch (spec.value) {
    case 'namespace':
      return isDnsLabel(value) ? null : `"${clip(value)}" is not a valid namespace name (lower-case letters, digits and "-")`;
    case 'name':
      return isDnsSubdomain(value) ? null : `"${clip(value)}" is not a valid Kubernetes name`;
    case 'cluster':
      return /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(value) ? null : `"${clip(value)}" is not a valid cluster name`;
    case 'percent':
      return /^\d{1,3}$/.test(value) && Number(value) <= 100 ? null : `--${spec.name} must be a whole percentage from 0 to 100, got "${clip(value)}"`;
    default:
      return null;
  }
}

/** Positional Kubernetes object name: refuses option-looking and malformed values before they reach an argument list. */
export function checkObjectName(value: string | undefined, what: string): Result<string, string> {
  if (value === undefined) return err(`missing ${what}`);
  if (value.startsWith('-')) return err(`expected ${what}, got the option-like "${clip(value)}"`);
  if (!isDnsSubdomain(value)) return err(`"${clip(value)}" is not a valid ${what} (lower-case letters, digits, "-" and ".")`);
  return ok(value);
}

/**
 * A word of the grammar (a subcommand, an action, a TYPE) as its canonical lower-case spelling, or undefined. Words
 * are case-insensitive like command names: phones capitalize the word typed after `/mesh wp`. Flags stay
 * case-sensitive, as in kubectl (`-n` is not `-N`).
 */
export function grammarWord<const Word extends string>(token: string, words: readonly Word[]): Word | undefined {
  const lower = token.toLowerCase();
  return words.find((word) => word === lower);
}

/** Echoed user input is clipped so an error message cannot be used to post a wall of text. */
export function clip(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}

/**
 * The candidate closest to a mistyped word, for "did you mean …?": at most two edits away, where swapping two
 * neighbouring letters (`stauts` → `status`) counts as one edit. undefined when nothing is that close.
 */
export function closestWord(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate);
    if (distance <= Math.min(2, candidate.length - 1) && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = distance;
    }
  }
  return at(a.length, b.length);
}
