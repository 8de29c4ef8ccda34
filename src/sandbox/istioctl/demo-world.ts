// Where the `bookinfo` scenario's proxies get their world from. Inside the sandbox, the launcher names the
// sandbox's Kubernetes API (FAKE_ISTIOCTL_KUBE_API), and istioctl reads it as the real one reads a cluster: a
// promotion of the reviews canary then shows in `proxy-config routes`, and a pod that does not exist is not found.
// Without it (tests of the simulator alone) the demo mesh's objects are built here, from the same module.

import { demoMeshObjects } from '../demo-mesh.ts';
import type { KubeObject } from '../kube-api/types.ts';
import type { DemoWorld } from './demo-envoy.ts';

/** What the sandbox exports to its istioctl launcher. */
export const KUBE_API_ENV = 'FAKE_ISTIOCTL_KUBE_API';
export const MESH_START_ENV = 'FAKE_ISTIOCTL_MESH_START';

/** When the demo mesh came up: FAKE_ISTIOCTL_MESH_START (ISO 8601), else `now` (a mesh that starts with this run). */
export function meshStartOf(env: Readonly<Record<string, string | undefined>>, now: Date): Date {
  const raw = env[MESH_START_ENV];
  if (raw === undefined || raw === '') return now;
  const parsed = new Date(raw);
  if (Number.isNaN(parsed.getTime())) throw new Error(`invalid ${MESH_START_ENV} ${JSON.stringify(raw)}: expected an ISO 8601 time`);
  return parsed;
}

/** The collections a proxy's configuration depends on, and the kind each list's items have. */
const COLLECTIONS: readonly (readonly [string, string])[] = [
  ['/api/v1/pods', 'Pod'],
  ['/api/v1/services', 'Service'],
  ['/api/v1/configmaps?fieldSelector=metadata.name%3Distio-ca-root-cert', 'ConfigMap'],
  ['/apis/networking.istio.io/v1/virtualservices', 'VirtualService'],
  ['/apis/networking.istio.io/v1/destinationrules', 'DestinationRule'],
  // ztunnel-config and waypoint: which namespaces are ambient, and the waypoints (Gateways of class istio-waypoint).
  ['/api/v1/namespaces', 'Namespace'],
  ['/apis/gateway.networking.k8s.io/v1/gateways', 'Gateway'],
];

async function list(apiUrl: string, path: string, kind: string): Promise<KubeObject[]> {
  const response = await fetch(new URL(path, apiUrl)).catch((cause: unknown) => {
    throw new Error(`${KUBE_API_ENV}: GET ${path} failed: ${(cause as Error).message}`);
  });
  if (!response.ok) throw new Error(`${KUBE_API_ENV}: GET ${path} answered HTTP ${response.status}`);
  const body = (await response.json()) as { apiVersion?: string; items?: KubeObject[] };
  // List items carry no kind of their own; the list's apiVersion is theirs.
  const apiVersion = body.apiVersion ?? 'v1';
  return (body.items ?? []).map((item) => ({ ...item, apiVersion, kind }));
}

export async function loadDemoWorld(env: Readonly<Record<string, string | undefined>>, meshStart: Date): Promise<DemoWorld> {
  const apiUrl = env[KUBE_API_ENV];
  if (apiUrl === undefined || apiUrl === '') return { objects: demoMeshObjects(meshStart) };
  const lists = await Promise.all(COLLECTIONS.map(([path, kind]) => list(apiUrl, path, kind)));
  return { objects: lists.flat() };
}

/** The trust bundle istiod published in a namespace (`istio-ca-root-cert`), as the proxies there received it. */
export function rootPemIn(world: DemoWorld, namespace: string): string | undefined {
  const configMap = world.objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'istio-ca-root-cert' && o.metadata.namespace === namespace);
  const data = configMap?.['data'] as Record<string, string> | undefined;
  return data?.['root-cert.pem'];
}
