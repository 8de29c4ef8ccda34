import type { KubeConfig } from '@kubernetes/client-node';
import type { CommandDeps } from './command.ts';
import { defaultCluster, type AppConfig } from './config.ts';
import { createInFlight } from './in-flight.ts';
import { configuredIstioctl } from './istioctl/configured.ts';
import type { Istioctl } from './istioctl/istioctl.ts';
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
  /** istioctl already made (configuredIstioctl), e.g. by the terminal, which starts it before the rest loads. */
  readonly istioctl?: Istioctl;
}

/** Wires the real outside systems (istioctl on ISTIOCTL, the kubeconfig) into what commands use. */
export function buildCommandDeps(options: DepsOptions): CommandDeps {
  const { config, logger, metrics } = options;
  const kubeFor = createKubeFor(options.loadKubeConfig ?? loadDefaultKubeConfig);
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
