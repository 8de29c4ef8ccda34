import type { ClusterConfig } from './config.ts';
import type { KubeFor } from './kube/clients.ts';
import { describeKubeError } from './kube/errors.ts';

export type ReadinessCheck = () => Promise<Record<string, { ok: boolean; detail: string }>>;

/**
 * How long `/readyz` waits for the API's `/version`. The kubelet gives the probe 3 s (deploy/: timeoutSeconds: 3);
 * waiting for the 15 s request timeout instead would let every probe of a hung API time out with no answer at all,
 * and each would start one more request.
 */
export const READINESS_ANSWER_MS = 2_000;

interface Outcome {
  readonly ok: boolean;
  readonly detail: string;
}

/** `/readyz`'s Kubernetes check: the default cluster's API answers `/version`; remembered for a few seconds. */
export function kubeReadiness(kubeFor: KubeFor, cluster: ClusterConfig, cacheMs = 10_000, now: () => number = Date.now, answerMs = READINESS_ANSWER_MS): ReadinessCheck {
  let last: (Outcome & { readonly at: number }) | undefined;
  // Probes that arrive while the API is being asked share that one request.
  let asking: Promise<Outcome & { readonly at: number }> | undefined;

  async function ask(): Promise<Outcome> {
    const kube = kubeFor(cluster);
    if (!kube.ok) return { ok: false, detail: kube.error.message };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Outcome>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, detail: `The Kubernetes API of cluster ${cluster.name} did not answer /version within ${answerMs / 1000} s. Check the API server's health and the network between mesh-bot and it.` }),
        answerMs,
      );
    });
    const answer = kube.value.version.getCode().then(
      (version): Outcome => ({ ok: true, detail: `reachable (${version.gitVersion})` }),
      (cause: unknown): Outcome => ({ ok: false, detail: describeKubeError(cause, 'read the server version', cluster.name) }),
    );
    try {
      return await Promise.race([answer, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  return async () => {
    let current = last;
    if (!current || now() - current.at > cacheMs) {
      asking ??= ask()
        .then((outcome) => (last = { ...outcome, at: now() }))
        .finally(() => (asking = undefined));
      current = await asking;
    }
    return { kubernetes: { ok: current.ok, detail: current.detail } };
  };
}
