import { findCommand } from '../commands/index.ts';
import { resolveCluster, TERMINAL } from './command.ts';
import { loadConfig } from './config.ts';
import { buildCommandDeps } from './deps.ts';
import { createLogger } from './log.ts';
import { pino } from 'pino';

export type OutputFormat = 'text' | 'json';

/** Pulls `-o text|json` / `--output=json` out of the argument list; the rest is the command line. */
export function splitOutputFlag(argv: readonly string[]): { format: OutputFormat; rest: string[] } | { error: string } {
  const rest: string[] = [];
  let format: OutputFormat = 'text';
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] ?? '';
    let value: string | undefined;
    if (token === '-o' || token === '--output') {
      value = argv[index + 1];
      index += 1;
    } else if (token.startsWith('--output=') || token.startsWith('-o=')) {
      value = token.slice(token.indexOf('=') + 1);
    } else {
      rest.push(token);
      continue;
    }
    if (value !== 'text' && value !== 'json') return { error: `-o must be text or json, got "${value ?? ''}"` };
    format = value;
  }
  return { format, rest };
}

export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, out: NodeJS.WritableStream, errOut: NodeJS.WritableStream): Promise<number> {
  const split = splitOutputFlag(argv);
  if ('error' in split) {
    errOut.write(`mesh-bot: ${split.error}\n`);
    return 2;
  }
  const loaded = await loadConfig(env);
  if (!loaded.ok) {
    errOut.write(`mesh-bot: ${loaded.error.message}\n`);
    return 2;
  }
  const config = loaded.value;
  const logger = createLogger(env['LOG_LEVEL'] ?? 'warn', pino.destination(2));
  const lookup = findCommand(split.rest);
  if (!lookup.ok) {
    errOut.write(`mesh-bot: ${lookup.error}. Run \`mesh-bot help\` for the list of commands.\n`);
    return 2;
  }
  const { command, rest } = lookup.value;
  const prepared = command.prepare(rest);
  if (!prepared.ok) {
    errOut.write(`mesh-bot: ${prepared.error}.\nUsage: mesh-bot ${command.usage} [-o text|json]\n`);
    return 2;
  }
  const target = resolveCluster(config, prepared.value.clusterName);
  if (!target.ok) {
    errOut.write(`mesh-bot: ${target.error}.\nUsage: mesh-bot ${command.usage} [-o text|json]\n`);
    return 2;
  }
  const deps = buildCommandDeps({ config, logger });
  const result = await prepared.value.execute(target.value, deps, TERMINAL);
  out.write(split.format === 'json' ? `${JSON.stringify(result.toJson(), null, 2)}\n` : result.toText());
  return result.failed ? 1 : 0;
}
