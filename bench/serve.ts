import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startFakeKubeApi, type FakeKubeApi } from '../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack } from '../src/sandbox/slack-api.ts';
import { sendSlashCommand } from '../src/sandbox/slack-requests.ts';
import { startFakeSocketMode } from '../test/support/fake-socket-mode.ts';

/**
 * mesh-bot as `npm start` runs it (a fresh `node src/main.ts`), next to its floor: bench/bare-bolt.ts, a Bolt app
 * from the same node_modules that acks at once. Both talk to the same fake Slack Web API and fake Kubernetes API
 * (src/sandbox/) in this process, and mesh-bot runs the fake istioctl in its slow mode. Floor and subject are
 * measured in the same run, interleaved, so the ratio holds on a machine other people load.
 */
const SIGNING_SECRET = 'bench-signing-secret-0123456789';
const BOT_TOKEN = 'xoxb-bench-token';
const root = fileURLToPath(new URL('..', import.meta.url));
const FAKE_ISTIOCTL_MAIN = join(root, 'src/sandbox/istioctl/main.ts');

/** This Node first on PATH: the fake istioctl's launcher runs on `#!/usr/bin/env node`, and needs 24 too. */
export const PATH = [dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter);

export interface World {
  readonly slack: FakeSlack;
  readonly kube: FakeKubeApi;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const slack = await startFakeSlack();
  const kube = await startFakeKubeApi();
  const dir = await mkdtemp(join(os.tmpdir(), 'mesh-bot-bench-serve-'));
  await writeFile(join(dir, 'kubeconfig'), kube.kubeConfigYaml('bench'));
  return { slack, kube, dir, close: async () => void (await Promise.all([slack.close(), kube.close()])) };
}

/** A launcher for the fake istioctl with its settings (FAKE_ISTIOCTL_*) baked in. */
export async function fakeIstioctl(dir: string, env: Readonly<Record<string, string>>): Promise<string> {
  const path = join(dir, `istioctl-${Object.values(env).join('-').replace(/[^A-Za-z0-9-]/g, '_')}`);
  await writeFile(path, `#!/usr/bin/env node\nObject.assign(process.env, ${JSON.stringify(env)});\nawait import(${JSON.stringify(FAKE_ISTIOCTL_MAIN)});\n`);
  await chmod(path, 0o755);
  return path;
}

/** The fake istioctl (1.24.2) with every run taking `delayMs`, like a busy API server behind it. */
function slowIstioctl(dir: string, delayMs: number): Promise<string> {
  return fakeIstioctl(dir, { FAKE_ISTIOCTL_VERSION: '1.24.2', FAKE_ISTIOCTL_DELAY_MS: String(delayMs) });
}

