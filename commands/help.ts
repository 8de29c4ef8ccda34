import type { Command, CommandResult } from '../src/command.ts';
import { defineCommand } from '../src/command.ts';
import { context, escapeMrkdwn, header, message, section } from '../src/slack/blocks.ts';
import { clip, closestWord } from '../src/grammar.ts';
import { err, ok } from '../src/result.ts';

export interface HelpArgs {
  /** `help status`: that command only (by name or alias); undefined: every command. */
  readonly only?: string;
  readonly cluster?: undefined;
}

export function helpResult(commands: readonly Command[], clusters: readonly string[], now: Date): CommandResult {
  const entry = (command: Command, summary: string) => ({ line: command.usage, summary, aliases: command.aliases });
  const usage = commands.map((command) => entry(command, command.summary));
  return {
    envelope: { command: 'help', cluster: '', asOf: now, errors: [] },
    failed: false,
    // `-o json` exists only in a terminal, so its summaries are the terminal's, as the text list's are.
    toJson: () => ({ command: 'help', cluster: '', asOf: now.toISOString(), errors: [], commands: commands.map((command) => entry(command, terminalSummary(command))), clusters }),
    toText: () => terminalHelp(commands, clusters),
    toSlack: () =>
      message(`mesh-bot commands: /mesh ${commands.map((command) => command.name).filter((name) => name !== 'help').join(', ')}`, [
        header('mesh-bot commands'),
        section(usage.map((entry) => `• \`/mesh ${escapeMrkdwn(entry.line)}\`${entry.aliases.length > 0 ? ` (alias \`${entry.aliases.join('`, `')}\`)` : ''}\n   ${escapeMrkdwn(entry.summary)}`).join('\n')),
        context([`Clusters: ${clusters.map((name) => `\`${escapeMrkdwn(name)}\``).join(', ')} · flags: \`-n NAMESPACE\`, \`--cluster NAME\``]),
      ]),
  };
}

/**
 * What a command does when run in a terminal, where it differs from Slack: no channels, no approvals, nothing
 * stored, nothing changed.
 */
const TERMINAL_SUMMARY: Readonly<Record<string, string>> = {
  canary: 'VirtualService or HTTPRoute weights; promote and rollback print the plan after the same pre-flight and change nothing (promotions are approved in Slack)',
  digest: 'prints what got worse in the mesh; compares with nothing and stores nothing',
  help: 'this list (also -h, --help; `mesh-bot COMMAND --help` for one command)',
};

/** A command's summary as `mesh-bot help`, `mesh-bot help COMMAND` and `mesh-bot COMMAND --help` print it. */
export function terminalSummary(command: Pick<Command, 'name' | 'summary'>): string {
  return TERMINAL_SUMMARY[command.name] ?? command.summary;
}

function terminalHelp(commands: readonly Command[], clusters: readonly string[]): string {
  const rows = commands.map((command) => ({
    usage: `${command.usage}${command.aliases.length > 0 ? ` (alias: ${command.aliases.join(', ')})` : ''}`,
    summary: terminalSummary(command),
  }));
  return [
    'Usage: mesh-bot <command> [flags] [-o text|json]',
    '',
    'Reads the mesh with istioctl and the Kubernetes API of your kubeconfig (KUBECONFIG or ~/.kube/config); it never changes anything.',
    '',
    'Commands:',
    ...rows.flatMap((row) => [`  ${row.usage}`, `      ${row.summary}`]),
    '',
    'Output: -o text (default) or -o json (one JSON object on stdout). Errors go to stderr.',
    'Exit codes: 0 the command ran (even if the mesh is degraded); 1 nothing could be read, or too little for a verdict; 2 usage or configuration error.',
    `Clusters (--cluster NAME, from MESH_BOT_CONFIG): ${clusters.join(', ')}`,
    'Other options: --version',
    '',
  ].join('\n');
}

export function helpCommand(listAll: () => readonly Command[]): Command {
  return defineCommand<HelpArgs>({
    name: 'help',
    aliases: [],
    usage: 'help [COMMAND]',
    summary: 'this list',
    role: 'reader',
    parse: (tokens) => {
      const [word, extra] = tokens;
      if (word === undefined) return ok({});
      const name = word.toLowerCase();
      const command = listAll().find((candidate) => candidate.name === name || candidate.aliases.includes(name));
      if (!command) {
        const guess = closestWord(name, listAll().map((candidate) => candidate.name));
        return err(`there is no command "${clip(word)}" to explain${guess === undefined ? '' : ` (did you mean ${guess}?)`}`);
      }
      if (extra !== undefined) return err(`help takes one command at most, got "${clip(extra)}" too`);
      return ok({ only: command.name });
    },
    execute: async (args, _target, deps) => helpResult(listAll().filter((command) => args.only === undefined || command.name === args.only), deps.config.clusters.map((cluster) => cluster.name), deps.now()),
  });
}
