import type { FakeKubeApi } from '../../src/sandbox/kube-api.ts';

/**
 * Kubernetes objects behind the waypoint tests: the namespaces of the fake istioctl's waypoints (the corpus's
 * combined-gateway goldens: default/waypoint and default/bookinfo are not programmed) and Services that name
 * waypoints with `istio.io/use-waypoint`.
 */
export function waypointClusterObjects(): Record<string, unknown>[] {
  const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const service = (ns: string, name: string, labels: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] },
  });
  return [
    namespace('default'),
    namespace('bookinfo'),
    namespace('shop'),
    namespace('mesh-bot'),
    // Served by a programmed waypoint: no problem.
    service('bookinfo', 'reviews', { 'istio.io/use-waypoint': 'bookinfo-valid' }),
    // Its waypoint exists but PROGRAMMED is False.
    service('default', 'ratings', { 'istio.io/use-waypoint': 'waypoint' }),
    // Its waypoint does not exist (a typo in the label).
    service('default', 'details', { 'istio.io/use-waypoint': 'waypiont' }),
    // A waypoint in another namespace, programmed.
    service('shop', 'cart', { 'istio.io/use-waypoint': 'bookinfo-rev', 'istio.io/use-waypoint-namespace': 'bookinfo' }),
    // `none` opts out explicitly: never a problem.
    service('shop', 'legacy', { 'istio.io/use-waypoint': 'none' }),
    // No label: not a waypoint user.
    service('shop', 'payments', {}),
  ];
}

/**
 * The ambient mesh of the corpus's ztunnel-config goldens: three ztunnels (one per kind node), namespaces default
 * and bookinfo labelled ambient. The workloads golden has one application pod there that is TCP (not captured):
 * default/httpbin-7447985f87-t8hv7; bookinfo's TCP rows are its waypoints' own pods. Each ztunnel's certificates
 * golden: a Leaf 2023-03-21T13:02:57Z → 2033-03-22T13:04:57Z (rotation due half-way, 2028-03-21) and three rows
 * that are not Available.
 */
export function putAmbientMesh(api: FakeKubeApi, ready: number): void {
  const nodes = ['ambient-control-plane', 'ambient-worker', 'ambient-worker2'];
  api.put({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'ztunnel', namespace: 'istio-system', labels: { app: 'ztunnel' } },
    spec: { selector: { matchLabels: { app: 'ztunnel' } }, template: { metadata: { labels: { app: 'ztunnel' } }, spec: { containers: [{ name: 'istio-proxy', image: 'istio/ztunnel:1.28.1' }] } } },
    status: { desiredNumberScheduled: 3, numberReady: ready, currentNumberScheduled: 3, numberMisscheduled: 0 },
  });
  ['ztunnel-n5bg2', 'ztunnel-xljhg', 'ztunnel-qk2pp'].forEach((name, index) => {
    api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'istio-system', labels: { app: 'ztunnel' } },
      spec: { nodeName: nodes[index], containers: [{ name: 'istio-proxy', image: 'istio/ztunnel:1.28.1' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'istio-proxy', ready: index < ready, restartCount: 0, image: 'istio/ztunnel:1.28.1', imageID: '' }] },
    });
  });
  for (const name of ['default', 'bookinfo']) api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'istio.io/dataplane-mode': 'ambient' } } });
  api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'httpbin' } });
}
