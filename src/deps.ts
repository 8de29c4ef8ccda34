import type { KubeConfig } from '@kubernetes/client-node';
import type { CommandDeps } from './command.ts';
import { defaultCluster, type AppConfig } from './config.ts';
import { createIstioctl } from './istioctl/istioctl.ts';
import { createIstioctlRunner } from './istioctl/runner.ts';
import { botNamespace } from './kube/bot-namespace.ts';
import { createKubeFor, loadDefaultKubeConfig } from './kube/clients.ts';
import { createStateStore, type StateStore } from './kube/state-store.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { ok } from './result.ts';

export interface DepsOptions {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly loadKubeConfig?: () => KubeConfig;
  readonly now?: () => Date;
}

/** Wires the real outside systems (istioctl on ISTIOCTL, the kubeconfig) into what commands use. */
export function buildCommandDeps(options: DepsOptions): CommandDeps {
  const { config, logger, metrics } = options;
  const run = createIstioctlRunner({
    binary: config.istioctlPath,
    timeoutMs: config.istioctl.timeout,
    cacheTtlMs: config.istioctl.cacheTtl,
    concurrency: config.istioctl.concurrency,
    maxOutputBytes: config.istioctl.maxOutput,
    onProcess: ({ args, durationMs, outcome, exitCode }) => {
      const subcommand = args[0] ?? 'unknown';
      metrics?.istioctlRuns.inc({ subcommand, outcome: outcome === 'exit' ? (exitCode === 0 ? 'ok' : 'nonzero') : outcome });
      metrics?.istioctlSeconds.observe({ subcommand }, durationMs / 1000);
      logger.debug({ istioctl: { args, durationMs, outcome, exitCode } }, 'istioctl finished');
    },
  });
  const kubeFor = createKubeFor(options.loadKubeConfig ?? loadDefaultKubeConfig);
  let store: StateStore | undefined;
  return {
    config,
    istioctl: createIstioctl(run, { runTimeoutMs: config.istioctl.timeout }),
    kubeFor,
    state: () => {
      if (store) return ok(store);
      const home = defaultCluster(config);
      const kube = kubeFor(home);
      if (!kube.ok) return kube;
      store = createStateStore(kube.value.core, botNamespace(config.podNamespace, kube.value.contextNamespace), home.name);
      return ok(store);
    },
    now: options.now ?? (() => new Date()),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    logger,
  };
}
