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
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end();
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
      out.end();
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

/** A loopback port free right now (the kernel's choice), for servers whose port must be named in advance. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
