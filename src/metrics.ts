import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics, one registry per process (passed in, never a global default registry). */
export interface Metrics {
  readonly registry: Registry;
  readonly commands: Counter<'command' | 'outcome'>;
  readonly clicks: Counter<'action' | 'outcome'>;
  readonly istioctlRuns: Counter<'subcommand' | 'outcome'>;
  readonly istioctlSeconds: Histogram<'subcommand'>;
  readonly leader: Gauge;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mesh_bot_' });
  return {
    registry,
    commands: new Counter({ name: 'mesh_bot_commands_total', help: 'Slash and terminal commands by outcome', labelNames: ['command', 'outcome'], registers: [registry] }),
    clicks: new Counter({ name: 'mesh_bot_clicks_total', help: 'Button clicks by outcome', labelNames: ['action', 'outcome'], registers: [registry] }),
    istioctlRuns: new Counter({ name: 'mesh_bot_istioctl_runs_total', help: 'istioctl processes started, by outcome', labelNames: ['subcommand', 'outcome'], registers: [registry] }),
    istioctlSeconds: new Histogram({ name: 'mesh_bot_istioctl_duration_seconds', help: 'istioctl process run time', labelNames: ['subcommand'], buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120], registers: [registry] }),
    leader: new Gauge({ name: 'mesh_bot_leader', help: '1 while this replica holds the scheduling lease', registers: [registry] }),
  };
}
