/** The bookinfo reviews HTTPRoute from Istio's Gateway API sample (corpus copy), its backend Services and pods. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { GatewayApiObjects } from '../../../src/kube/gateway-api.ts';
import type { FakeKubeApi, KubeObject } from '../../../src/sandbox/kube-api.ts';

const FIXTURES = new URL('../../fixtures/gateway-api/', import.meta.url);

export function fixtureRoute(file: string): KubeObject {
  return parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as KubeObject;
}

export const ROUTE_API = 'gateway.networking.k8s.io/v1';

interface SeedOptions {
  readonly namespace?: string;
  readonly metadata?: Record<string, unknown>;
  /** Weights of reviews-v1 / reviews-v2; `null` leaves the weight out (Gateway API default 1). */
  readonly weights?: readonly [number | null, number | null];
  /** Running pods per backend Service; default one each. */
  readonly pods?: Readonly<Record<string, number>>;
}

/** `route-reviews-90-10.yaml` in `bookinfo`, accepted by its parent (the reviews Service, GAMMA) at generation 1. */
export function seedReviewsRoute(api: FakeKubeApi, options: SeedOptions = {}): void {
  const namespace = options.namespace ?? 'bookinfo';
  const route = fixtureRoute('route-reviews-90-10.yaml') as { metadata: Record<string, unknown>; spec: { rules: { backendRefs: Record<string, unknown>[] }[] } };
  const refs = route.spec.rules[0]?.backendRefs ?? [];
  for (const [position, weight] of (options.weights ?? []).entries()) {
    const ref = refs[position] as Record<string, unknown>;
    if (weight === null) delete ref['weight'];
    else ref['weight'] = weight;
  }
  api.put({ ...route, metadata: { ...route.metadata, namespace, ...options.metadata } } as KubeObject);
  accept(api, namespace);
  for (const version of ['v1', 'v2']) {
    const name = `reviews-${version}`;
    api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: 'reviews', version }, ports: [{ name: 'http', port: 9080 }] } });
    for (let index = 0; index < (options.pods?.[name] ?? 1); index += 1) {
      api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-5fd6d4f8f8-${index}`, namespace, labels: { app: 'reviews', version } }, spec: { containers: [{ name: 'reviews', image: `docker.io/istio/examples-bookinfo-reviews-${version}:1.20.2` }] }, status: { phase: 'Running' } });
    }
  }
}

/** What Istio's controller writes once it has taken the route's current spec: Accepted and ResolvedRefs True. */
export function accept(api: FakeKubeApi, namespace = 'bookinfo', status: { resolvedRefs?: 'True' | 'False' } = {}): void {
  const current = api.get(ROUTE_API, 'HTTPRoute', namespace, 'reviews') as { metadata: { generation?: number } } & KubeObject;
  const observedGeneration = current.metadata.generation ?? 1;
  const conditions = [
    { type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration, lastTransitionTime: '2026-11-21T10:00:00Z', message: 'Route was valid' },
    { type: 'ResolvedRefs', status: status.resolvedRefs ?? 'True', reason: status.resolvedRefs === 'False' ? 'BackendNotFound' : 'ResolvedRefs', observedGeneration, lastTransitionTime: '2026-11-21T10:00:00Z', message: 'All references resolved' },
  ];
  api.put({ ...current, status: { parents: [{ parentRef: { group: '', kind: 'Service', name: 'reviews', port: 9080 }, controllerName: 'istio.io/gateway-controller', conditions }] } });
}

/** A Gateway API client whose controller accepts every real weight write at once (as istiod does within a second). */
export function acceptingController(api: FakeKubeApi): (real: GatewayApiObjects) => GatewayApiObjects {
  return (real) => ({
    ...real,
    async patchHttpRoute(namespace, name, version, ops, options) {
      const patched = await real.patchHttpRoute(namespace, name, version, ops, options);
      if (patched.ok && !options.dryRun) accept(api, namespace);
      return patched;
    },
  });
}

export function routeWeights(api: FakeKubeApi, namespace = 'bookinfo'): unknown[] {
  const route = api.get(ROUTE_API, 'HTTPRoute', namespace, 'reviews') as { spec: { rules: { backendRefs: { weight?: number }[] }[] } } | undefined;
  return route?.spec.rules[0]?.backendRefs.map((ref) => ref.weight) ?? [];
}

export function routeAnnotations(api: FakeKubeApi, namespace = 'bookinfo'): Record<string, string> {
  const route = api.get(ROUTE_API, 'HTTPRoute', namespace, 'reviews') as { metadata?: { annotations?: Record<string, string> } } | undefined;
  return route?.metadata?.annotations ?? {};
}

/** The reviews Service (the route's GAMMA parent) in `namespace`, with `labels` (e.g. istio.io/use-waypoint). */
export function seedParentService(api: FakeKubeApi, labels: Record<string, string> = {}, namespace = 'bookinfo'): void {
  api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace, labels: { app: 'reviews', ...labels } }, spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] } });
}

export function seedNamespace(api: FakeKubeApi, name: string, labels: Record<string, string> = {}): void {
  api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } });
}

interface GatewaySeed {
  readonly namespace?: string;
  readonly className?: string;
  /** Running pods of its Deployment, as Istio names them (`<gateway>-<replicaset hash>-<suffix>`). */
  readonly pods?: readonly string[];
}

/** A Gateway (by default an ambient waypoint, class istio-waypoint) and its running pods as istiod deploys them. */
export function seedGateway(api: FakeKubeApi, name: string, options: GatewaySeed = {}): void {
  const namespace = options.namespace ?? 'bookinfo';
  const className = options.className ?? 'istio-waypoint';
  api.put({ apiVersion: ROUTE_API, kind: 'Gateway', metadata: { name, namespace }, spec: { gatewayClassName: className, listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } });
  const managed = className === 'istio-waypoint' ? 'istio.io-mesh-controller' : 'istio.io-gateway-controller';
  for (const pod of options.pods ?? [`${name}-6c9f8d7b5d-p4n7x`]) {
    api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod, namespace, labels: { 'gateway.networking.k8s.io/gateway-name': name, 'gateway.istio.io/managed': managed } },
      spec: { containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.28.1' }] },
      status: { phase: 'Running' },
    });
  }
}

/** Points the route at other parents (spec.parentRefs), e.g. a waypoint or an ingress Gateway. */
export function setParentRefs(api: FakeKubeApi, parentRefs: readonly Record<string, unknown>[], namespace = 'bookinfo'): void {
  const route = api.get(ROUTE_API, 'HTTPRoute', namespace, 'reviews') as KubeObject & { spec: Record<string, unknown> };
  api.put({ ...route, spec: { ...route.spec, parentRefs } });
}
