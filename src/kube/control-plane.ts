import type { V1Pod } from '@kubernetes/client-node';
import { err, ok, type Result } from '../result.ts';
import type { ClusterKube } from './clients.ts';
import { describeKubeError } from './errors.ts';

export interface IstiodPod {
  readonly name: string;
  /** Running and every container ready. */
  readonly ready: boolean;
  readonly readyContainers: number;
  readonly totalContainers: number;
  /** Istio version from the pod's labels or the discovery image tag; '' when unknown. */
  readonly version: string;
  readonly revision: string;
  readonly restarts: number;
  readonly phase: string;
}

/** Every istiod Deployment since Istio 1.5 (istioctl install, Helm, operator) labels its pods `app=istiod`. */
const ISTIOD_SELECTOR = 'app=istiod';

export async function listIstiods(kube: ClusterKube, istioNamespace: string): Promise<Result<readonly IstiodPod[], { readonly message: string }>> {
  try {
    const list = await kube.core.listNamespacedPod({ namespace: istioNamespace, labelSelector: ISTIOD_SELECTOR });
    return ok(
      list.items
        .map(summarizePod)
        .filter((pod): pod is IstiodPod => pod !== null)
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  } catch (cause) {
    return err({ message: describeKubeError(cause, `list pods in ${istioNamespace}`, kube.cluster.name) });
  }
}

function summarizePod(pod: V1Pod): IstiodPod | null {
  const name = pod.metadata?.name;
  if (!name) return null;
  const labels = pod.metadata?.labels ?? {};
  const statuses = pod.status?.containerStatuses ?? [];
  const containers = pod.spec?.containers ?? [];
  const readyContainers = statuses.filter((status) => status.ready).length;
  const totalContainers = Math.max(containers.length, statuses.length);
  const phase = pod.status?.phase ?? 'Unknown';
  const discovery = containers.find((container) => container.name === 'discovery') ?? containers[0];
  return {
    name,
    phase,
    readyContainers,
    totalContainers,
    ready: phase === 'Running' && totalContainers > 0 && readyContainers === totalContainers && pod.metadata?.deletionTimestamp === undefined,
    version: labels['app.kubernetes.io/version'] ?? labels['operator.istio.io/version'] ?? imageTagVersion(discovery?.image),
    revision: labels['istio.io/rev'] ?? 'default',
    restarts: statuses.reduce((sum, status) => sum + (status.restartCount ?? 0), 0),
  };
}

/** `docker.io/istio/pilot:1.28.1-distroless` → `1.28.1`; digests and `latest` give ''. */
function imageTagVersion(image: string | undefined): string {
  if (!image) return '';
  const tag = /:([^/:@]+)(@.*)?$/.exec(image)?.[1] ?? '';
  const version = /^v?(\d+\.\d+(\.\d+)?(-[0-9A-Za-z.]+)?)/.exec(tag)?.[1] ?? '';
  return version.replace(/-distroless$/, '');
}
