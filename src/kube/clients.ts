import { AppsV1Api, CoordinationV1Api, CoreV1Api, createConfiguration, CustomObjectsApi, KubeConfig, Observable, ServerConfiguration, setHeaderMiddleware, VersionApi, type Configuration } from '@kubernetes/client-node';
import type { ClusterConfig } from '../config.ts';
import { err, ok, type Result } from '../result.ts';
import { KubeconfigFileError, loadKubeConfigAsKubectl } from './kubeconfig-files.ts';

/** The narrow set of API clients mesh-bot uses for one cluster. */
export interface ClusterKube {
  readonly cluster: ClusterConfig;
  readonly core: CoreV1Api;
  /** DaemonSets of the Istio namespace (ztunnel, istio-cni node agent). */
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly version: VersionApi;
  /** Namespace of the kubeconfig context (or the pod's own in a cluster); used for the bot's own state by default. */
  readonly contextNamespace: string | undefined;
}

export type KubeFor = (cluster: ClusterConfig) => Result<ClusterKube, { readonly message: string }>;

/**
 * How long one Kubernetes API request may take. Without a limit a hung connection (API server overloaded, a
 * half-open TCP connection) would stall a command, the leader's renewal and shutdown past the pod's grace period.
 */
export interface KubeTimeouts {
  /** Every request but the Lease's; lists of VirtualServices across a large mesh can take seconds. Default 15 s. */
  readonly requestMs: number;
  /** Lease requests: well under the renew deadline (10 s), so a hung renewal fails in time to retry once. Default 4 s. */
  readonly leaseMs: number;
}

export const DEFAULT_KUBE_TIMEOUTS: KubeTimeouts = { requestMs: 15_000, leaseMs: 4_000 };

/**
 * What `KubeConfig.makeApiClient` builds, plus a deadline on every request: the generated clients send the
 * `RequestContext`'s signal with the fetch, so a middleware can give each request its own `AbortSignal.timeout`.
 */
function timedConfiguration(config: KubeConfig, timeoutMs: number): Configuration {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: config },
    middleware: [
      setHeaderMiddleware('User-Agent', 'mesh-bot'),
      {
        pre: (context) => {
          context.setSignal(AbortSignal.timeout(timeoutMs));
          return new Observable(Promise.resolve(context));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
  });
}

/** `load` returns a fresh KubeConfig (production: loadFromDefault; tests: one pointing at a fake API server). */
export function createKubeFor(load: () => KubeConfig, timeouts: KubeTimeouts = DEFAULT_KUBE_TIMEOUTS): KubeFor {
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
        core: new CoreV1Api(timedConfiguration(config, timeouts.requestMs)),
        apps: new AppsV1Api(timedConfiguration(config, timeouts.requestMs)),
        custom: new CustomObjectsApi(timedConfiguration(config, timeouts.requestMs)),
        coordination: new CoordinationV1Api(timedConfiguration(config, timeouts.leaseMs)),
        version: new VersionApi(timedConfiguration(config, timeouts.requestMs)),
        contextNamespace: context?.namespace,
      });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const next = cause instanceof KubeconfigFileError ? 'Fix that file, or set KUBECONFIG to a working one' : 'Set KUBECONFIG or run mesh-bot in a pod with a service account';
      result = err({ message: `No usable kubeconfig for cluster ${cluster.name}: ${reason}. ${next}.` });
    }
    built.set(cluster.name, result);
    return result;
  };
}

/** The kubeconfig as kubectl and istioctl load it, so the terminal and the bot read the cluster istioctl talks to. */
export function loadDefaultKubeConfig(): KubeConfig {
  return loadKubeConfigAsKubectl();
}
