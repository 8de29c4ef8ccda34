import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { z } from 'zod';
import { createAccessPolicy, type UsergroupMembers } from './access.ts';
import type { CommandDeps } from './command.ts';
import { botPostedChannels, defaultCluster, type AppConfig } from './config.ts';
import { buildCommandDeps } from './deps.ts';
import { createLeaderElector, type LeaderElector } from './kube/leader.ts';
import { configuredSecrets, type Logger } from './log.ts';
import { canaryServiceFor } from './mesh/canary/wiring.ts';
import { createMetrics } from './metrics.ts';
import { kubeReadiness } from './readiness.ts';
import { monotonic, realClock, type Clock } from './schedule/clock.ts';
import { createScheduler, type RunFence, type ScheduledJob, type Scheduler } from './schedule/scheduler.ts';
import { startSlackApp, webClientOptions, type RunningSlackApp } from './slack/app.ts';
import { slackRedaction } from './slack/outgoing.ts';
import { createChannelPoster, type ChannelPoster } from './slack/poster.ts';

const membersResponse = z.object({ users: z.array(z.string()).default([]) });

export function slackUsergroupMembers(web: WebClient): UsergroupMembers {
  return async (usergroup) => membersResponse.parse(await web.usergroups.users.list({ usergroup })).users;
}

/**
 * The Slack client of scheduled posts: no automatic retries. `chat.postMessage` is not idempotent, and a 5xx, a
 * timeout or a reset may come after the message landed; a blind retry would post it again each time. A failed
 * attempt instead fails the run, and the scheduler retries the fire (README: the one window that can post twice).
 * A 429 is rejected at once: the channel poster waits Retry-After outside the claim's fence and tries again through
 * it (src/slack/poster.ts), so a replica that lost its claim while waiting does not post.
 */
export function scheduledPostOptions(apiUrl: string | undefined, secrets: readonly string[] = []): WebClientOptions {
  return { ...webClientOptions(apiUrl, secrets), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true };
}

/** The poster of scheduled messages, its requests and uploaded files redacted like every other Slack call's. */
function scheduledPoster(config: AppConfig, botToken: string, clock: Clock): ChannelPoster {
  const secrets = configuredSecrets({ slack: { ...config.slack, botToken } });
  return createChannelPoster(new WebClient(botToken, scheduledPostOptions(config.slack.apiUrl, secrets)), clock, slackRedaction(secrets));
}

/** A scheduled digest: compose at fire time, post through the fence of its claim, then keep its facts as the next baseline. */
export type DigestRunner = (deps: CommandDeps, poster: ChannelPoster, digest: AppConfig['digests'][number], firedAt: Date, fence: RunFence) => Promise<void>;

export interface ServerOptions {
  readonly config: AppConfig;
  readonly botToken: string;
  readonly logger: Logger;
  /** Defaults to the kubeconfig as kubectl loads it (KUBECONFIG list, ~/.kube/config, in-cluster): src/kube/clients.ts. */
  readonly loadKubeConfig?: () => KubeConfig;
  /** Time for leader election and schedules; real time unless a caller needs another. */
  readonly clock?: Clock;
  readonly runDigest?: DigestRunner;
}

export interface RunningServer extends RunningSlackApp {
  readonly leader: LeaderElector | null;
}

const LEASE_NAME = 'mesh-bot-leader';
/** Part of the shutdown budget (src/main.ts) for runs that are posting; the rest is for the lease and Slack. */
const SCHEDULER_STOP_MS = 10_000;

