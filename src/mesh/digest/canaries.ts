import type { ClusterKube } from '../../kube/clients.ts';
import { ISTIO_GROUP, kubeCallError, type KubeCallError } from '../../kube/istio-objects.ts';
import type { StateStore } from '../../kube/state-store.ts';
import { err, ok, type Result } from '../../result.ts';
import { isExpired, promotionRequestSchema, weightChange } from '../canary/request.ts';
import { virtualServiceSchema, type VirtualService } from '../canary/virtual-service.ts';
import type { CanaryRoute, PendingPromotion, Section } from './types.ts';

/** Istio ≥ 1.22 serves v1; older meshes only v1beta1 / v1alpha3. */
const ISTIO_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'] as const;

/** An unserved group/version answers 404 with no object named; then the next older version is tried. */
function unserved(error: KubeCallError): boolean {
  return error.kind === 'not-found' && !/ not found$/.test(error.serverMessage);
}

async function listVirtualServices(kube: ClusterKube, namespaces: readonly string[] | undefined): Promise<Result<unknown[], string>> {
  const cluster = kube.cluster.name;
  let last: KubeCallError | undefined;
  for (const version of ISTIO_VERSIONS) {
    try {
      if (namespaces === undefined) {
        const list = (await kube.custom.listClusterCustomObject({ group: ISTIO_GROUP, version, plural: 'virtualservices' })) as { items?: unknown[] };
        return ok(list.items ?? []);
      }
      const lists = await Promise.all(namespaces.map((namespace) => kube.custom.listNamespacedCustomObject({ group: ISTIO_GROUP, version, namespace, plural: 'virtualservices' }) as Promise<{ items?: unknown[] }>));
      return ok(lists.flatMap((list) => list.items ?? []));
    } catch (cause) {
      last = kubeCallError(cause, namespaces === undefined ? 'list VirtualServices in all namespaces' : `list VirtualServices in ${namespaces.join(', ')}`, cluster);
      if (!unserved(last)) break;
    }
  }
  return err(last?.message ?? `no networking.istio.io version is served by cluster ${cluster}`);
}

/** HTTP routes that split traffic: at least two destinations with a weight strictly between 0 and 100. */
export function splitRoutes(vs: VirtualService): CanaryRoute[] {
  const routes: CanaryRoute[] = [];
  for (const [index, http] of (vs.spec.http ?? []).entries()) {
    const destinations = (http.route ?? []).map((entry) => ({ host: entry.destination.host, subset: entry.destination.subset ?? '', weight: entry.weight ?? 0 }));
    const partial = destinations.filter((destination) => destination.weight > 0 && destination.weight < 100);
    if (partial.length < 2) continue;
    routes.push({ namespace: vs.metadata.namespace ?? '', virtualService: vs.metadata.name, route: http.name ?? `#${index}`, destinations });
  }
  return routes;
}

export async function readCanaries(kube: ClusterKube, namespaces: readonly string[] | undefined): Promise<Section<readonly CanaryRoute[]>> {
  const listed = await listVirtualServices(kube, namespaces);
  if (!listed.ok) return listed;
  const routes = listed.value.flatMap((item) => {
    const parsed = virtualServiceSchema.safeParse(item);
    // A VirtualService this reader cannot make sense of is not a canary it can describe; analyze reports bad ones.
    return parsed.success ? splitRoutes(parsed.data) : [];
  });
  return ok(routes.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.virtualService.localeCompare(b.virtualService) || a.route.localeCompare(b.route)));
}

/** Promotion requests of this cluster (and scope) still waiting for an approver at `now`. */
export async function readPendingPromotions(store: Result<StateStore, { readonly message: string }>, cluster: string, namespaces: readonly string[] | undefined, now: Date): Promise<Section<readonly PendingPromotion[]>> {
  if (!store.ok) return err(store.error.message);
  const listed = await store.value.list('mesh-bot/kind=promotion', promotionRequestSchema);
  if (!listed.ok) return err(listed.error.message);
  return ok(
    listed.value
      .map((record) => record.value)
      .filter((request) => request.cluster === cluster && request.state === 'pending' && !isExpired(request, now) && (namespaces === undefined || namespaces.includes(request.namespace)))
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt))
      .map((request) => ({ id: request.id, namespace: request.namespace, virtualService: request.virtualService, change: weightChange(request.plan), requester: request.requester, expiresAt: request.expiresAt })),
  );
}
