import type { KubeConfig } from '@kubernetes/client-node';
import type { CommandDeps } from './command.ts';
import { defaultCluster, type AppConfig } from './config.ts';
import { createInFlight } from './in-flight.ts';
import { configuredIstioctl } from './istioctl/configured.ts';
import type { Istioctl } from './istioctl/istioctl.ts';
import { botNamespace } from './kube/bot-namespace.ts';
import { createKubeFor, loadDefaultKubeConfig, type KubeFor } from './kube/clients.ts';
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
  /** istioctl already made (configuredIstioctl), e.g. by the terminal, which starts it before the rest loads. */
  readonly istioctl?: Istioctl;
}

/**
 * A cluster configured without a context is the kubeconfig's current context; a running bot keeps the one current at
 * its start. Its Kubernetes clients are built on that context, so istioctl is given it too: run without `--context`,
 * istioctl would follow the file's current-context at each run, and after `kubectl config use-context` elsewhere one
 * answer would mix two clusters. (The terminal reads the file once per command and needs no pin.) In a pod without a
 * kubeconfig the clients name no context (src/kube/clients.ts), and istioctl finds the service account itself.
 */
function pinnedToStartContext(config: AppConfig, kubeFor: KubeFor): AppConfig {
  if (config.clusters.every((cluster) => cluster.context !== undefined)) return config;
  const clusters = config.clusters.map((cluster) => {
    if (cluster.context !== undefined) return cluster;
    const kube = kubeFor(cluster);
    return kube.ok && kube.value.contextName !== undefined ? { ...cluster, context: kube.value.contextName } : cluster;
  });
  return { ...config, clusters };
}

/** Wires the real outside systems (istioctl on ISTIOCTL, the kubeconfig) into what commands use. */
export function buildCommandDeps(options: DepsOptions): CommandDeps {
  const { logger, metrics } = options;
  const kubeFor = createKubeFor(options.loadKubeConfig ?? loadDefaultKubeConfig);
  // Only the serving bot reading the kubeconfig files as istioctl does (no injected loader, no terminal istioctl).
  const config = options.istioctl || options.loadKubeConfig ? options.config : pinnedToStartContext(options.config, kubeFor);
  let store: StateStore | undefined;
  return {
    config,
    istioctl: options.istioctl ?? configuredIstioctl(config, logger, metrics),
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
    inFlight: createInFlight(),
  };
}
