import type { ClusterConfig } from './config.ts';
import type { KubeFor } from './kube/clients.ts';
import { describeKubeError } from './kube/errors.ts';

export type ReadinessCheck = () => Promise<Record<string, { ok: boolean; detail: string }>>;

/** `/readyz`'s Kubernetes check: the default cluster's API answers `/version`; remembered for a few seconds. */
export function kubeReadiness(kubeFor: KubeFor, cluster: ClusterConfig, cacheMs = 10_000, now: () => number = Date.now): ReadinessCheck {
  let last: { at: number; ok: boolean; detail: string } | undefined;
  return async () => {
    if (!last || now() - last.at > cacheMs) {
      const kube = kubeFor(cluster);
      if (!kube.ok) last = { at: now(), ok: false, detail: kube.error.message };
      else {
        try {
          const version = await kube.value.version.getCode();
          last = { at: now(), ok: true, detail: `reachable (${version.gitVersion})` };
        } catch (cause) {
          last = { at: now(), ok: false, detail: describeKubeError(cause, 'read the server version', cluster.name) };
        }
      }
    }
    return { kubernetes: { ok: last.ok, detail: last.detail } };
  };
}
