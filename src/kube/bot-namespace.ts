import { readFileSync } from 'node:fs';

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/**
 * Where mesh-bot keeps its own state (DESIGN.md §2): POD_NAMESPACE, else the pod's namespace in a
 * cluster, else the kubeconfig context's namespace, else `mesh-bot`.
 */
export function botNamespace(podNamespace: string | undefined, contextNamespace: string | undefined, readText: (path: string) => string = (path) => readFileSync(path, 'utf8')): string {
  if (podNamespace) return podNamespace;
  try {
    const inCluster = readText(SERVICE_ACCOUNT_NAMESPACE).trim();
    if (inCluster) return inCluster;
  } catch {
    // Not running in a pod: fall through to the kubeconfig.
  }
  return contextNamespace || 'mesh-bot';
}
