import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { fakeIstioctl, PATH, startWorld } from './serve.ts';

/**
 * The terminal mode as a person runs it (`node bin/mesh-bot.js …`, fresh process each time), next to its floors,
 * interleaved run by run: `node -e 0` for `help`, and the istioctl it wraps run alone for `status -o json`.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/mesh-bot.js');

async function wallMs(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const run = await execa(file, args, { env, extendEnv: false, reject: false, maxBuffer: 512 * 1024 * 1024 });
  if (run.exitCode !== 0 && run.exitCode !== 1) throw new Error(`${file} ${args.join(' ')} exited ${run.exitCode}: ${String(run.stderr)}`);
  return performance.now() - started;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export interface TerminalFigures {
  readonly runs: number;
  readonly bareNodeMs: number;
  readonly helpMs: number;
  readonly helpNoCacheMs: number;
  readonly proxies: number;
  readonly istioctlMs: number;
  readonly statusMs: number;
  /** The same two with the waiting istioctl (waitingIstioctl). */
  readonly waitingIstioctlMs: number;
  readonly waitingStatusMs: number;
  /** The same two with an istioctl that prints at once (waitingIstioctl with no wait). */
  readonly instantIstioctlMs: number;
  readonly instantStatusMs: number;
  /** The waiting and instant status again with MESH_BOT_UNBUNDLED=1: the packages as installed, not the bundles npm ci made. */
  readonly unbundledWaitingStatusMs: number;
  readonly unbundledInstantStatusMs: number;
}

/** How long the waiting istioctl waits before it prints: about what the fake takes to compute 10,000 proxies. */
const WAIT_SECONDS = 0.4;

/**
 * An istioctl that spends its time waiting (as a Go istioctl waits on istiod) rather than computing: it prints
 * outputs the fake wrote beforehand, `proxy-status` after `seconds`. Next to the fake (a Node process that
 * computes the mesh on one of the machine's two cores) it shows what mesh-bot adds by itself, without the two
 * competing for the CPU. It answers exactly the two runs `status` makes and refuses anything else.
 */
async function waitingIstioctl(dir: string, fake: string, env: NodeJS.ProcessEnv, seconds: number): Promise<string> {
  const proxyStatus = join(dir, 'waiting-proxy-status.json');
  const version = join(dir, 'waiting-version.json');
  await writeFile(proxyStatus, (await execa(fake, ['proxy-status', '--output', 'json'], { env, extendEnv: false, maxBuffer: 512 * 1024 * 1024 })).stdout);
  await writeFile(version, (await execa(fake, ['version', '--remote=false', '--output', 'json'], { env, extendEnv: false })).stdout);
  const script = join(dir, `waiting-istioctl-${seconds}`);
  await writeFile(
    script,
    [
      '#!/bin/sh',
      `if [ "$*" = "proxy-status --output json" ]; then sleep ${seconds}; exec cat '${proxyStatus}'; fi`,
      `if [ "$*" = "version --remote=false --output json" ]; then exec cat '${version}'; fi`,
      'echo "waiting istioctl: unexpected arguments: $*" >&2',
      'exit 64',
      '',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  return script;
}

export async function measureTerminal(runs: number, proxies: number): Promise<TerminalFigures> {
  const world = await startWorld();
  try {
    const scenario = { FAKE_ISTIOCTL_VERSION: '1.30.1', FAKE_ISTIOCTL_SCENARIO: `large:${proxies}` };
    const istioctl = await fakeIstioctl(world.dir, scenario);
    const env = { PATH, HOME: world.dir, KUBECONFIG: join(world.dir, 'kubeconfig'), ISTIOCTL: istioctl, NODE_COMPILE_CACHE: join(world.dir, 'compile-cache') };
    const noCache = { ...env, NODE_DISABLE_COMPILE_CACHE: '1' };
    const waiting = await waitingIstioctl(world.dir, istioctl, env, WAIT_SECONDS);
    const waitingEnv = { ...env, ISTIOCTL: waiting };
    const instant = await waitingIstioctl(world.dir, istioctl, env, 0);
    const instantEnv = { ...env, ISTIOCTL: instant };
    const figures = { bare: [] as number[], help: [] as number[], helpNoCache: [] as number[], istioctl: [] as number[], status: [] as number[], waitingIstioctl: [] as number[], waitingStatus: [] as number[], instantIstioctl: [] as number[], instantStatus: [] as number[], unbundledWaitingStatus: [] as number[], unbundledInstantStatus: [] as number[] };
    // One unmeasured run of each fills the compile cache, as any earlier use of mesh-bot on the machine would.
    await wallMs(process.execPath, [bin, 'help'], env);
    await wallMs(process.execPath, [bin, 'status', '-o', 'json'], env);
    await wallMs(process.execPath, [bin, 'status', '-o', 'json'], { ...env, MESH_BOT_UNBUNDLED: '1' });
    for (let run = 0; run < runs; run++) {
      figures.bare.push(await wallMs(process.execPath, ['-e', '0'], env));
      figures.help.push(await wallMs(process.execPath, [bin, 'help'], env));
      figures.helpNoCache.push(await wallMs(process.execPath, [bin, 'help'], noCache));
      // The istioctl as mesh-bot runs it for 1.30+: `proxy-status --output json` (`version` runs beside it, not before).
      figures.istioctl.push(await wallMs(istioctl, ['proxy-status', '--output', 'json'], env));
      figures.status.push(await wallMs(process.execPath, [bin, 'status', '-o', 'json'], env));
      figures.waitingIstioctl.push(await wallMs(waiting, ['proxy-status', '--output', 'json'], waitingEnv));
      figures.waitingStatus.push(await wallMs(process.execPath, [bin, 'status', '-o', 'json'], waitingEnv));
      figures.instantIstioctl.push(await wallMs(instant, ['proxy-status', '--output', 'json'], instantEnv));
      figures.instantStatus.push(await wallMs(process.execPath, [bin, 'status', '-o', 'json'], instantEnv));
      figures.unbundledWaitingStatus.push(await wallMs(process.execPath, [bin, 'status', '-o', 'json'], { ...waitingEnv, MESH_BOT_UNBUNDLED: '1' }));
      figures.unbundledInstantStatus.push(await wallMs(process.execPath, [bin, 'status', '-o', 'json'], { ...instantEnv, MESH_BOT_UNBUNDLED: '1' }));
    }
    return {
      runs,
      bareNodeMs: median(figures.bare),
      helpMs: median(figures.help),
      helpNoCacheMs: median(figures.helpNoCache),
      proxies,
      istioctlMs: median(figures.istioctl),
      statusMs: median(figures.status),
      waitingIstioctlMs: median(figures.waitingIstioctl),
      waitingStatusMs: median(figures.waitingStatus),
      instantIstioctlMs: median(figures.instantIstioctl),
      instantStatusMs: median(figures.instantStatus),
      unbundledWaitingStatusMs: median(figures.unbundledWaitingStatus),
      unbundledInstantStatusMs: median(figures.unbundledInstantStatus),
    };
  } finally {
    await world.close();
  }
}
