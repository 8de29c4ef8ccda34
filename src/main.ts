import { enableCompileCache } from 'node:module';
import { checkSlackSettings, loadConfig, type AppConfig } from './config.ts';
import { configuredSecrets, createLogger } from './log.ts';
import type { RunningServer } from './server.ts';
import { sandboxWanted } from './sandbox/wanted.ts';

// V8's compiled code (and the stripped TypeScript) of the modules imported below is kept on disk between starts:
// the Slack app, the Kubernetes client and the rest load in about two thirds of the CPU time on a warm cache
// (bench/RESULTS.md "start-up"). NODE_COMPILE_CACHE overrides the directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
enableCompileCache();

/** Every step of shutdown is bounded (Kubernetes request timeouts, the scheduler's wait); this bounds their sum. */
const SHUTDOWN_BUDGET_MS = 25_000;

async function main(): Promise<void> {
  const loaded = await loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`mesh-bot: ${loaded.error.message}\n`);
    process.exit(2);
  }
  const config = loaded.value;
  if (sandboxWanted(process.env)) return runSandbox(config);
  const slackProblem = checkSlackSettings(config.slack);
  if (slackProblem || config.slack.botToken === undefined) {
    process.stderr.write(`mesh-bot: ${slackProblem?.message ?? 'SLACK_BOT_TOKEN: required'}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel, undefined, configuredSecrets(config));
  // Imported after the compile cache is on (above), so these heavy modules are the ones it keeps.
  const [{ startServer }, { runScheduledDigest }, { createKubeFor, loadDefaultKubeConfig }] = await Promise.all([import('./server.ts'), import('./schedule/digests.ts'), import('./kube/clients.ts')]);
  // A cluster whose kubeconfig context does not exist (or a kubeconfig that cannot be used) is a setting that can
  // never work: stop here naming it, rather than serve with that cluster's commands and digests failing.
  const kubeFor = createKubeFor(loadDefaultKubeConfig);
  for (const [index, cluster] of config.clusters.entries()) {
    const kube = kubeFor(cluster);
    if (!kube.ok) {
      process.stderr.write(`mesh-bot: ${cluster.context === undefined ? 'KUBECONFIG' : `clusters[${index}].context`}: ${kube.error.message}\n`);
      process.exit(2);
    }
  }

  let running: RunningServer;
  try {
    running = await startServer({ config, botToken: config.slack.botToken, logger, runDigest: runScheduledDigest });
  } catch (cause) {
    logger.error({ err: cause }, 'could not start the Slack app');
    process.stderr.write(`mesh-bot: could not connect to Slack (${cause instanceof Error ? cause.message : String(cause)}). Check SLACK_BOT_TOKEN and SLACK_API_URL.\n`);
    process.exit(1);
  }
  logger.info({ mode: running.mode, port: running.port, clusters: config.clusters.map((cluster) => cluster.name) }, `mesh-bot is serving Slack (${running.mode} mode) on port ${running.port}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // Kubernetes kills the pod 30 s after SIGTERM (terminationGracePeriodSeconds); exit on our own terms before.
    setTimeout(() => {
      logger.error({ waitedMs: SHUTDOWN_BUDGET_MS }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_BUDGET_MS).unref();
    running.stop().then(
      () => process.exit(0),
      (cause: unknown) => {
        logger.error({ err: cause }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** No Slack settings and not in a pod: the local sandbox (src/sandbox/), loaded only then. */
async function runSandbox(config: AppConfig): Promise<void> {
  const logger = createLogger(config.logLevel);
  const [{ startSandbox }, { runScheduledDigest }] = await Promise.all([import('./sandbox/sandbox.ts'), import('./schedule/digests.ts')]);
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({ port: config.port, logLevel: config.logLevel, logger, runDigest: runScheduledDigest });
  } catch (cause) {
    process.stderr.write(`mesh-bot: could not start the sandbox: ${cause instanceof Error ? cause.message : String(cause)}\n`);
    process.exit(1);
  }
  logger.warn({ sandbox: { url: sandbox.url, kubeconfig: sandbox.kubeconfigPath, istioctl: sandbox.istioctlPath } }, 'SANDBOX MODE: no Slack workspace, no cluster — demo data only');
  process.stderr.write(
    `\n  mesh-bot SANDBOX MODE: no Slack workspace, no cluster — demo data only.\n  Open ${sandbox.url}  (set SLACK_BOT_TOKEN to run the real bot)\n` +
      `  Terminal mode on the same demo mesh, in another shell of this checkout:\n    ${sandbox.terminalEnv} npx mesh-bot status\n\n`,
  );
  const stop = () => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// Imported without running by src/warm-compile-cache.ts, which compiles this module too when the image is built.
if (import.meta.main) await main();
