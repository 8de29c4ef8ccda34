// The command table and a cobra-like dispatcher: finds the subcommand, parses global + local flags with
// pflag semantics, runs the command, and turns errors into istioctl's stderr lines and exit codes.

import { FlagParseError, HelpRequested, parseFlags } from './flags.ts';
import type { FlagSpec, ParsedFlags } from './flags.ts';
import type { ClientVersion } from './version.ts';
import type { Scenario } from './scenarios.ts';

export interface Output {
  stdout: string | Uint8Array;
  stderr: string;
  exitCode: number;
}

export interface RunContext {
  version: ClientVersion;
  scenario: Scenario;
  env: Readonly<Record<string, string | undefined>>;
  flags: ParsedFlags;
  /** every flag spec in effect (global + local), for defaults */
  specs: readonly FlagSpec[];
  /** positional arguments after the command path */
  args: string[];
  /** the command path as typed, e.g. ['x', 'ps'] */
  path: string[];
}

export interface CommandDef {
  name: string;
  aliases?: readonly string[];
  /** whether this istioctl version has the command (default: yes) */
  available?: (v: ClientVersion) => boolean;
  /** local flags for this version */
  flags?: (v: ClientVersion) => FlagSpec[];
  /** may be async: the `bookinfo` scenario's proxy-config reads the sandbox's Kubernetes API, as istioctl does */
  run?: (ctx: RunContext) => Output | Promise<Output>;
  subcommands?: readonly CommandDef[];
  /** a real istioctl command the fake does not model: any arguments exit 2 `fake-istioctl: not implemented` */
  unmodelled?: boolean;
}

/** istioctl/cmd/sysexits.go */
export const EXIT = { unknownError: 1, commandParseError: 64, fileParseError: 65, analyzerFoundIssues: 79 } as const;
/** the fake's own problems (bad FAKE_* env, unimplemented behaviour): never an istioctl code */
export const EXIT_FAKE = 2;

/** A command's returned error: cobra prints `Error: <message>`; istioctl maps it to an exit code. */
export class CommandError extends Error {
  readonly exitCode: number;
  /** log lines istioctl wrote to stderr before failing */
  readonly preamble: string;
  constructor(message: string, exitCode: number = EXIT.unknownError, preamble = '') {
    super(message);
    this.name = 'CommandError';
    this.exitCode = exitCode;
    this.preamble = preamble;
  }
}

/** Something the fake does not model. Exits 2 with a `fake-istioctl:` line so nobody mistakes it for istioctl. */
export class NotImplemented extends Error {
  override name = 'NotImplemented';
}

/** The fake's own environment is wrong (a bad FAKE_* value, its Kubernetes API unreachable): exit 2, never istioctl's codes. */
export class FakeSetupError extends Error {
  override name = 'FakeSetupError';
}

export function ok(stdout: string | Uint8Array, stderr = ''): Output {
  return { stdout, stderr, exitCode: 0 };
}

/** Global (persistent) flags every supported version has. */
export function globalFlags(_v: ClientVersion): FlagSpec[] {
  return [
    { name: 'context', kind: 'string', default: '' },
    { name: 'kubeconfig', shorthand: 'c', kind: 'string', default: '' },
    { name: 'namespace', shorthand: 'n', kind: 'string', default: '' },
    { name: 'istioNamespace', shorthand: 'i', kind: 'string', default: 'istio-system' },
    { name: 'vklog', kind: 'int', default: '0' },
  ];
}

function isAvailable(c: CommandDef, v: ClientVersion): boolean {
  return c.available === undefined || c.available(v);
}

function findChild(c: CommandDef, token: string, v: ClientVersion): CommandDef | undefined {
  return c.subcommands?.find((s) => isAvailable(s, v) && (s.name === token || (s.aliases ?? []).includes(token)));
}

