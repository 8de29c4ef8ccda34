import type { FakeKubeApi } from '../../src/sandbox/kube-api.ts';

/** A bookinfo-like `reviews` service: VirtualService 90/10 between v1 and v2, its DestinationRule and pods. */
export function seedReviews(api: FakeKubeApi, options: { namespace?: string; metadata?: Record<string, unknown>; weights?: [number, number]; apiVersion?: string } = {}): void {
  const namespace = options.namespace ?? 'bookinfo';
  const istioApiVersion = options.apiVersion ?? 'networking.istio.io/v1';
  const [stable, canary] = options.weights ?? [90, 10];
  api.put({
    apiVersion: istioApiVersion,
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace, ...options.metadata },
    spec: {
      hosts: ['reviews'],
      http: [
        {
          name: 'reviews-route',
          route: [
            { destination: { host: 'reviews', subset: 'v1' }, weight: stable },
            { destination: { host: 'reviews', subset: 'v2' }, weight: canary },
          ],
        },
      ],
    },
  });
  api.put({
    apiVersion: istioApiVersion,
    kind: 'DestinationRule',
    metadata: { name: 'reviews', namespace },
    spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }, { name: 'v3', labels: { version: 'v3' } }] },
  });
  api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace }, spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] } });
  // Another app's v1 pod: a subset is the Service's pods with the subset labels, so it must not be counted.
  api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ratings-v1-9bd8c8595-hvc5b', namespace, labels: { app: 'ratings', version: 'v1' } }, spec: { containers: [{ name: 'ratings', image: 'docker.io/istio/examples-bookinfo-ratings-v1:1.20.2' }] }, status: { phase: 'Running' } });
  for (const version of ['v1', 'v2']) {
    api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `reviews-${version}-5fd6d4f8f8-abcde`, namespace, labels: { app: 'reviews', version } },
      spec: { containers: [{ name: 'reviews', image: `docker.io/istio/examples-bookinfo-reviews-${version}:1.20.2` }] },
      status: { phase: 'Running' },
    });
  }
}

export function reviewsWeights(api: FakeKubeApi, namespace = 'bookinfo', apiVersion = 'networking.istio.io/v1'): number[] {
  const vs = api.get(apiVersion, 'VirtualService', namespace, 'reviews') as { spec?: { http?: { route?: { weight?: number }[] }[] } } | undefined;
  return (vs?.spec?.http?.[0]?.route ?? []).map((destination) => destination.weight ?? 0);
}

/** VirtualService writes that were not dry runs. */
export function realPatches(api: FakeKubeApi): number {
  return api.requests.filter((request) => request.method === 'PATCH' && /virtualservices\/reviews$/.test(request.path) && request.query['dryRun'] === undefined).length;
}
