import type { Command, CommandResult } from '../src/command.ts';
import { defineCommand } from '../src/command.ts';
import { context, escapeMrkdwn, header, message, section } from '../src/slack/blocks.ts';
import { err, ok } from '../src/result.ts';

export interface HelpArgs {
  readonly cluster?: undefined;
}

export function helpResult(commands: readonly Command[], clusters: readonly string[], now: Date): CommandResult {
  const usage = commands.map((command) => ({
    line: command.usage,
    summary: command.summary,
    aliases: command.aliases,
  }));
  const describe = (entry: (typeof usage)[number]) =>
    `${entry.line}${entry.aliases.length > 0 ? ` (alias: ${entry.aliases.join(', ')})` : ''} — ${entry.summary}`;
  return {
    envelope: { command: 'help', cluster: '', asOf: now, errors: [] },
    failed: false,
    toJson: () => ({ command: 'help', cluster: '', asOf: now.toISOString(), errors: [], commands: usage, clusters }),
    toText: () => `Usage: mesh-bot <command> [-o text|json]\n${usage.map((entry) => `  ${describe(entry)}`).join('\n')}\nClusters: ${clusters.join(', ')}\n`,
    toSlack: () =>
      message('mesh-bot commands: /mesh status, analyze, proxy-config, canary, digest', [
        header('mesh-bot commands'),
        section(usage.map((entry) => `• \`/mesh ${escapeMrkdwn(entry.line)}\`${entry.aliases.length > 0 ? ` (alias \`${entry.aliases.join('`, `')}\`)` : ''}\n   ${escapeMrkdwn(entry.summary)}`).join('\n')),
        context([`Clusters: ${clusters.map((name) => `\`${escapeMrkdwn(name)}\``).join(', ')} · flags: \`-n NAMESPACE\`, \`--cluster NAME\``]),
      ]),
  };
}

export function helpCommand(listAll: () => readonly Command[]): Command {
  return defineCommand<HelpArgs>({
    name: 'help',
    aliases: [],
    usage: 'help',
    summary: 'this list',
    role: 'reader',
    parse: (tokens) => (tokens.length === 0 ? ok({}) : err(`help takes no arguments, got "${tokens[0]}"`)),
    execute: async (_args, _target, deps) => helpResult(listAll(), deps.config.clusters.map((cluster) => cluster.name), deps.now()),
  });
}
