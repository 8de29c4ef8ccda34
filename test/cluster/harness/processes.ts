/**
 * Long-running processes of the cluster tier (etcd, kube-apiserver, istiod, the simulated proxies, the bot): each
 * logs to its own file under the run directory, is waited for until it answers, and is stopped by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Everything the process printed so far (stdout and stderr interleaved). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly dir: string;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

export function start(options: StartOptions): Started {
  const logFile = path.join(options.dir, `${options.name}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(options.command, options.args, { cwd: options.cwd ?? options.dir, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name: options.name,
    child,
    logFile,
    log: () => readFile(logFile, 'utf8'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end();
        child.kill('SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
        if (!done) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      // Everything the process printed is in the file once this resolves.
      if (!out.writableFinished) await new Promise<void>((resolve) => out.end(resolve));
    },
  };
}

/** Waits until `probe` returns a value; fails with the process's log tail when it exits or the time is up. */
export async function waitFor<T>(process: Started, what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process.child.exitCode !== null || process.child.signalCode !== null) {
      throw new Error(`${process.name} exited (${process.child.exitCode ?? process.child.signalCode}) before ${what}:\n${tail(await process.log())}`);
    }
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${process.name}: no ${what} after ${timeoutMs / 1000} s:\n${tail(await process.log())}`);
    await sleep(250);
  }
}

export function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

/**
 * A port free right now for servers whose port must be named in advance. Chosen below Linux's ephemeral range
 * (32768-60999), where the kernel also picks the source ports of outgoing connections, and checked on every
 * address because some of these servers listen on all of them.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '::', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
