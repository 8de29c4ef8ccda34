/**
 * The ambient part of the sandbox's demo mesh: a `travel` namespace labelled istio.io/dataplane-mode=ambient, the
 * ztunnel and istio-cni DaemonSets with a ztunnel on each of the demo's three nodes, a waypoint (Gateway of class
 * istio-waypoint, programmed) that the `hotels` Service uses, an HTTPRoute splitting `hotels` 90/10 between the
 * `hotels-v1` and `hotels-v2` Services, and one pod that ztunnel does not capture (ambient redirection disabled by
 * annotation, as Istio's CNI honours it). The simulated istioctl answers proxy-status, ztunnel-config and waypoint
 * from these same objects (src/sandbox/istioctl/demo-ambient.ts); its proxy-status row for the waypoint's pod (the
 * pod below, labelled with the Gateway's name as istiod's waypoint template labels it) is what a promotion of the
 * `hotels` canary proves SYNCED after its parent accepted the change (src/mesh/canary/waypoint-proof.ts).
 */
import type { KubeObject } from './kube-api.ts';
import { DEMO_WAYPOINT_POD, DEMO_ZTUNNELS } from './istioctl/mesh.ts';

export const AMBIENT_NAMESPACE = 'travel';
export const WAYPOINT_NAME = 'travel-waypoint';
/** The pod Istio's CNI leaves alone: `ambient.istio.io/redirection: disabled`. */
export const NOT_CAPTURED_POD = 'batch-importer-5f6b7c8d9-h4j7k';
const GATEWAY_API = 'gateway.networking.k8s.io/v1';
const ISTIO_IMAGE_TAG = '1.28.1';

/** The demo cluster's nodes, one per pod network /24 (10.244.N.0/24 is node N, as kind assigns pod CIDRs). */
export const DEMO_NODES = ['sandbox-control-plane', 'sandbox-worker', 'sandbox-worker2'] as const;

/** The node of a pod IP on the demo's pod network. */
export function nodeOfPodIp(ip: string): string {
  return DEMO_NODES[Number(ip.split('.')[2])] ?? DEMO_NODES[0];
}

interface AmbientPodOptions {
  readonly ip: string;
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly serviceAccount: string;
  readonly image: string;
  readonly container?: string;
}

function runningPod(namespace: string, name: string, options: AmbientPodOptions): KubeObject {
  const container = options.container ?? options.labels['app'] ?? 'app';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: options.labels, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: { serviceAccountName: options.serviceAccount, nodeName: nodeOfPodIp(options.ip), containers: [{ name: container, image: options.image }] },
    status: { phase: 'Running', podIP: options.ip, containerStatuses: [{ name: container, ready: true, restartCount: 0, image: options.image, imageID: '' }] },
  };
}

function travelApp(name: string, app: string, version: string, ip: string, annotations?: Record<string, string>): KubeObject {
  return runningPod(AMBIENT_NAMESPACE, name, { ip, labels: { app, version }, serviceAccount: app, image: `ghcr.io/example/${app}:${version === 'v2' ? '2.1.0' : '2.0.4'}`, ...(annotations ? { annotations } : {}) });
}

function travelService(name: string, clusterIP: string, selector: Record<string, string>, labels: Record<string, string> = {}, port = 9080): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: AMBIENT_NAMESPACE, labels: { app: selector['app'] ?? name, ...labels } }, spec: { clusterIP, selector, ports: [{ name: 'http', port, targetPort: port }] } };
}

/** A node agent DaemonSet scheduled and ready on every demo node. */
function daemonSet(name: string, labels: Record<string, string>): KubeObject {
  const nodes = DEMO_NODES.length;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'istio-system', labels },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: name === 'ztunnel' ? 'istio-proxy' : 'install-cni', image: `docker.io/istio/${name === 'ztunnel' ? 'ztunnel' : 'install-cni'}:${ISTIO_IMAGE_TAG}` }] } } },
    status: { desiredNumberScheduled: nodes, currentNumberScheduled: nodes, numberReady: nodes, numberAvailable: nodes, updatedNumberScheduled: nodes, numberMisscheduled: 0 },
  };
}

