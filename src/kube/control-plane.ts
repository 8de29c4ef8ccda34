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

/**
 * A pod of the istiod Deployment that has ended (phase Failed or Succeeded): an Evicted pod stays in the API until
 * someone deletes it, but it is not part of the control plane any more.
 */
export interface EndedIstiodPod {
  readonly name: string;
  readonly phase: string;
  /** `Evicted`, `Shutdown`, `NodeLost`…; '' when the kubelet gave none. */
  readonly reason: string;
  readonly version: string;
}

export interface IstiodPods {
  /** The control plane: every istiod pod that has not ended, sorted by name. */
  readonly current: readonly IstiodPod[];
  /** Shown as a detail, never counted as "not ready" nor as a running version. */
  readonly ended: readonly EndedIstiodPod[];
}

/** Every istiod Deployment since Istio 1.5 (istioctl install, Helm, operator) labels its pods `app=istiod`. */
const ISTIOD_SELECTOR = 'app=istiod';
/** Phases a pod never leaves: its containers are gone for good. */
const ENDED_PHASES: ReadonlySet<string> = new Set(['Failed', 'Succeeded']);

export async function readIstiods(kube: ClusterKube, istioNamespace: string): Promise<Result<IstiodPods, { readonly message: string }>> {
  try {
    const list = await kube.core.listNamespacedPod({ namespace: istioNamespace, labelSelector: ISTIOD_SELECTOR });
    const current: IstiodPod[] = [];
    const ended: EndedIstiodPod[] = [];
    for (const item of list.items) {
      const pod = summarizePod(item);
      if (pod === null) continue;
      if (ENDED_PHASES.has(pod.phase)) ended.push({ name: pod.name, phase: pod.phase, reason: item.status?.reason ?? '', version: pod.version });
      else current.push(pod);
    }
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    return ok({ current: current.sort(byName), ended: ended.sort(byName) });
  } catch (cause) {
    return err({ message: describeKubeError(cause, `list pods in ${istioNamespace}`, kube.cluster.name) });
  }
}

/** The current control plane's istiod pods only (see readIstiods for the ended ones). */
export async function listIstiods(kube: ClusterKube, istioNamespace: string): Promise<Result<readonly IstiodPod[], { readonly message: string }>> {
  const read = await readIstiods(kube, istioNamespace);
  return read.ok ? ok(read.value.current) : read;
}

/**
 * An external istiod (clusters[].xdsAddress) runs no pod in this cluster: the istiods that answered istioctl over xDS
 * are the control plane, and answering is being ready. An empty mesh's answer names no istiod (1.30's `{}`, a
 * header-only table), yet istioctl only exits 0 once the istiod at that address answered: it stands for itself.
 */
export function answeredIstiods(xdsAddress: string, answered: readonly { readonly id: string; readonly version: string }[]): IstiodPod[] {
  return (answered.length > 0 ? answered : [{ id: xdsAddress, version: '' }]).map((istiod) => ({ name: istiod.id, ready: true, readyContainers: 1, totalContainers: 1, version: istiod.version, revision: '', restarts: 0, phase: 'Running' }));
}

/** `istiod-7d4b9c8f6d-q2w9x (Evicted)`: how an ended pod is mentioned. */
export function describeEndedIstiod(pod: EndedIstiodPod): string {
  return `${pod.name} (${pod.reason || pod.phase})`;
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