/** cobra's Levenshtein-based "Did you mean this?" (SuggestionsMinimumDistance 2, prefix matches too). */
function suggestions(c: CommandDef, typed: string, v: ClientVersion): string[] {
  const lev = (a: string, b: string): number => {
    a = a.toLowerCase();
    b = b.toLowerCase();
    const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0] as number;
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = d[j] as number;
        d[j] = Math.min((d[j] as number) + 1, (d[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    return d[b.length] as number;
  };
  return (c.subcommands ?? [])
    .filter((s) => isAvailable(s, v))
    .filter((s) => lev(typed, s.name) <= 2 || s.name.toLowerCase().startsWith(typed.toLowerCase()))
    .map((s) => s.name);
}

function usage(path: string[]): string {
  return `Usage:\n  ${['istioctl', ...path].join(' ')} [flags]\n\n(fake istioctl: help text is not modelled)\n`;
}

/** Runs one istioctl invocation against the command table. */
export async function dispatch(
  root: CommandDef,
  argv: readonly string[],
  base: Omit<RunContext, 'flags' | 'specs' | 'args' | 'path'>,
): Promise<Output> {
  const v = base.version;
  const globals = globalFlags(v);
  const valueTaking = new Set<string>();
  for (const f of globals) {
    if (f.kind !== 'bool') {
      valueTaking.add(`--${f.name}`);
      if (f.shorthand) valueTaking.add(`-${f.shorthand}`);
    }
  }
  // 1. find the command: leading non-flag tokens that name subcommands (flags may come first, as in cobra)
  let cmd = root;
  const path: string[] = [];
  const names: string[] = []; // canonical names: cobra's CommandPath() never shows the alias typed
  const rest: string[] = [];
  let i = 0;
  let descending = true;
  while (i < argv.length) {
    const tok = argv[i] as string;
    i++;
    if (tok === '--') {
      rest.push(tok, ...argv.slice(i));
      break;
    }
    if (tok.startsWith('-') && tok.length > 1) {
      rest.push(tok);
      // like cobra's stripFlags: while looking for the subcommand, a flag without `=` that is not a known
      // boolean is assumed to take the next token as its value (`istioctl -o json ps` finds `ps`)
      const looking = descending && (cmd.subcommands?.length ?? 0) > 0;
      const takesValue = valueTaking.has(tok) || (looking && (tok.startsWith('--') || tok.length === 2));
      if (!tok.includes('=') && takesValue && i < argv.length) {
        rest.push(argv[i] as string);
        i++;
      }
      continue;
    }
    if (descending && cmd.subcommands && cmd.subcommands.length > 0) {
      const child = findChild(cmd, tok, v);
      if (child) {
        cmd = child;
        path.push(tok);
        names.push(child.name);
        continue;
      }
      if (!cmd.run) {
        const sugg = suggestions(cmd, tok, v);
        const did = sugg.length > 0 ? `\n\nDid you mean this?\n${sugg.map((s) => `\t${s}\n`).join('')}` : '';
        const cmdPath = ['istioctl', ...names].join(' ');
        return {
          stdout: '',
          stderr: `Error: unknown command ${JSON.stringify(tok)} for ${JSON.stringify(cmdPath)}${did}\nRun '${cmdPath} --help' for usage.\n`,
          exitCode: EXIT.commandParseError,
        };
      }
    }
    descending = false;
    rest.push(tok);
  }

  if (cmd.unmodelled) {
    return { stdout: '', stderr: `fake-istioctl: not implemented: ${names.join(' ')}\n`, exitCode: EXIT_FAKE };
  }

  // 2. parse flags
  const specs = [...globals, ...(cmd.flags ? cmd.flags(v) : [])];
  let flags: ParsedFlags;
  try {
    flags = parseFlags(rest, specs);
  } catch (e) {
    if (e instanceof HelpRequested) return ok(usage(names));
    if (e instanceof FlagParseError) {
      return { stdout: '', stderr: `Error: ${e.message}\n`, exitCode: EXIT.commandParseError };
    }
    throw e;
  }
  if (!cmd.run) return ok(usage(names));

  // 3. run
  try {
    return await cmd.run({ ...base, flags, specs, args: flags.positionals, path });
  } catch (e) {
    if (e instanceof CommandError) {
      return { stdout: '', stderr: `${e.preamble}Error: ${e.message}\n`, exitCode: e.exitCode };
    }
    if (e instanceof FakeSetupError) {
      return { stdout: '', stderr: `fake-istioctl: ${e.message}\n`, exitCode: EXIT_FAKE };
    }
    if (e instanceof NotImplemented) {
      return { stdout: '', stderr: `fake-istioctl: not implemented: ${e.message}\n`, exitCode: EXIT_FAKE };
    }
    throw e;
  }
}
