import { accessSync, constants } from 'node:fs';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, createConfiguration, CustomObjectsApi, KubeConfig, Observable, ServerConfiguration, setHeaderMiddleware, VersionApi, type Configuration, type RequestContext, type SecurityAuthentication } from '@kubernetes/client-node';
import type { ClusterConfig } from '../config.ts';
import { err, ok, type Result } from '../result.ts';
import { credentialPluginOf, runCredentialPlugins } from './credential-plugin.ts';
import { useEnvironmentProxy } from './env-proxy.ts';
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
  /**
   * The kubeconfig context these clients were built on, for istioctl to read the same cluster; undefined for the pod's
   * service account (client-node's own in-cluster context, which istioctl reaches without naming a context).
   */
  readonly contextName?: string | undefined;
}

/** The context client-node's loadFromCluster makes up for the pod's service account; no kubeconfig file has it. */
const IN_CLUSTER_CONTEXT = 'inClusterContext';

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
 * The credentials of one cluster's requests. After the API refused them (401) the next request reads the kubeconfig
 * again, as client-go runs a credential plugin again after a 401: a plugin's token without an expiry that was
 * revoked, and a token or client certificate replaced in the file (a rotated Secret), are otherwise used until a
 * restart, while istioctl, which reads the kubeconfig on every run, already has the new one.
 */
class ClusterCredentials implements SecurityAuthentication {
  #current: KubeConfig;
  #refused = false;
  readonly #reload: () => KubeConfig | null;

  /** `reload` reads the kubeconfig again; null (the context is gone) or a throw keeps the credentials in hand. */
  constructor(config: KubeConfig, reload: () => KubeConfig | null) {
    this.#current = config;
    this.#reload = reload;
  }

  getName(): string {
    return 'kubeconfig';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    if (this.#refused) {
      this.#refused = false;
      try {
        this.#current = this.#reload() ?? this.#current;
      } catch {
        // A file caught mid-rewrite (or gone): the credentials in hand stay, and the next 401 reads it again.
      }
    }
    try {
      await this.#current.applySecurityAuthentication(context);
    } catch (cause) {
      throw unreadableFile(cause) ?? cause;
    }
  }

  refused(): void {
    this.#refused = true;
  }

  /** Why the credentials were not ready in time, naming the credential plugin when the user has one. */
  late(clusterName: string, timeoutMs: number): Error {
    const plugin = credentialPluginOf(this.#current);
    const within = `within ${Math.round(timeoutMs / 1000)} s`;
    return new Error(
      plugin === undefined
        ? `mesh-bot's credentials for cluster ${clusterName} were not ready ${within}`
        : `the kubeconfig's credential plugin \`${plugin}\` gave no credentials ${within} (mesh-bot gives it no terminal, so it cannot ask for a login)`,
    );
  }
}

/**
 * A file the kubeconfig names (CA, client certificate or key, token file) that could not be read while applying the
 * credentials, as a plain error: its `code` (ENOENT) would otherwise read as an unreachable API server.
 */
function unreadableFile(cause: unknown): Error | null {
  const { code, syscall, path } = (cause ?? {}) as { code?: unknown; syscall?: unknown; path?: unknown };
  if (typeof code !== 'string' || syscall !== 'open' || typeof path !== 'string') return null;
  return new Error(`cannot read ${path} (${code}), a file the kubeconfig names for mesh-bot's credentials or the cluster's CA`);
}

/** The kubeconfig fields naming a file, and what to write instead of the path when the file is not where mesh-bot runs. */
const FILE_FIELDS = [
  ['certificate-authority', 'certificate-authority-data'],
  ['client-certificate', 'client-certificate-data'],
  ['client-key', 'client-key-data'],
  ['tokenFile', 'token'],
] as const;

/**
 * The first file the current context's cluster and user name that mesh-bot cannot read, as kubectl and istioctl refuse
 * such a kubeconfig at load: a kubeconfig copied from a laptop names its CA and client certificate by paths that do not
 * exist in the pod, and each request then failed with ENOENT, which reads as an unreachable API server.
 */
function unreadableNamedFile(config: KubeConfig): string | null {
  const cluster = config.getCurrentCluster();
  const user = config.getCurrentUser();
  const tokenFile: unknown = (user?.authProvider as { config?: { tokenFile?: unknown } } | undefined)?.config?.tokenFile;
  const paths: Record<(typeof FILE_FIELDS)[number][0], unknown> = {
    'certificate-authority': cluster?.caFile,
    'client-certificate': user?.certFile,
    'client-key': user?.keyFile,
    tokenFile,
  };
  for (const [field, inline] of FILE_FIELDS) {
    const path = paths[field];
    if (typeof path !== 'string' || path === '') continue;
    try {
      accessSync(path, constants.R_OK);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
      const why = code === 'ENOENT' ? 'which does not exist where mesh-bot runs' : `which mesh-bot cannot read (${code})`;
      return `the kubeconfig's ${field} is ${path}, ${why}; mount the file at that path or write its content as ${inline} instead`;
    }
  }
  return null;
}

/**
 * What `KubeConfig.makeApiClient` builds, plus a deadline on every request: the generated clients send the
 * `RequestContext`'s signal with the fetch. The deadline starts before the credentials are applied (they come before
 * any middleware), so one deadline covers both: a credential plugin that does not answer fails the request in time.
 */
function timedConfiguration(server: string, credentials: ClusterCredentials, clusterName: string, timeoutMs: number): Configuration {
  return createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: {
      default: {
        getName: () => credentials.getName(),
        applySecurityAuthentication: (context) => {
          const deadline = AbortSignal.timeout(timeoutMs);
          context.setSignal(deadline);
          return withinDeadline(credentials.applySecurityAuthentication(context), deadline, () => credentials.late(clusterName, timeoutMs));
        },
      },
    },
    middleware: [
      setHeaderMiddleware('User-Agent', 'mesh-bot'),
      {
        pre: (context) => new Observable(Promise.resolve(context)),
        post: (response) => {
          if (response.httpStatusCode === 401) credentials.refused();
          return new Observable(Promise.resolve(response));
        },
      },
    ],
  });
}