const condition = (type: string, reason: string) => ({ type, status: 'True', reason, message: '', observedGeneration: 1, lastTransitionTime: '2026-01-05T08:15:00Z' });

export function demoAmbientObjects(): KubeObject[] {
  const hotelsParent = { group: '', kind: 'Service', name: 'hotels', port: 9080 };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AMBIENT_NAMESPACE, labels: { 'istio.io/dataplane-mode': 'ambient' } } },
    daemonSet('ztunnel', { app: 'ztunnel' }),
    daemonSet('istio-cni-node', { 'k8s-app': 'istio-cni-node' }),
    ...DEMO_ZTUNNELS.map((ztunnel) =>
      runningPod('istio-system', ztunnel.pod, { ip: ztunnel.ip, labels: { app: 'ztunnel' }, serviceAccount: 'ztunnel', image: `docker.io/istio/ztunnel:${ISTIO_IMAGE_TAG}`, container: 'istio-proxy' }),
    ),

    travelApp('flights-v1-7b8c9d6f5-m2q4t', 'flights', 'v1', '10.244.1.51'),
    travelApp('hotels-v1-5d7f8b9c6-x8k2p', 'hotels', 'v1', '10.244.2.51'),
    travelApp('hotels-v2-6c8d9f7b4-t5w9z', 'hotels', 'v2', '10.244.1.52'),
    travelApp('trips-v1-84c6d7f9b-q3n8v', 'trips', 'v1', '10.244.0.51'),
    travelApp(NOT_CAPTURED_POD, 'batch-importer', 'v1', '10.244.2.52', { 'ambient.istio.io/redirection': 'disabled' }),
    // The waypoint's Deployment as istiod creates it: managed by the mesh controller, itself out of ambient capture.
    runningPod(AMBIENT_NAMESPACE, DEMO_WAYPOINT_POD, {
      ip: '10.244.2.53',
      labels: { 'gateway.istio.io/managed': 'istio.io-mesh-controller', 'gateway.networking.k8s.io/gateway-name': WAYPOINT_NAME, 'istio.io/dataplane-mode': 'none' },
      serviceAccount: `${WAYPOINT_NAME}`,
      image: `docker.io/istio/proxyv2:${ISTIO_IMAGE_TAG}`,
      container: 'istio-proxy',
    }),

    travelService('flights', '10.96.130.11', { app: 'flights' }),
    travelService('hotels', '10.96.130.12', { app: 'hotels' }, { 'istio.io/use-waypoint': WAYPOINT_NAME }),
    travelService('hotels-v1', '10.96.130.13', { app: 'hotels', version: 'v1' }),
    travelService('hotels-v2', '10.96.130.14', { app: 'hotels', version: 'v2' }),
    travelService('trips', '10.96.130.15', { app: 'trips' }),
    travelService(WAYPOINT_NAME, '10.96.130.10', { 'gateway.networking.k8s.io/gateway-name': WAYPOINT_NAME }, {}, 15008),

    {
      apiVersion: GATEWAY_API,
      kind: 'Gateway',
      metadata: { name: WAYPOINT_NAME, namespace: AMBIENT_NAMESPACE, labels: { 'istio.io/waypoint-for': 'service' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
      status: { conditions: [condition('Accepted', 'Accepted'), condition('Programmed', 'Programmed')], addresses: [{ type: 'IPAddress', value: '10.96.130.10' }] },
    },
    {
      apiVersion: GATEWAY_API,
      kind: 'HTTPRoute',
      metadata: { name: 'hotels', namespace: AMBIENT_NAMESPACE },
      spec: {
        parentRefs: [hotelsParent],
        rules: [{ backendRefs: [{ name: 'hotels-v1', port: 9080, weight: 90 }, { name: 'hotels-v2', port: 9080, weight: 10 }] }],
      },
      status: { parents: [{ parentRef: hotelsParent, controllerName: 'istio.io/gateway-controller', conditions: [condition('Accepted', 'Accepted'), condition('ResolvedRefs', 'ResolvedRefs')] }] },
    },
  ];
}