export interface Server {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a process and resolves once `listening` (a line of its stdout) names its port. */
async function startProcess(args: readonly string[], env: NodeJS.ProcessEnv, portOf: (line: string) => number | undefined): Promise<Server> {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before listening`)));
    lines.on('line', (line) => {
      const found = portOf(line);
      if (found !== undefined) resolve(found);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function meshBotEnv(world: World, istioctl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH,
    HOME: world.dir,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: world.slack.apiUrl,
    KUBECONFIG: join(world.dir, 'kubeconfig'),
    POD_NAMESPACE: 'mesh-bot',
    ISTIOCTL: istioctl,
    PORT: '0',
    ...extra,
  };
}

/** mesh-bot's start log line carries the port it serves on. */
function meshBotPort(line: string): number | undefined {
  try {
    const entry = JSON.parse(line) as { port?: unknown; mode?: unknown };
    return typeof entry.port === 'number' && typeof entry.mode === 'string' ? entry.port : undefined;
  } catch {
    return undefined;
  }
}

export function startMeshBot(world: World, istioctl: string, extra: Record<string, string> = {}): Promise<Server> {
  return startProcess(['src/main.ts'], meshBotEnv(world, istioctl, extra), meshBotPort);
}

export function startBareBolt(world: World): Promise<Server> {
  const env = { PATH, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: world.slack.apiUrl, PORT: '0' };
  return startProcess(['bench/bare-bolt.ts'], env, (line) => (line.startsWith('listening ') ? Number(line.slice('listening '.length)) : undefined));
}

/** `size` signed `/mesh status` at once; the milliseconds until each HTTP response (the ack) arrived. */
async function burst(world: World, server: Server, size: number, round: number): Promise<number[]> {
  const sends = Array.from({ length: size }, (_, i) => {
    const channelId = `C0BENCH${round}X${i}`;
    return sendSlashCommand(server.url, SIGNING_SECRET, { text: 'status', userId: `U0BENCH${i}`, channelId, responseUrl: world.slack.responseUrl(undefined, { channel: channelId, user: `U0BENCH${i}` }) });
  });
  const responses = await Promise.all(sends);
  for (const response of responses) if (response.status !== 200) throw new Error(`ack answered ${response.status}: ${response.body}`);
  return responses.map((response) => response.elapsedMs);
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

export interface AckFigures {
  readonly samples: number;
  readonly floor: { p50: number; p99: number };
  readonly meshBot: { p50: number; p99: number };
}

/**
 * `rounds` bursts of `size` concurrent `/mesh status` to each server, both at the same time; mesh-bot's istioctl
 * takes `delayMs`, so later bursts land while earlier ones are still being answered (the work after the ack).
 */
export async function measureAcks(options: { size: number; rounds: number; delayMs: number }): Promise<AckFigures> {
  const world = await startWorld();
  const istioctl = await slowIstioctl(world.dir, options.delayMs);
  const [meshBot, bare] = await Promise.all([startMeshBot(world, istioctl), startBareBolt(world)]);
  try {
    // One warm-up burst each: the first request of a process loads code that later ones find ready.
    await burst(world, bare, options.size, -1);
    await burst(world, meshBot, options.size, -1);
    const floor: number[] = [];
    const subject: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      // Both bursts at once: whatever else loads the machine then (mesh-bot's istioctl processes and API calls
      // included) weighs on the floor and the subject alike.
      const [floorAcks, subjectAcks] = await Promise.all([burst(world, bare, options.size, round), burst(world, meshBot, options.size, round)]);
      floor.push(...floorAcks);
      subject.push(...subjectAcks);
      // The next burst comes while the last one's istioctl runs are still going (delayMs).
      await new Promise((resolve) => setTimeout(resolve, options.delayMs / 4));
    }
    const figures = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    };
    return { samples: subject.length, floor: figures(floor), meshBot: figures(subject) };
  } finally {
    await Promise.all([meshBot.stop(), bare.stop()]);
    await world.close();
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface StartFigures {
  /** Spawn to the bare Bolt app serving its first request. */
  readonly floorMs: number;
  /** Spawn to mesh-bot's `/readyz` answering 200 (HTTP mode) with an empty compile cache: a pod's `/tmp` emptyDir. */
  readonly coldMs: number;
  /** The same with the compile cache the image ships (src/warm-compile-cache.ts, run by the Dockerfile). */
  readonly readyMs: number;
  /** Spawn to mesh-bot holding its Socket Mode connection (Slack's `hello`), with the image's cache. */
  readonly socketMs: number;
}

/** A compile cache filled the way the Dockerfile fills the image's: once, before any start. */
export async function preparedCompileCache(): Promise<string> {
  const directory = await mkdtemp(join(os.tmpdir(), 'mesh-bot-bench-compile-cache-'));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['src/warm-compile-cache.ts'], { cwd: root, env: { PATH, NODE_COMPILE_CACHE: directory }, stdio: 'ignore' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`src/warm-compile-cache.ts exited with ${code}`))));
  });
  return directory;
}

/** One fresh start of each, in this order, on the same fakes. */
export async function measureStart(compileCache: string): Promise<StartFigures> {
  const world = await startWorld();
  const istioctl = await slowIstioctl(world.dir, 0);
  try {
    let started = performance.now();
    const bare = await startBareBolt(world);
    const floorMs = performance.now() - started;
    await bare.stop();

    const ready = async (cache: string) => {
      const begun = performance.now();
      const http = await startMeshBot(world, istioctl, { NODE_COMPILE_CACHE: cache });
      await waitFor(async () => (await fetch(`${http.url}/readyz`)).status === 200, 30_000);
      const elapsed = performance.now() - begun;
      await http.stop();
      return elapsed;
    };
    const coldMs = await ready(await mkdtemp(join(world.dir, 'empty-compile-cache-')));
    const readyMs = await ready(compileCache);

    const socket = await startFakeSocketMode(world.slack);
    started = performance.now();
    const socketBot = await startMeshBot(world, istioctl, { SLACK_APP_TOKEN: 'xapp-bench-token', SLACK_API_URL: socket.apiUrl, NODE_COMPILE_CACHE: compileCache });
    await socket.connected();
    const socketMs = performance.now() - started;
    await socketBot.stop();
    await socket.close();
    return { floorMs, coldMs, readyMs, socketMs };
  } finally {
    await world.close();
  }
}
