import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { helpResult, terminalSummary } from '../commands/help.ts';
import { commands, findCommand } from '../commands/index.ts';
import { resolveCluster, TERMINAL } from './command.ts';
import { withProxyStatusStarted } from './istioctl/istioctl.ts';
import { loadConfig } from './config.ts';
import { findKubeconfig } from './kube/kubeconfig-source.ts';

export type OutputFormat = 'text' | 'json';

/** Exit codes of the terminal mode (README "Terminal mode and JSON"). */
const EXIT = { ok: 0, unread: 1, usage: 2 } as const;

/**
 * Pulls `-o text|json` out of the argument list, spelled as kubectl takes it (`-o json`, `-o=json`, `-ojson`,
 * `--output json`, `--output=json`); the rest is the command line, returned with an error too, so the error can
 * carry the command's usage line.
 */
export function splitOutputFlag(argv: readonly string[]): { format: OutputFormat; rest: string[]; error?: string } {
  const rest: string[] = [];
  let format: OutputFormat = 'text';
  let given: OutputFormat | undefined;
  let error: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] ?? '';
    let value: string | undefined;
    if (token === '-o' || token === '--output') {
      value = argv[index + 1];
      index += 1;
    } else if (token.startsWith('--output=') || token.startsWith('-o=')) {
      value = token.slice(token.indexOf('=') + 1);
    } else if (token.startsWith('-o') && !token.startsWith('--')) {
      value = token.slice(2);
    } else {
      rest.push(token);
      continue;
    }
    if (value !== 'text' && value !== 'json') error ??= `-o must be text or json, got "${value ?? ''}"`;
    // As for every other flag (src/grammar.ts), two different answers to one question are refused, not resolved.
    else if (given !== undefined && given !== value) error ??= `-o is given twice (${given} and ${value}); give it once`;
    else format = given = value;
  }
  return error === undefined ? { format, rest } : { format, rest, error };
}

const HELP_FLAGS = new Set(['-h', '--help']);

/** C0 controls but newline and tab, DEL, and C1 controls (U+009B alone starts a CSI sequence on some terminals). */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text from the cluster is data: a control character in it (an escape sequence in a condition message) would be
 * obeyed by the terminal — clear the screen, retitle the window, rewrite or hide lines (the kubectl class of
 * problem, CVE-2021-25743). Each one is shown as its `\u001b` escape rather than dropped, so an operator sees that
 * something odd is there; that is JSON's own spelling, so `-o json` stays valid and parses to the same text.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Everything runCli prints (answers, usage, errors) passes here, whichever renderer or message produced it. */
function terminalWriter(stream: NodeJS.WritableStream): (text: string) => void {
  return (text) => {
    stream.write(escapeControlCharacters(text));
  };
}

async function packageVersion(): Promise<string> {
  const text = await readFile(new URL('../package.json', import.meta.url), 'utf8');
  return z.object({ version: z.string() }).parse(JSON.parse(text)).version;
}