async function withinDeadline(work: Promise<void>, deadline: AbortSignal, late: () => Error): Promise<void> {
  let onAbort: (() => void) | undefined;
  const expired = new Promise<never>((_, reject) => {
    onAbort = () => reject(late());
    deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([work, expired]);
  } finally {
    if (onAbort) deadline.removeEventListener('abort', onAbort);
  }
}

/** `load` returns a fresh KubeConfig (production: loadFromDefault; tests: one pointing at a fake API server). */
export function createKubeFor(load: () => KubeConfig, timeouts: KubeTimeouts = DEFAULT_KUBE_TIMEOUTS): KubeFor {
  const built = new Map<string, Result<ClusterKube, { readonly message: string }>>();
  return (cluster) => {
    const known = built.get(cluster.name);
    if (known) return known;
    let result: Result<ClusterKube, { readonly message: string }>;
    /**
     * The kubeconfig at this cluster's context, with the proxy HTTPS_PROXY names for it and its credential plugins run
     * by mesh-bot; null when it lacks the context.
     */
    const atContext = (name: string | undefined): KubeConfig | null => {
      const config = load();
      if (name !== undefined) {
        if (!config.getContextObject(name)) return null;
        config.setCurrentContext(name);
      }
      useEnvironmentProxy(config, process.env);
      runCredentialPlugins(config, timeouts.requestMs);
      return config;
    };
    try {
      const config = atContext(cluster.context);
      if (config === null) {
        return err({ message: `kubeconfig context "${cluster.context}" of cluster ${cluster.name} does not exist. Check \`kubectl config get-contexts\` and the clusters section of the config file.` });
      }
      const unreadable = unreadableNamedFile(config);
      if (unreadable !== null) throw new KubeconfigFileError(unreadable);
      const context = config.getContextObject(config.getCurrentContext());
      const server = config.getCurrentCluster()?.server;
      if (server === undefined) throw new Error('the kubeconfig has no current cluster');
      // Read again at the context in force now: a current-context switched in the file meanwhile must not send another
      // cluster's credentials to this cluster's server.
      const pinned = config.getCurrentContext();
      const credentials = new ClusterCredentials(config, () => atContext(pinned));
      const timed = (timeoutMs: number) => timedConfiguration(server, credentials, cluster.name, timeoutMs);
      result = ok({
        cluster,
        core: new CoreV1Api(timed(timeouts.requestMs)),
        apps: new AppsV1Api(timed(timeouts.requestMs)),
        custom: new CustomObjectsApi(timed(timeouts.requestMs)),
        coordination: new CoordinationV1Api(timed(timeouts.leaseMs)),
        version: new VersionApi(timed(timeouts.requestMs)),
        contextNamespace: context?.namespace,
        contextName: pinned === IN_CLUSTER_CONTEXT ? undefined : pinned,
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
