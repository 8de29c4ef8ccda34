import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { err, ok, type Result } from '../result.ts';

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** In a pod with its service account token mounted: where client-go goes when it finds no kubeconfig file. */
export function inClusterPossible(env: NodeJS.ProcessEnv, exists: (path: string) => boolean = existsSync): boolean {
  return (env['KUBERNETES_SERVICE_HOST'] ?? '') !== '' && exists(SERVICE_ACCOUNT_TOKEN);
}

/**
 * Finds the kubeconfig the way client-node's loadFromDefault (and kubectl) does: KUBECONFIG, then
 * ~/.kube/config, then the pod's service account. Without any of them client-node silently falls back to
 * http://localhost:8080 and the first request fails with a TLS complaint that names none of this, so the
 * caller says what is missing instead: one sentence plus what to do. The value is a warning to show, or null: a
 * KUBECONFIG whose files do not exist in a pod gives way to the service account, as client-go (kubectl, istioctl)
 * does after its "Config not found" warning, so mesh-bot reads the cluster its istioctl reads.
 */
export function findKubeconfig(env: NodeJS.ProcessEnv, exists: (path: string) => boolean = existsSync): Result<string | null, string> {
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((path) => path !== '');
  if (listed.length > 0) {
    if (listed.some((path) => exists(path))) return ok(null);
    if (inClusterPossible(env, exists)) {
      return ok(`KUBECONFIG is set to ${listed.join(delimiter)}, but no such file exists; using the pod's service account, as kubectl and istioctl do. Mount the file or unset KUBECONFIG.`);
    }
    return err(
      `KUBECONFIG is set to ${listed.join(delimiter)}, but no such file exists. Point KUBECONFIG at your cluster's kubeconfig file, or unset it to use ~/.kube/config.`,
    );
  }
  const home = env['HOME'] ?? env['USERPROFILE'];
  const defaultPath = home ? join(home, '.kube', 'config') : undefined;
  if (defaultPath && exists(defaultPath)) return ok(null);
  if (inClusterPossible(env, exists)) return ok(null);
  return err(
    `there is no kubeconfig: KUBECONFIG is not set and ${defaultPath ?? '~/.kube/config'} does not exist. Set KUBECONFIG to your cluster's kubeconfig (export KUBECONFIG=/path/to/kubeconfig), or create ~/.kube/config (for example with your cloud's "get-credentials" command), then check it with \`kubectl config current-context\`.`,
  );
}
