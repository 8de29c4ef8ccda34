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
