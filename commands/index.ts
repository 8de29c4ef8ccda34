import type { Command } from '../src/command.ts';
import { clip, closestWord } from '../src/grammar.ts';
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

export function findCommand(tokens: readonly string[]): Result<Lookup, UnknownCommand> {
  const [first, ...rest] = tokens;
  if (first === undefined) return ok({ command: commands.find((command) => command.name === 'help') ?? (commands[0] as Command), rest: [] });
  const name = first.toLowerCase();
  const command = commands.find((candidate) => candidate.name === name || candidate.aliases.includes(name));
  if (!command) return err({ message: `unknown command "${clip(first)}"`, suggestion: closestWord(name, commands.map((candidate) => candidate.name)) });
  return ok({ command, rest });
}
