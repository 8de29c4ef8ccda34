// fake istioctl entry point. Reads FAKE_ISTIOCTL_* (see README.md), logs the invocation, optionally sleeps,
// then answers like the pretended istioctl version would.

import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dispatch, EXIT_FAKE } from './command.ts';
import type { Output } from './command.ts';
import { rootCommand } from './commands.ts';
import { DEFAULT_SCENARIO, parseScenario } from './scenarios.ts';
import { parseClientVersion } from './version.ts';

export const DEFAULT_VERSION = '1.28.1';

function logInvocation(path: string, argv: readonly string[]): void {
  const line = JSON.stringify({ argv, pid: process.pid, startedAt: new Date().toISOString() }) + '\n';
  appendFileSync(path, line); // one write with O_APPEND: concurrent processes do not interleave lines
}

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<Output> {
  if (env['FAKE_ISTIOCTL_LOG']) logInvocation(env['FAKE_ISTIOCTL_LOG'], argv);
  let version;
  let scenario;
  try {
    version = parseClientVersion(env['FAKE_ISTIOCTL_VERSION'] || DEFAULT_VERSION);
    scenario = parseScenario(env['FAKE_ISTIOCTL_SCENARIO'] || DEFAULT_SCENARIO);
  } catch (e) {
    return { stdout: '', stderr: `fake-istioctl: ${(e as Error).message}\n`, exitCode: EXIT_FAKE };
  }
  const delay = Number(env['FAKE_ISTIOCTL_DELAY_MS'] ?? '0');
  if (Number.isFinite(delay) && delay > 0) await sleep(delay);
  return dispatch(rootCommand, argv, { version, scenario, env });
}

const out = await main(process.argv.slice(2), process.env);
if (out.stdout.length > 0) process.stdout.write(out.stdout);
if (out.stderr.length > 0) process.stderr.write(out.stderr);
process.exitCode = out.exitCode;
