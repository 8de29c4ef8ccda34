import { enableCompileCache } from 'node:module';
import { createServer } from 'node:net';
import { checkSlackSettings, loadConfig, type AppConfig } from './config.ts';
import { istioctlProblem } from './istioctl/executable.ts';
import { findKubeconfig, SERVICE_ACCOUNT_TOKEN } from './kube/kubeconfig-source.ts';
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
  // Without any kubeconfig the Kubernetes client silently talks to http://localhost:8080 and every command fails
  // with a TLS complaint; no kubeconfig is a missing setting like any other (DESIGN.md §2).
  const kubeconfig = findKubeconfig(process.env);
  const kubeconfigProblem = missingKubeconfig(process.env, kubeconfig);
  if (kubeconfigProblem) {
    process.stderr.write(`mesh-bot: KUBECONFIG: ${kubeconfigProblem}\n`);
    process.exit(2);
  }
  if (kubeconfig.ok && kubeconfig.value !== null) logger.warn({ setting: 'KUBECONFIG' }, kubeconfig.value);
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
  // ISTIOCTL set to something that cannot run is a setting that can never work. The default (istioctl on PATH) is only
  // warned about: the image ships it, and a checkout may install it after the start.
  const istioctl = istioctlProblem(config.istioctlPath, process.env['PATH'] ?? '');
  if (istioctl && (process.env['ISTIOCTL'] ?? '') !== '') {
    process.stderr.write(`mesh-bot: ISTIOCTL: ${istioctl}\n`);
    process.exit(2);
  }
  if (istioctl) logger.warn({ istioctl: config.istioctlPath }, `${istioctl} Every command that runs istioctl fails until then.`);

  // Bolt's Socket Mode receiver listens for the ops endpoints without an error handler: a PORT in use crashed the
  // process with a stack trace, and in HTTP mode it was reported as a Slack connection problem.
  const port = await portProblem(config.port);
  if (port) {
    process.stderr.write(`mesh-bot: PORT: ${port}\n`);
    process.exit(2);
  }

  let running: RunningServer;
  try {
    running = await startServer({ config, botToken: config.slack.botToken, logger, runDigest: runScheduledDigest });
  } catch (cause) {
    const listen = listenProblem(config.port, cause);
    if (listen) {
      process.stderr.write(`mesh-bot: PORT: ${listen}\n`);
      process.exit(2);
    }
    const refused = await refusedToken(config.slack.botToken, config.slack, cause);
    if (refused) {
      process.stderr.write(`mesh-bot: ${refused}\n`);
      process.exit(2);
    }
    process.stderr.write(`mesh-bot: could not connect to Slack (${cause instanceof Error ? cause.message : String(cause)}). Check SLACK_API_URL and the network path to Slack.\n`);
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

/** Why listening on `port` failed, as one sentence plus what to do; null when `cause` is not a listen error. */
function listenProblem(port: number, cause: unknown): string | null {
  const code = (cause as NodeJS.ErrnoException | null)?.code;
  if ((cause as NodeJS.ErrnoException | null)?.syscall !== 'listen') return null;
  if (code === 'EADDRINUSE') return `${port} is already in use by another process; stop it, or set PORT to a free port.`;
  if (code === 'EACCES') return `listening on ${port} needs privileges mesh-bot does not have (ports below 1024); set PORT to 1024 or above, such as 3000.`;
  return `cannot listen on ${port} (${code ?? 'unknown error'}); set PORT to a free port.`;
}

/** Whether the ops endpoints (and HTTP mode's /slack/events) can listen on `port`, tried before Bolt does. */
function portProblem(port: number): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (cause) => resolve(listenProblem(port, cause) ?? `cannot listen on ${port}; set PORT to a free port.`));
    probe.listen(port, () => probe.close(() => resolve(null)));
  });
}

/** Slack's answers to a token it will not take (auth.test, apps.connections.open). */
const TOKEN_REFUSALS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'not_allowed_token_type', 'team_disabled', 'user_removed_from_team']);

/**
 * Which token Slack refused at start, as one line naming the setting, or null when the start failed otherwise. In
 * Socket Mode both tokens are used at start and Slack's error does not say which one it refused, so the bot token is
 * tried once more on its own: named is the one that is wrong, not always SLACK_BOT_TOKEN.
 */
async function refusedToken(botToken: string, slack: AppConfig['slack'], cause: unknown): Promise<string | null> {
  const code = (cause as { data?: { error?: unknown } } | null)?.data?.error;
  if (typeof code !== 'string' || !TOKEN_REFUSALS.has(code)) return null;
  const bot = `SLACK_BOT_TOKEN: Slack refused it (${code}). Copy the Bot User OAuth Token (xoxb-…) from the app's Install App page, reinstalling the app if it was revoked.`;
  if (slack.appToken === undefined) return bot;
  const { WebClient } = await import('@slack/web-api');
  const { webClientOptions } = await import('./slack/app.ts');
  const botTokenWorks = await new WebClient(botToken, { ...webClientOptions(slack.apiUrl), retryConfig: { retries: 0 } }).auth.test().then(
    () => true,
    () => false,
  );
  return botTokenWorks ? `SLACK_APP_TOKEN: Slack refused it (${code}). Generate an app-level token with the connections:write scope under Basic Information → App-Level Tokens and set it.` : bot;
}

/** Why there is no kubeconfig to use, as one sentence plus what to do; null when there is one. */
function missingKubeconfig(env: NodeJS.ProcessEnv, found: ReturnType<typeof findKubeconfig>): string | null {
  if (found.ok) return null;
  if ((env['KUBERNETES_SERVICE_HOST'] ?? '') !== '' && (env['KUBECONFIG'] ?? '') === '') {
    return `mesh-bot runs in a pod without a service account token (${SERVICE_ACCOUNT_TOKEN} does not exist). Set automountServiceAccountToken: true on the pod or its ServiceAccount (deploy/ does), or mount a kubeconfig and set KUBECONFIG to it.`;
  }
  return found.error;
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
