import { isDnsLabel, isDnsSubdomain } from './names.ts';
import { err, ok, type Result } from './result.ts';

export interface FlagSpec {
  /** Long name without dashes, e.g. `namespace`. */
  readonly name: string;
  readonly short?: string;
  readonly takesValue: boolean;
  /** How the value is checked before anything runs. */
  readonly value?: 'namespace' | 'name' | 'label' | 'cluster' | 'percent' | 'text';
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  /**
   * Long flag name → value (`true` for switches). A value flag given twice must say the same both times: unlike
   * kubectl, whose last value wins, `-n a -n b` is refused, because in chat a half-edited command line would
   * otherwise silently read (or promote in) the namespace, cluster or weight typed last.
   */
  readonly flags: ReadonlyMap<string, string | true>;
}

export const NAMESPACE_FLAG: FlagSpec = { name: 'namespace', short: 'n', takesValue: true, value: 'namespace' };
export const CLUSTER_FLAG: FlagSpec = { name: 'cluster', takesValue: true, value: 'cluster' };

/**
 * A flag whose dashes smart punctuation (Slack, phones, word processors) or a CJK keyboard made into other dashes:
 * hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign, small and full-width
 * hyphen-minus, alone or mixed with ASCII hyphens, at least one of them not ASCII; group 1 is the flag's name.
 */
const LONG_DASHED_FLAG = /^(?=-*[\u2010-\u2015\u2212\ufe58\ufe63\uff0d])[-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]{1,3}(\p{L}[^=]*)/u;
/** Quotes that smart punctuation puts around a typed value: curly, low (German „…“), angle (« », ‹ ›) and full-width. */
const CURLY_QUOTES = /[\u201a\u201c\u201d\u201e\u2018\u2019\u00ab\u00bb\u2039\u203a\uff02\uff07]/g;

/**
 * The Slack command line as tokens. Slack clients and phones turn a typed `--` into a long dash and quotes into
 * curly ones, and the user cannot stop them from doing it again when retyping, so that is undone here: a long dash
 * before one letter is that short flag (`–n` → `-n`), before a word the long one (`—cluster` → `--cluster`). Quotes
 * around a value are dropped (no Kubernetes name contains one). The terminal gets its arguments from a shell, which
 * never does this, so there parseArgs refuses such tokens with a sentence saying what happened instead.
 */
export function tokenize(text: string): string[] {
  return text
    .replace(CURLY_QUOTES, '')
    .trim()
    .split(/\s+/)
    .filter((token) => token !== '')
    .map((token) => {
      const dashed = LONG_DASHED_FLAG.exec(token);
      if (dashed?.[1] !== undefined) return `${dashed[1].length === 1 ? '-' : '--'}${token.slice(dashed[0].length - dashed[1].length)}`;
      const quoted = /^(["'])(.+)\1$/.exec(token);
      return quoted?.[2] ?? token;
    });
}

/**
 * A token smart punctuation changed on its way into a terminal (pasted from chat or a document): what it was meant
 * to be, in one sentence plus what to type instead; null for an ordinary token.
 */
export function typographyProblem(token: string): string | null {
  const dashed = LONG_DASHED_FLAG.exec(token);
  if (dashed?.[1] !== undefined) {
    const name = clip(dashed[1], 40);
    return name.length === 1
      ? `"${clip(token, 40)}" looks like the flag -${name} typed with a dash other than "-" (phones, word processors and some keyboards make one); type -${name}`
      : `"${clip(token, 40)}" looks like the flag --${name} with its two dashes turned into one long dash (phones do that); type --${name}`;
  }
  if (new RegExp(CURLY_QUOTES.source).test(token)) {
    return `"${clip(token, 40)}" has curly quotes in it (chat apps and word processors add them); type ${clip(token.replace(CURLY_QUOTES, ''), 40)} without quotes`;
  }
  return null;
}

export function parseArgs(tokens: readonly string[], specs: readonly FlagSpec[]): Result<ParsedArgs, string> {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] ?? '';
    const typography = typographyProblem(token);
    if (typography) return err(typography);
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
    if (!spec) return err(unknownFlag(long, key, specs));
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
    const valueTypography = typographyProblem(value);
    if (valueTypography) return err(valueTypography);
    const problem = checkValue(spec, value);
    if (problem) return err(problem);
    const earlier = flags.get(spec.name);
    if (typeof earlier === 'string' && earlier !== value) {
      return err(`--${spec.name} is given twice ("${clip(earlier, 40)}" and "${clip(value, 40)}"); give it once`);
    }
    flags.set(spec.name, value);
  }
  return ok({ positionals, flags });
}

