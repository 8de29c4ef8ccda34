// `npm start`'s process (src/main.ts) in a child process, with every line it writes collected, for tests that need
// the real composition root (its logger, its start-up checks) instead of test/support/bot.ts.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { collectLines } from '../../support/output-lines.ts';

const MAIN = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));

export interface Started {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly port: number;
}

/**
 * Starts it in HTTP mode and resolves once it serves: with PORT=0 when it logs the port (an info line), with a
 * fixed PORT when /healthz answers (LOG_LEVEL=warn hides that line).
 */
export async function startMain(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let resolvePort: (port: number) => void = () => undefined;
  const port = new Promise<number>((resolve, reject) => {
    resolvePort = resolve;
    child.once('exit', (code) => reject(new Error(`mesh-bot exited ${code}: ${lines.join('\n')}`)));
  });
  const onLine = (line: string) => {
    const serving = /serving Slack \(http mode\) on port (\d+)/.exec(line);
    if (serving) resolvePort(Number(serving[1]));
  };
  collectLines(child.stdout, lines, onLine);
  collectLines(child.stderr, lines, onLine);
  const fixed = Number(env['PORT'] ?? '0');
  if (fixed !== 0) void untilHealthy(fixed).then(resolvePort);
  return { child, lines, port: await port };
}

async function untilHealthy(port: number): Promise<number> {
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);
    if (ok) return port;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A port nothing listens on right now, for a process whose PORT must be known before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Stops it with SIGTERM and waits for the exit. */
export async function stopMain(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}
