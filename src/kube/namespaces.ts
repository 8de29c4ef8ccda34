import type { Result } from '../result.ts';
import type { ClusterKube } from './clients.ts';
import { describeKubeError, kubeStatusOf } from './errors.ts';

/** Whether a namespace exists: `missing` only on the API server's own 404; anything else is `unknown` with why. */
export type NamespaceCheck = { readonly kind: 'exists' } | { readonly kind: 'missing'; readonly message: string } | { readonly kind: 'unknown'; readonly reason: string };

/**
 * istioctl filters by namespace without checking it, so a typo reads as an empty, healthy namespace. This asks
 * the API server (`get namespaces/NAME`, granted by the ClusterRole for analyze) before an answer calls it so.
 */
export async function checkNamespace(kube: ClusterKube, namespace: string): Promise<NamespaceCheck> {
  try {
    await kube.core.readNamespace({ name: namespace });
    return { kind: 'exists' };
  } catch (cause) {
    if (kubeStatusOf(cause)?.code === 404) {
      return {
        kind: 'missing',
        message: `Namespace ${namespace} does not exist in cluster ${kube.cluster.name}. Check the name with \`kubectl get namespaces\`.`,
      };
    }
    return { kind: 'unknown', reason: describeKubeError(cause, `get namespace ${namespace}`, kube.cluster.name) };
  }
}

/** For a command's scope: nothing to check without a namespace; without a Kubernetes client nothing is known. */
export function checkScopeNamespace(kube: Result<ClusterKube, { readonly message: string }>, namespace: string | undefined): Promise<NamespaceCheck> {
  if (namespace === undefined) return Promise.resolve({ kind: 'exists' });
  return kube.ok ? checkNamespace(kube.value, namespace) : Promise.resolve({ kind: 'unknown', reason: kube.error.message });
}
