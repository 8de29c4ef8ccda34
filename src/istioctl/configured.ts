import type { AppConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { createIstioctl, type Istioctl } from './istioctl.ts';
import { createIstioctlRunner } from './runner.ts';

/**
 * istioctl as the configuration asks for it (ISTIOCTL, config.istioctl: timeout, cache, concurrency, output limit),
 * each finished process counted in the metrics and logged at debug. Apart from src/deps.ts so the terminal can start
 * istioctl before it loads the Kubernetes client (src/cli.ts).
 */
export function configuredIstioctl(config: AppConfig, logger: Logger, metrics?: Metrics): Istioctl {
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
  return createIstioctl(run, { runTimeoutMs: config.istioctl.timeout });
}
