import type { KubeConfig } from '@kubernetes/client-node';
import type { CommandDeps } from './command.ts';
import type { AppConfig } from './config.ts';
import { createIstioctl } from './istioctl/istioctl.ts';
import { createIstioctlRunner } from './istioctl/runner.ts';
import { createKubeFor, loadDefaultKubeConfig } from './kube/clients.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

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
  return {
    config,
    istioctl: createIstioctl(run),
    kubeFor: createKubeFor(options.loadKubeConfig ?? loadDefaultKubeConfig),
    now: options.now ?? (() => new Date()),
    logger,
  };
}
