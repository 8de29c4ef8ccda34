import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, VersionApi } from '@kubernetes/client-node';
import type { ClusterConfig } from '../config.ts';
import { err, ok, type Result } from '../result.ts';

/** The narrow set of API clients mesh-bot uses for one cluster. */
export interface ClusterKube {
  readonly cluster: ClusterConfig;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly version: VersionApi;
  /** Namespace of the kubeconfig context (or the pod's own in a cluster); used for the bot's own state by default. */
  readonly contextNamespace: string | undefined;
}

export type KubeFor = (cluster: ClusterConfig) => Result<ClusterKube, { readonly message: string }>;

/** `load` returns a fresh KubeConfig (production: loadFromDefault; tests: one pointing at a fake API server). */
export function createKubeFor(load: () => KubeConfig): KubeFor {
  const built = new Map<string, Result<ClusterKube, { readonly message: string }>>();
  return (cluster) => {
    const known = built.get(cluster.name);
    if (known) return known;
    let result: Result<ClusterKube, { readonly message: string }>;
    try {
      const config = load();
      if (cluster.context !== undefined) {
        if (!config.getContextObject(cluster.context)) {
          return err({ message: `kubeconfig context "${cluster.context}" of cluster ${cluster.name} does not exist. Check \`kubectl config get-contexts\` and the clusters section of the config file.` });
        }
        config.setCurrentContext(cluster.context);
      }
      const context = config.getContextObject(config.getCurrentContext());
      result = ok({
        cluster,
        core: config.makeApiClient(CoreV1Api),
        custom: config.makeApiClient(CustomObjectsApi),
        coordination: config.makeApiClient(CoordinationV1Api),
        version: config.makeApiClient(VersionApi),
        contextNamespace: context?.namespace,
      });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      result = err({ message: `No usable kubeconfig for cluster ${cluster.name}: ${reason}. Set KUBECONFIG or run mesh-bot in a pod with a service account.` });
    }
    built.set(cluster.name, result);
    return result;
  };
}

export function loadDefaultKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromDefault();
  return config;
}