/** True when `work` settled within `ms`; it keeps running otherwise. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

function scheduledJobs(config: AppConfig, deps: CommandDeps, poster: ChannelPoster, runDigest: DigestRunner | undefined, logger: Logger): ScheduledJob[] {
  const jobs: ScheduledJob[] = [
    {
      id: 'canary-expiry-sweep',
      schedule: '* * * * *',
      timezone: 'UTC',
      async run() {
        for (const cluster of config.clusters) {
          const service = canaryServiceFor(deps, cluster);
          if (!service.ok) continue;
          for (const expired of await service.value.sweepExpired()) {
            logger.info({ canary: { event: 'expired', id: expired.id } }, 'promotion request expired');
            await deps.cards?.update(expired);
          }
        }
      },
    },
  ];
  if (runDigest) {
    for (const digest of config.digests) {
      jobs.push({
        id: `digest:${digest.channel}:${digest.cluster ?? ''}:${digest.schedule}:${digest.timezone}:${(digest.namespaces ?? []).join(',')}`,
        schedule: digest.schedule,
        timezone: digest.timezone,
        run: (firedAt, fence) => runDigest(deps, poster, digest, firedAt, fence),
      });
    }
  }
  return jobs;
}

/** The composition root shared by `npm start` and the end-to-end tests: config → clients → Slack app → leader → schedules. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config, botToken } = options;
  // Two processes on one host are two candidates (DESIGN.md §2); the same name owns this replica's schedule claims
  // and is on every log line, audit included, so the trail says which replica ran a command.
  const identity = `${config.podName}-${randomBytes(4).toString('hex')}`;
  const logger = options.logger.child({ replica: identity });
  const clock = options.clock ?? realClock;
  for (const notice of config.notices) logger.warn({ config: 'notice' }, notice);
  const metrics = createMetrics();
  const deps = buildCommandDeps({ config, logger, metrics, ...(options.loadKubeConfig ? { loadKubeConfig: options.loadKubeConfig } : {}) });
  const access = createAccessPolicy({
    access: config.access,
    postsTo: botPostedChannels(config),
    logger,
    usergroupMembers: slackUsergroupMembers(new WebClient(botToken, webClientOptions(config.slack.apiUrl))),
  });
  const running = await startSlackApp({
    slack: { ...config.slack, botToken },
    port: config.port,
    ctx: { deps, access, metrics, logger },
    metrics,
    readinessChecks: kubeReadiness(deps.kubeFor, defaultCluster(config)),
  });

  const home = deps.kubeFor(defaultCluster(config));
  const store = deps.state();
  let leader: LeaderElector | null = null;
  let scheduler: Scheduler | null = null;
  let electing: Promise<void> = Promise.resolve();
  if (!home.ok || !store.ok) {
    logger.warn({ reason: home.ok ? (store.ok ? '' : store.error.message) : home.error.message }, 'no Kubernetes API for mesh-bot state: scheduled digests and expiry sweeps are off');
  } else {
    leader = createLeaderElector({
      coordination: home.value.coordination,
      namespace: store.value.namespace,
      leaseName: LEASE_NAME,
      identity,
      clusterName: home.value.cluster.name,
      now: clock.now,
      monotonic: monotonic(clock),
      sleep: clock.sleep,
      logger,
      onStartedLeading: () => metrics.leader.set(1),
      onStoppedLeading: () => metrics.leader.set(0),
    });
    electing = leader.run();
    const elected = leader;
    scheduler = createScheduler({
      jobs: scheduledJobs(config, running.deps, scheduledPoster(config, botToken, clock), options.runDigest, logger),
      clock,
      isLeader: () => elected.isLeader(),
      identity,
      store: store.value,
      logger,
    });
    scheduler.start();
  }

  return {
    ...running,
    leader,
    async stop() {
      // A digest caught mid-post is waited for, but not past this: the lease must still be handed over within the
      // pod's grace period (the fire's claim then goes stale and the next leader re-runs it, see README).
      if (scheduler && !(await settlesWithin(scheduler.stop(), SCHEDULER_STOP_MS))) logger.warn({ waitedMs: SCHEDULER_STOP_MS }, 'a scheduled run was still posting at shutdown; handing the lease over anyway');
      // Hand the lease over at once instead of making the other replica wait for it to expire.
      await leader?.stop();
      await electing;
      await running.stop();
    },
  };
}
