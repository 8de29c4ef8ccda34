// A small re-implementation of spf13/pflag parsing as cobra uses it (interspersed flags, `--` ends flags),
// with pflag's exact error texts. Which flags exist is decided per command and per client version by the caller.

export type FlagKind = 'string' | 'bool' | 'int' | 'duration' | 'stringSlice';

export interface FlagSpec {
  name: string;
  shorthand?: string;
  kind: FlagKind;
  /** default value as text (pflag's DefValue); used when the flag is absent */
  default?: string;
}

export interface ParsedFlags {
  /** flag name -> values in the order given (last wins for scalars) */
  values: Map<string, string[]>;
  positionals: string[];
}

/** A flag parse error: cobra prints `Error: <message>` and istioctl exits 64. */
export class FlagParseError extends Error {
  override name = 'FlagParseError';
}

function noOptDefVal(spec: FlagSpec): string | undefined {
  return spec.kind === 'bool' ? 'true' : undefined;
}

function flagDisplay(spec: FlagSpec): string {
  // pflag: `"-v, --verbosity"` when a shorthand exists, else `"--name"`
  return spec.shorthand ? `-${spec.shorthand}, --${spec.name}` : `--${spec.name}`;
}

const DURATION_RE = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$|^[-+]?0$/;

function validate(spec: FlagSpec, value: string): void {
  const bad = (why: string): never => {
    throw new FlagParseError(`invalid argument ${JSON.stringify(value)} for ${JSON.stringify(flagDisplay(spec))} flag: ${why}`);
  };
  switch (spec.kind) {
    case 'bool':
      if (!['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) {
        bad(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
      }
      return;
    case 'int':
      if (!/^[-+]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]*|[1-9][0-9_]*)$/.test(value)) {
        bad(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
      }
      return;
    case 'duration':
      if (!DURATION_RE.test(value)) bad(`time: invalid duration ${JSON.stringify(value)}`);
      return;
    default:
      return;
  }
}

export function parseFlags(args: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.shorthand).map((s) => [s.shorthand as string, s]));
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  const set = (spec: FlagSpec, value: string): void => {
    validate(spec, value);
    const list = values.get(spec.name) ?? [];
    list.push(value);
    values.set(spec.name, list);
  };

  let i = 0;
  while (i < args.length) {
    const s = args[i] as string;
    i++;
    if (s.length === 0 || s[0] !== '-' || s.length === 1) {
      positionals.push(s);
      continue;
    }
    if (s[1] === '-') {
      if (s.length === 2) {
        // "--" terminates the flags
        positionals.push(...args.slice(i));
        break;
      }
      const body = s.slice(2);
      if (body.length === 0 || body[0] === '-' || body[0] === '=') {
        throw new FlagParseError(`bad flag syntax: ${s}`);
      }
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      const spec = byName.get(name);
      if (!spec) {
        if (name === 'help') throw new HelpRequested();
        throw new FlagParseError(`unknown flag: --${name}`);
      }
      if (eq >= 0) {
        set(spec, body.slice(eq + 1));
      } else if (noOptDefVal(spec) !== undefined) {
        set(spec, noOptDefVal(spec) as string);
      } else if (i < args.length) {
        set(spec, args[i] as string);
        i++;
      } else {
        throw new FlagParseError(`flag needs an argument: --${name}`);
      }
      continue;
    }
    // shorthand(s)
    let shorthands = s.slice(1);
    while (shorthands.length > 0) {
      const c = shorthands[0] as string;
      const spec = byShort.get(c);
      if (!spec) {
        if (c === 'h') throw new HelpRequested();
        throw new FlagParseError(`unknown shorthand flag: '${c}' in -${shorthands}`);
      }
      if (shorthands.length > 2 && shorthands[1] === '=') {
        set(spec, shorthands.slice(2));
        shorthands = '';
      } else if (noOptDefVal(spec) !== undefined) {
        set(spec, noOptDefVal(spec) as string);
        shorthands = shorthands.slice(1);
      } else if (shorthands.length > 1) {
        set(spec, shorthands.slice(1));
        shorthands = '';
      } else if (i < args.length) {
        set(spec, args[i] as string);
        i++;
        shorthands = '';
      } else {
        throw new FlagParseError(`flag needs an argument: '${c}' in -${c}`);
      }
    }
  }
  return { values, positionals };
}

/** -h/--help was given (and is not otherwise defined). */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
}

export function flagValue(parsed: ParsedFlags, specs: readonly FlagSpec[], name: string): string | undefined {
  const list = parsed.values.get(name);
  if (list && list.length > 0) return list[list.length - 1];
  return specs.find((s) => s.name === name)?.default;
}

export function flagGiven(parsed: ParsedFlags, name: string): boolean {
  return (parsed.values.get(name)?.length ?? 0) > 0;
}

export function boolValue(v: string | undefined): boolean {
  return v !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
}
