// The `bookinfo` scenario's ambient answers: ztunnel-config and waypoint tables built from the demo mesh's
// Kubernetes objects (src/sandbox/demo-ambient.ts), as ztunnel and istioctl would see them, in the columns of the
// corpus goldens (ambient/ztunnel-config, ambient/waypoint). What ztunnel decides is modelled from Istio's rules:
// a pod is captured (HBONE) when its namespace or itself is labelled istio.io/dataplane-mode=ambient, it is not
// labelled `none`, not annotated ambient.istio.io/redirection=disabled, not on the host network and runs no sidecar;
// everything else ztunnel knows is TCP. A ztunnel holds the certificates of the captured identities on its node.

import { createHash } from 'node:crypto';
import { demoRootCa } from '../demo-mesh.ts';
import type { KubeObject } from '../kube-api/types.ts';
import { FakeSetupError } from './command.ts';
import type { RunContext } from './command.ts';
import type { DemoWorld } from './demo-envoy.ts';
import { loadDemoWorld, meshStartOf } from './demo-world.ts';
import type { FakeWaypoint } from './waypoint.ts';

export interface AmbientDemo {
  readonly world: DemoWorld;
  readonly meshStart: Date;
  readonly now: Date;
}

export async function loadAmbientDemo(ctx: RunContext): Promise<AmbientDemo> {
  const now = new Date();
  try {
    const meshStart = meshStartOf(ctx.env, now);
    return { world: await loadDemoWorld(ctx.env, meshStart), meshStart, now };
  } catch (cause) {
    throw new FakeSetupError((cause as Error).message);
  }
}

const labelsOf = (object: KubeObject | undefined): Record<string, string> => (object?.metadata?.labels ?? {}) as Record<string, string>;
const byNamespaceThenName = (a: readonly string[], b: readonly string[]) => (a[0] ?? '').localeCompare(b[0] ?? '') || (a[1] ?? '').localeCompare(b[1] ?? '');

interface PodSpec {
  nodeName?: string;
  hostNetwork?: boolean;
  serviceAccountName?: string;
  containers?: { name: string }[];
}
interface PodStatus {
  phase?: string;
  podIP?: string;
  containerStatuses?: { ready: boolean }[];
}

function podsOf(world: DemoWorld): KubeObject[] {
  return world.objects.filter((o) => o.kind === 'Pod' && (o['status'] as PodStatus | undefined)?.podIP);
}

function namespaceObject(world: DemoWorld, name: string): KubeObject | undefined {
  return world.objects.find((o) => o.kind === 'Namespace' && o.metadata?.name === name);
}

function captured(world: DemoWorld, pod: KubeObject): boolean {
  const spec = (pod['spec'] ?? {}) as PodSpec;
  const podMode = labelsOf(pod)['istio.io/dataplane-mode'];
  const namespaceMode = labelsOf(namespaceObject(world, pod.metadata?.namespace ?? ''))['istio.io/dataplane-mode'];
  const enrolled = podMode === 'ambient' || (namespaceMode === 'ambient' && podMode !== 'none');
  const redirectionDisabled = (pod.metadata?.annotations as Record<string, string> | undefined)?.['ambient.istio.io/redirection'] === 'disabled';
  const sidecar = (spec.containers ?? []).some((c) => c.name === 'istio-proxy') && labelsOf(pod)['gateway.istio.io/managed'] === undefined;
  return enrolled && !redirectionDisabled && spec.hostNetwork !== true && !sidecar;
}

/** The waypoint an object uses: its own istio.io/use-waypoint label, else its namespace's; `None` as ztunnel prints it. */
function waypointOf(world: DemoWorld, object: KubeObject): string {
  return labelsOf(object)['istio.io/use-waypoint'] ?? labelsOf(namespaceObject(world, object.metadata?.namespace ?? ''))['istio.io/use-waypoint'] ?? 'None';
}

