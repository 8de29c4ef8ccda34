/**
 * The local sandbox: the real bot (the same `startServer` as production, Bolt HTTP receiver, real signatures) wired
 * to local stand-ins for everything outside it — a Slack Web API on loopback (`SLACK_API_URL`), an in-process
 * Kubernetes API holding a demo mesh, and the simulated istioctl replaying the test corpus — plus a Slack-like page
 * to drive it. Nothing in the bot knows: the difference is only in what its config points at.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { startServer, type RunningServer, type ServerOptions } from '../server.ts';
import { CORPUS_ROOT } from './istioctl/corpus.ts';
import { KUBE_API_ENV, MESH_START_ENV } from './istioctl/demo-world.ts';
import { demoMeshObjects, SANDBOX_BOT_NAMESPACE } from './demo-mesh.ts';
import { startFakeKubeApi, type FakeKubeApi } from './kube-api.ts';
import { startPageServer } from './page-server.ts';
import { startRouteStatusController } from './route-status.ts';
import { startFakeSlack, type FakeSlack } from './slack-api.ts';
import { APPROVERS_GROUP, SANDBOX_CHANNELS, SANDBOX_TEAM, sandboxConfigYaml } from './workspace.ts';

/** The istioctl version the simulator pretends to be; one of the newest families, with per-type tables. */
export const SANDBOX_ISTIOCTL_VERSION = '1.28.1';
const ISTIOCTL_MAIN = fileURLToPath(new URL('./istioctl/main.ts', import.meta.url));
const KUBE_CONTEXT = 'sandbox';

export interface SandboxOptions {
  /** Port of the page (the bot's own receiver always takes a free loopback port). */
  readonly port: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly logger: Logger;
  /** The scheduled-digest runner, as `npm start` gives it to the real server. */
  readonly runDigest?: ServerOptions['runDigest'];
}

export interface RunningSandbox {
  /** The page, e.g. http://localhost:3000. */
  readonly url: string;
  readonly port: number;
  readonly slack: FakeSlack;
  readonly kube: FakeKubeApi;
  /** Where the in-process Kubernetes API's kubeconfig was written (for kubectl, while the sandbox runs). */
  readonly kubeconfigPath: string;
  /** The simulated istioctl the sandbox's bot runs, so the terminal mode can be pointed at the same demo mesh. */
  readonly istioctlPath: string;
  /** `KUBECONFIG=… ISTIOCTL=…`: put before `npx mesh-bot …` to run the terminal mode on this demo mesh. */
  readonly terminalEnv: string;
  readonly bot: RunningServer;
  stop(): Promise<void>;
}

/**
 * A launcher for the simulated istioctl with the demo scenario baked in, run by the same Node as the bot. It reads
 * the sandbox's Kubernetes API like istioctl reads a cluster, and dates the demo's certificates from `meshStart`.
 */
async function writeIstioctlLauncher(dir: string, kubeApiUrl: string, meshStart: Date): Promise<string> {
  const path = join(dir, 'istioctl');
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  await writeFile(
    path,
    [
      '#!/bin/sh',
      '# simulated istioctl of the mesh-bot sandbox (src/sandbox/istioctl/README.md)',
      'FAKE_ISTIOCTL_SCENARIO=bookinfo; export FAKE_ISTIOCTL_SCENARIO',
      `FAKE_ISTIOCTL_VERSION=${SANDBOX_ISTIOCTL_VERSION}; export FAKE_ISTIOCTL_VERSION`,
      `${KUBE_API_ENV}=${quote(kubeApiUrl)}; export ${KUBE_API_ENV}`,
      `${MESH_START_ENV}=${meshStart.toISOString()}; export ${MESH_START_ENV}`,
      `exec ${quote(process.execPath)} ${quote(ISTIOCTL_MAIN)} "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return path;
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const { logger } = options;
  if (!existsSync(CORPUS_ROOT)) {
    throw new Error(`the sandbox runs from a mesh-bot checkout: ${fileURLToPath(CORPUS_ROOT)} (the istioctl corpus the simulator replays) is missing`);
  }
  const started: { close(): Promise<void> }[] = [];
  const closeAll = async () => {
    for (const item of started.reverse()) await item.close().catch((cause: unknown) => logger.warn({ err: cause }, 'sandbox: error while stopping'));
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-sandbox-'));
    started.push({ close: () => rm(dir, { recursive: true, force: true }) });

    // The sandbox's clock: the demo's root CA and its stuck workload certificate are dated from here.
    const meshStart = new Date();
    const kube = await startFakeKubeApi({ objects: demoMeshObjects(meshStart) });
    started.push(kube);
    started.push(startRouteStatusController(kube));
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kube.kubeConfigYaml(KUBE_CONTEXT, SANDBOX_BOT_NAMESPACE), { mode: 0o600 });

    const slack = await startFakeSlack({
      teamId: SANDBOX_TEAM.id,
      teamName: SANDBOX_TEAM.name,
      channels: SANDBOX_CHANNELS,
      usergroups: { [APPROVERS_GROUP.id]: APPROVERS_GROUP.members },
    });
    started.push(slack);

    const configPath = join(dir, 'mesh-bot.yaml');
    await writeFile(configPath, sandboxConfigYaml());
    // Random per run and never printed: the page signs its requests with it, like Slack with the app's secret.
    const signingSecret = randomBytes(24).toString('hex');
    const botToken = `xoxb-sandbox-${randomBytes(12).toString('hex')}`;
    const istioctlPath = await writeIstioctlLauncher(dir, kube.url, meshStart);
    const loaded = await loadConfig({
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      ISTIOCTL: istioctlPath,
      MESH_BOT_CONFIG: configPath,
      LOG_LEVEL: options.logLevel,
      POD_NAMESPACE: SANDBOX_BOT_NAMESPACE,
    });
    if (!loaded.ok) throw new Error(`sandbox config refused: ${loaded.error.message}`);

    const bot = await startServer({
      config: loaded.value,
      botToken,
      logger,
      loadKubeConfig: () => kube.kubeConfig(KUBE_CONTEXT, SANDBOX_BOT_NAMESPACE),
      ...(options.runDigest ? { runDigest: options.runDigest } : {}),
    });
    started.push({ close: () => bot.stop() });

    const page = await startPageServer({ slack, botUrl: `http://127.0.0.1:${bot.port}`, signingSecret, port: options.port, logger });
    started.push(page);

    return { url: page.url, port: page.port, slack, kube, kubeconfigPath, istioctlPath, terminalEnv: `KUBECONFIG=${kubeconfigPath} ISTIOCTL=${istioctlPath}`, bot, stop: closeAll };
  } catch (cause) {
    await closeAll();
    throw cause;
  }
}