/**
 * The terminal mode, like kubectl: the answer on stdout, every error on stderr (the sentence that matters on its
 * first line), and an exit code a script can trust.
 */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  const print = terminalWriter(stdout);
  const printError = terminalWriter(stderr);
  const split = splitOutputFlag(argv);
  if (split.error === undefined && split.rest.length === 1 && split.rest[0] === '--version') {
    const version = await packageVersion();
    // `--version -o json` is one JSON object too, like every other answer a script may ask for.
    print(split.format === 'json' ? `${JSON.stringify({ command: 'version', cluster: '', asOf: new Date().toISOString(), errors: [], version }, null, 2)}\n` : `mesh-bot ${version}\n`);
    return EXIT.ok;
  }
  /**
   * A usage or configuration error: the sentence on stderr and, with `-o json`, the same sentence in the one JSON
   * object a script reads from stdout (DESIGN.md §5: every command, every path), so `mesh-bot … -o json | jq`
   * never parses an empty stdout.
   */
  const fail = (problem: { message: string; usage?: string; command: string; cluster: string }, code: number): number => {
    printError(`mesh-bot: ${problem.message}${problem.usage === undefined ? '' : `\nUsage: mesh-bot ${problem.usage} [-o text|json]`}\n`);
    if (split.format === 'json' && split.error === undefined) {
      const usage = problem.usage === undefined ? {} : { usage: `mesh-bot ${problem.usage} [-o text|json]` };
      print(`${JSON.stringify({ command: problem.command, cluster: problem.cluster, asOf: new Date().toISOString(), errors: [problem.message], ...usage }, null, 2)}\n`);
    }
    return code;
  };
  // `mesh-bot -h` is `mesh-bot help`; `mesh-bot status --help` and `mesh-bot help status` are the usage of status.
  const helpFor = split.rest.length === 2 && split.rest[0]?.toLowerCase() === 'help' && split.rest[1] !== undefined && !split.rest[1].startsWith('-') ? [split.rest[1]] : undefined;
  const askedHelp = helpFor !== undefined || split.rest.some((token) => HELP_FLAGS.has(token));
  const tokens = helpFor ?? split.rest.filter((token) => !HELP_FLAGS.has(token));

  const lookup = findCommand(askedHelp && tokens.length === 0 ? ['help'] : tokens);
  if (!lookup.ok) {
    if (split.error !== undefined) return fail({ message: `${split.error}. Run \`mesh-bot help\` for the list of commands.`, command: '', cluster: '' }, EXIT.usage);
    const hint = lookup.error.suggestion ? ` Did you mean \`mesh-bot ${lookup.error.suggestion}\`?` : '';
    return fail({ message: `${lookup.error.message}.${hint} Run \`mesh-bot help\` for the list of commands.`, command: '', cluster: '' }, EXIT.usage);
  }
  const { command, rest } = lookup.value;
  const usageError = (message: string, cluster: string) => fail({ message: `${message}.`, usage: command.usageFor(rest), command: command.name, cluster }, EXIT.usage);
  if (split.error !== undefined) return usageError(split.error, '');
  if (askedHelp && command.name !== 'help') {
    const usage = `mesh-bot ${command.usage} [-o text|json]`;
    const summary = terminalSummary(command);
    print(split.format === 'json' ? `${JSON.stringify({ command: command.name, cluster: '', asOf: new Date().toISOString(), errors: [], usage, summary }, null, 2)}\n` : `Usage: ${usage}\n${summary}\n`);
    return EXIT.ok;
  }
  const prepared = command.prepare(rest);
  if (!prepared.ok) return usageError(prepared.error, '');

  const loaded = await loadConfig(env);
  // canary's answers name the action (`canary promote`); the others, the command.
  const label = command.name === 'canary' ? prepared.value.label : command.name;
  if (!loaded.ok) return fail({ message: loaded.error.message, command: label, cluster: prepared.value.clusterName ?? '' }, EXIT.usage);
  const config = loaded.value;
  const target = resolveCluster(config, prepared.value.clusterName);
  if (!target.ok) return fail({ message: `${target.error}.`, usage: command.usageFor(rest), command: label, cluster: prepared.value.clusterName ?? '' }, EXIT.usage);
  let result;
  if (command.name === 'help') {
    // help reads nothing: answering it without the clients keeps `mesh-bot help` from loading the Kubernetes
    // client, execa and pino (most of a cold start, bench/RESULTS.md "terminal").
    result = helpResult(commands, config.clusters.map((cluster) => cluster.name), new Date());
  } else {
    const kubeconfig = findKubeconfig(env);
    if (!kubeconfig.ok) return fail({ message: kubeconfig.error, command: label, cluster: target.value.name }, EXIT.usage);
    if (kubeconfig.value !== null) printError(`mesh-bot: warning: ${kubeconfig.value}\n`);
    const [{ pino }, { configuredSecrets, createLogger }, { configuredIstioctl }, { istioctlProblem }] = await Promise.all([import('pino'), import('./log.ts'), import('./istioctl/configured.ts'), import('./istioctl/executable.ts')]);
    const logger = createLogger(env['LOG_LEVEL'] ?? 'warn', pino.destination(2), configuredSecrets(config));
    const istioctl = configuredIstioctl(config, logger);
    // status's istioctl runs start before the Kubernetes client is loaded (≈ 0.3 s of CPU), so the two overlap
    // (bench/RESULTS.md "terminal").
    const started = command.name === 'status' ? withProxyStatusStarted(istioctl, target.value) : istioctl;
    const { buildCommandDeps } = await import('./deps.ts');
    const deps = buildCommandDeps({ config, logger, istioctl: started });
    // A kubeconfig that cannot be used (not YAML, no current context, no context the cluster names) is a
    // configuration error like no kubeconfig at all: nothing can be read until it is fixed, istioctl included.
    const kube = deps.kubeFor(target.value);
    if (!kube.ok) return fail({ message: kube.error.message, command: label, cluster: target.value.name }, EXIT.usage);
    // An ISTIOCTL that can never run is a setting to fix, as it stops the Slack app at start after the kubeconfig
    // (src/main.ts): exit 2 before the command reads anything. The default `istioctl` missing from PATH stays each
    // command's own failure, as it is only a warning there.
    const problem = (env['ISTIOCTL'] ?? '') !== '' ? istioctlProblem(config.istioctlPath, env['PATH'] ?? '') : null;
    if (problem !== null) return fail({ message: `ISTIOCTL: ${problem}`, command: label, cluster: target.value.name }, EXIT.usage);
    result = await prepared.value.execute(target.value, deps, TERMINAL);
  }
  for (const error of result.envelope.errors) printError(`mesh-bot: ${error}\n`);
  if (split.format === 'json') print(`${JSON.stringify(result.toJson(), null, 2)}\n`);
  else if (!result.failed) print(result.toText());
  return result.failed || result.incomplete === true ? EXIT.unread : EXIT.ok;
}