/** Rows of `ztunnel-config workloads` (1.24+ columns): every pod with an address, as WDS gives ztunnel all of them. */
export function demoWorkloadRows(world: DemoWorld): string[][] {
  return podsOf(world)
    .map((pod) => {
      const spec = (pod['spec'] ?? {}) as PodSpec;
      const ip = (pod['status'] as PodStatus).podIP ?? '';
      const protocol = captured(world, pod) ? 'HBONE' : 'TCP';
      return [pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', ip, spec.nodeName ?? '', protocol === 'HBONE' ? waypointOf(world, pod) : 'None', protocol];
    })
    .sort(byNamespaceThenName);
}

function selects(selector: Record<string, string>, pod: KubeObject): boolean {
  const labels = labelsOf(pod);
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** Rows of `ztunnel-config services` (1.23+ columns): ENDPOINTS is ready/total of the pods the selector picks. */
export function demoServiceRows(world: DemoWorld): string[][] {
  const pods = podsOf(world);
  return world.objects
    .filter((o) => o.kind === 'Service')
    .map((service) => {
      const spec = (service['spec'] ?? {}) as { clusterIP?: string; selector?: Record<string, string> };
      const namespace = service.metadata?.namespace ?? '';
      const endpoints = pods.filter((pod) => pod.metadata?.namespace === namespace && selects(spec.selector ?? {}, pod));
      const ready = endpoints.filter((pod) => {
        const status = pod['status'] as PodStatus;
        return status.phase === 'Running' && (status.containerStatuses ?? []).every((c) => c.ready);
      });
      return [namespace, service.metadata?.name ?? '', spec.clusterIP ?? '', waypointOf(world, service), `${ready.length}/${endpoints.length}`];
    })
    .sort(byNamespaceThenName);
}

const HOUR_MS = 60 * 60 * 1000;
/** istiod's default workload certificate lifetime (SECRET_TTL / DEFAULT_WORKLOAD_CERT_TTL, 24 h). */
const WORKLOAD_CERT_TTL_MS = 24 * HOUR_MS;
/** ztunnel renews a certificate when half of its lifetime has passed, so a healthy one has 12-24 h left. */
const RENEW_EVERY_MS = WORKLOAD_CERT_TTL_MS / 2;
const certTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Rows of `ztunnel-config certificates` for one ztunnel (1.22+ columns): per captured identity on its node, the
 * leaf issued at the last renewal and the demo's root, both Available and valid.
 */
export function demoCertificateRows(demo: AmbientDemo, node: string): string[][] {
  const issued = Math.floor(demo.now.getTime() / RENEW_EVERY_MS) * RENEW_EVERY_MS;
  const root = demoRootCa(demo.meshStart);
  const identities = new Set(
    podsOf(demo.world)
      .filter((pod) => ((pod['spec'] ?? {}) as PodSpec).nodeName === node && captured(demo.world, pod))
      .map((pod) => `spiffe://cluster.local/ns/${pod.metadata?.namespace ?? ''}/sa/${((pod['spec'] ?? {}) as PodSpec).serviceAccountName ?? 'default'}`),
  );
  return [...identities].sort().flatMap((identity) => [
    [identity, 'Leaf', 'Available', 'true', createHash('md5').update(`${identity}@${issued}`).digest('hex'), certTime(issued + WORKLOAD_CERT_TTL_MS), certTime(issued)],
    [identity, 'Root', 'Available', 'true', root.serial, root.notAfter, root.notBefore],
  ]);
}

/** The ztunnel pods of the demo mesh (label app=ztunnel in the Istio namespace) with their nodes. */
export function demoZtunnels(world: DemoWorld, istioNamespace: string): { name: string; node: string }[] {
  return world.objects
    .filter((o) => o.kind === 'Pod' && o.metadata?.namespace === istioNamespace && labelsOf(o)['app'] === 'ztunnel')
    .map((o) => ({ name: o.metadata?.name ?? '', node: ((o['spec'] ?? {}) as PodSpec).nodeName ?? '' }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The Gateways of class istio-waypoint, as `waypoint list` reads them. */
export function demoWaypoints(world: DemoWorld): FakeWaypoint[] {
  return world.objects
    .filter((o) => o.kind === 'Gateway' && (o.apiVersion ?? '').startsWith('gateway.networking.k8s.io/') && (o['spec'] as { gatewayClassName?: string } | undefined)?.gatewayClassName === 'istio-waypoint')
    .map((gateway): FakeWaypoint => {
      const conditions = ((gateway['status'] as { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? []);
      const name = gateway.metadata?.name ?? '';
      return {
        namespace: gateway.metadata?.namespace ?? '',
        name,
        serviceAccount: name,
        revision: labelsOf(gateway)['istio.io/rev'] ?? 'default',
        waypointFor: labelsOf(gateway)['istio.io/waypoint-for'] ?? '',
        programmed: conditions.find((c) => c.type === 'Programmed')?.status === 'True' ? 'True' : 'False',
        conditions: conditions.map((c) => ({ type: c.type, status: c.status, reason: c.reason ?? '', message: c.message ?? '' })),
      };
    });
}
