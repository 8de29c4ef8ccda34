import type { KubeConfig } from '@kubernetes/client-node';
import { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { createAccessPolicy, type UsergroupMembers } from './access.ts';
import { defaultCluster, type AppConfig } from './config.ts';
import { buildCommandDeps } from './deps.ts';
import type { Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { kubeReadiness } from './readiness.ts';
import { startSlackApp, webClientOptions, type RunningSlackApp } from './slack/app.ts';

const membersResponse = z.object({ users: z.array(z.string()).default([]) });

export function slackUsergroupMembers(web: WebClient): UsergroupMembers {
  return async (usergroup) => membersResponse.parse(await web.usergroups.users.list({ usergroup })).users;
}

export interface ServerOptions {
  readonly config: AppConfig;
  readonly botToken: string;
  readonly logger: Logger;
  /** Defaults to the standard kubeconfig loading (KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly loadKubeConfig?: () => KubeConfig;
}

/** The composition root shared by `npm start` and the end-to-end tests: config → clients → Slack app. */
export async function startServer(options: ServerOptions): Promise<RunningSlackApp> {
  const { config, logger, botToken } = options;
  const metrics = createMetrics();
  const deps = buildCommandDeps({ config, logger, metrics, ...(options.loadKubeConfig ? { loadKubeConfig: options.loadKubeConfig } : {}) });
  const access = createAccessPolicy({ access: config.access, logger, usergroupMembers: slackUsergroupMembers(new WebClient(botToken, webClientOptions(config.slack.apiUrl))) });
  return startSlackApp({
    slack: { ...config.slack, botToken },
    port: config.port,
    ctx: { deps, access, metrics, logger },
    metrics,
    readinessChecks: kubeReadiness(deps.kubeFor, defaultCluster(config)),
  });
}
