import type { Command } from '../src/command.ts';
import { clip, closestWord, typographyProblem } from '../src/grammar.ts';
import { err, ok, type Result } from '../src/result.ts';
import { analyzeCommand } from './analyze.ts';
import { canaryCommand } from './canary.ts';
import { digestCommand } from './digest.ts';
import { helpCommand } from './help.ts';
import { proxyConfigCommand } from './proxy-config.ts';
import { statusCommand } from './status.ts';
import { ztunnelConfigCommand } from './ztunnel-config.ts';
import { waypointCommand } from './waypoint.ts';

/** Every `/mesh` subcommand, in the order `help` lists them. */
export const commands: readonly Command[] = [statusCommand, analyzeCommand, proxyConfigCommand, ztunnelConfigCommand, canaryCommand, waypointCommand, digestCommand, helpCommand(() => commands)];

export interface Lookup {
  readonly command: Command;
  readonly rest: readonly string[];
}

export interface UnknownCommand {
  /** `unknown command "stauts"` */
  readonly message: string;
  /** The command the user probably meant, when one is close enough to the typo. */
  readonly suggestion: string | undefined;
}

/** Flags every reading command shares, which kubectl and istioctl also take before the command (`-n shop status`). */
const LEADING_VALUE_FLAGS = new Set(['-n', '--namespace', '--cluster']);

/**
 * The command named by the first word that is not a flag; flags typed before it (`-n shop status`,
 * `--cluster=prod ps`) are handed to the command after the rest, which checks them like any other.
 */
export function findCommand(tokens: readonly string[]): Result<Lookup, UnknownCommand> {
  let at = 0;
  while (at < tokens.length && (tokens[at] ?? '').startsWith('-') && tokens[at] !== '-') at += LEADING_VALUE_FLAGS.has(tokens[at] ?? '') ? 2 : 1;
  const first = tokens[at];
  const leading = tokens.slice(0, at);
  if (first === undefined) {
    const help = commands.find((command) => command.name === 'help') ?? (commands[0] as Command);
    // `/mesh --help` (or `-h`), as kubectl and istioctl take it, is help.
    return leading.every((token) => token === '-h' || token === '--help') ? ok({ command: help, rest: [] }) : err({ message: `missing command after "${clip(leading.join(' '))}"`, suggestion: undefined });
  }
  const name = first.toLowerCase();
  const command = commands.find((candidate) => candidate.name === name || candidate.aliases.includes(name));
  // `mesh-bot —namespace shop status` in a terminal: the long dash hides a flag, not a command.
  const typography = command ? null : typographyProblem(first);
  if (typography) return err({ message: typography, suggestion: undefined });
  if (!command) return err({ message: `unknown command "${clip(first)}"`, suggestion: closestWord(name, commands.map((candidate) => candidate.name)) });
  return ok({ command, rest: [...tokens.slice(at + 1), ...leading] });
}