/** `unknown flag --namspace (did you mean --namespace?)`, and a word on the flags only the terminal has. */
function unknownFlag(long: boolean, key: string, specs: readonly FlagSpec[]): string {
  if (long && key === '') return 'unknown flag -- (no command takes an end-of-flags marker)';
  const typed = `${long ? '--' : '-'}${clip(key, 40)}`;
  // Only Slack gets here (the terminal answers --help itself), and its refusal carries the usage line anyway.
  if ((long && key === 'help') || (!long && key === 'h')) return `${typed} is not a flag here: the usage line is the help (more with \`help COMMAND\`)`;
  if (!long && key === 'o') return `unknown flag ${typed} (-o text|json is for the terminal: \`mesh-bot COMMAND -o json\`)`;
  // Flags are case-sensitive as in kubectl, but a capital typed by a phone deserves the right spelling.
  const guess = long ? closestWord(key, specs.map((spec) => spec.name)) : undefined;
  const short = long ? undefined : specs.find((spec) => spec.short !== undefined && spec.short !== key && spec.short.toLowerCase() === key.toLowerCase())?.short;
  if (short !== undefined) return `unknown flag ${typed} (did you mean -${short}? Flags are case-sensitive)`;
  return guess === undefined ? `unknown flag ${typed}` : `unknown flag ${typed} (did you mean --${guess}?)`;
}

/** `50`, `50%`, `050`: a whole percentage from 0 to 100, or undefined. */
export function wholePercent(value: string): number | undefined {
  const match = /^(\d{1,5})%?$/.exec(value);
  if (!match) return undefined;
  const number = Number(match[1]);
  return number <= 100 ? number : undefined;
}

function checkValue(spec: FlagSpec, value: string): string | null {
  if (spec.value === 'percent' && /^-\d/.test(value)) return `--${spec.name} takes a whole percentage from 0 to 100 (like 50 or 50%), got "${clip(value, 20)}"`;
  if (value.startsWith('-')) return `--${spec.name} needs a value, got the option-like "${clip(value)}"`;
  switch (spec.value) {
    case 'namespace':
      return isDnsLabel(value) ? null : `"${clip(value)}" is not a valid namespace name (lower-case letters, digits and "-")${unusualCharacter(value)}`;
    case 'name':
      return isDnsSubdomain(value) ? null : `"${clip(value)}" is not a valid Kubernetes name${unusualCharacter(value)}`;
    case 'label':
      if (isDnsLabel(value)) return null;
      return isDnsSubdomain(value) ? `"${clip(value)}" is not a valid name for --${spec.name} (lower-case letters, digits and "-", at most 63, no dots)` : `"${clip(value)}" is not a valid Kubernetes name${unusualCharacter(value)}`;
    case 'cluster':
      return value.length <= 253 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(value) ? null : `"${clip(value)}" is not a valid cluster name${unusualCharacter(value)}`;
    case 'percent':
      return wholePercent(value) !== undefined ? null : `--${spec.name} takes a whole percentage from 0 to 100 (like 50 or 50%), got "${clip(value, 20)}"`;
    default:
      return null;
  }
}

/**
 * A character no Kubernetes name has and a reader cannot tell from an allowed one (a zero-width space, a Cyrillic
 * "а", a full-width digit) makes "is not valid" look wrong: name it by its code point.
 */
export function unusualCharacter(value: string): string {
  const odd = [...value].find((character) => !/^[\x21-\x7e]$/.test(character));
  return odd === undefined ? '' : `; it contains the character U+${(odd.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}, which no Kubernetes name has (pasted text?)`;
}

/** Positional Kubernetes object name: refuses option-looking and malformed values before they reach an argument list. */
export function checkObjectName(value: string | undefined, what: string): Result<string, string> {
  if (value === undefined) return err(`missing ${what}`);
  if (value.startsWith('-')) return err(`expected ${what}, got the option-like "${clip(value)}"`);
  if (!isDnsSubdomain(value)) return err(`"${clip(value)}" is not a valid ${what} (lower-case letters, digits, "-" and ".")${unusualCharacter(value)}`);
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
