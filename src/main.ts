import { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { createAccessPolicy } from './access.ts';
import { checkSlackSettings, defaultCluster, loadConfig } from './config.ts';
import { buildCommandDeps } from './deps.ts';
import { describeKubeError } from './kube/errors.ts';
import { createLogger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { startSlackApp, webClientOptions } from './slack/app.ts';

const membersResponse = z.object({ users: z.array(z.string()).default([]) });

async function main(): Promise<void> {
  const loaded = await loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`mesh-bot: ${loaded.error.message}\n`);
    process.exit(2);
  }
  const config = loaded.value;
  const slackProblem = checkSlackSettings(config.slack);
  if (slackProblem) {
    process.stderr.write(`mesh-bot: ${slackProblem.message}\n`);
    process.exit(2);
  }
  const botToken = config.slack.botToken as string;
  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();
  const deps = buildCommandDeps({ config, logger, metrics });
  const web = new WebClient(botToken, webClientOptions(config.slack.apiUrl));
  const access = createAccessPolicy({
    access: config.access,
    logger,
    usergroupMembers: async (usergroup) => membersResponse.parse(await web.usergroups.users.list({ usergroup })).users,
  });

  let lastKubeCheck: { at: number; ok: boolean; detail: string } | undefined;
  const readinessChecks = async () => {
    if (!lastKubeCheck || Date.now() - lastKubeCheck.at > 10_000) {
      const cluster = defaultCluster(config);
      const kube = deps.kubeFor(cluster);
      if (!kube.ok) lastKubeCheck = { at: Date.now(), ok: false, detail: kube.error.message };
      else {
        try {
          const version = await kube.value.version.getCode();
          lastKubeCheck = { at: Date.now(), ok: true, detail: `reachable (${version.gitVersion})` };
        } catch (cause) {
          lastKubeCheck = { at: Date.now(), ok: false, detail: describeKubeError(cause, 'read the server version', cluster.name) };
        }
      }
    }
    return { kubernetes: { ok: lastKubeCheck.ok, detail: lastKubeCheck.detail } };
  };

  let running: Awaited<ReturnType<typeof startSlackApp>>;
  try {
    running = await startSlackApp({ slack: { ...config.slack, botToken }, port: config.port, ctx: { deps, access, metrics, logger }, metrics, readinessChecks });
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

await main();
