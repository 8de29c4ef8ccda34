// `npm start`'s process (src/main.ts) in a child process whose environment holds only what the test gives it, to see
// whether a setting stops the start (exit code and the lines written) or the bot goes on to serve Slack.

import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { startFakeSlack, type FakeSlack } from '../../../src/sandbox/slack-api.ts';
import { cluster, namespace, type Cluster } from '../../breaker-ambient/support/harness.ts';
import { fakeIstioctl } from '../../support/bot.ts';
import { collectLines } from '../../support/output-lines.ts';

const MAIN = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));

export interface StartOutcome {
  /** The exit code when the process stopped by itself, or 'serving' once it said it serves Slack. */
  readonly result: number | 'serving';
  /** Every line written to stdout and stderr up to then. */
  readonly lines: readonly string[];
  /** The port it serves on, when serving. */
  readonly port?: number;
}

/** An empty directory to be $HOME, so no ~/.kube/config of the machine running the tests is found. */
export function emptyHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'breaker-config-home-'));
}

/**
 * Starts it with `env` (plus PATH unless given) and waits until it exits or serves; a serving process is stopped
 * (SIGTERM) before this returns unless `keep` is set, in which case `stop` must be called.
 */
export async function start(env: Record<string, string>, keep = false): Promise<StartOutcome & { stop(): Promise<void> }> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let serving: (port: number) => void = () => undefined;
  const servingNow = new Promise<number>((resolve) => (serving = resolve));
  const onLine = (line: string) => {
    const match = /serving Slack \(\w+ mode\) on port (\d+)/.exec(line);
    if (match) serving(Number(match[1]));
  };
  collectLines(child.stdout, lines, onLine);
  collectLines(child.stderr, lines, onLine);
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  const first = await Promise.race([exited.then((code) => ({ code })), servingNow.then((port) => ({ port }))]);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  if ('code' in first) {
    // Let the last chunks of output arrive.
    await new Promise((resolve) => setImmediate(resolve));
    return { result: first.code, lines, stop };
  }
  if (!keep) await stop();
  return { result: 'serving', lines, port: first.port, stop };
}

export interface StartWorld {
  readonly kube: Cluster;
  readonly slack: FakeSlack;
  /** The fake istioctl (1.28.1) to set as ISTIOCTL. */
  readonly istioctl: string;
}

/**
 * What a started bot talks to, for the whole test file (hooks registered where this is called): the in-process
 * Kubernetes API with `namespaces` (mesh-bot's own at least), a fake Slack and a fake istioctl.
 */
export function startWorld(namespaces: readonly string[] = ['mesh-bot']): () => StartWorld {
  let world: StartWorld | undefined;
  before(async () => {
    const [kube, slack, istioctl] = await Promise.all([cluster(namespaces.map((name) => namespace(name))), startFakeSlack(), fakeIstioctl({ version: '1.28.1' })]);
    world = { kube, slack, istioctl: istioctl.path };
  });
  after(async () => {
    await world?.slack.close();
    await world?.kube.close();
  });
  return () => {
    if (world === undefined) throw new Error('the start world did not start (see the before hook)');
    return world;
  };
}
