// A Kubernetes API holding an ambient mesh: the nodes, ztunnels and pods of the corpus ztunnel-config goldens
// (ambient-control-plane, ambient-worker, ambient-worker2), the ztunnel and istio-cni DaemonSets, a labelled waypoint
// pod and ingress gateway pod, and the namespaces `default` and `bookinfo` enrolled in ambient mode.

import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { AMBIENT_GATEWAY_POD, AMBIENT_WAYPOINT_POD, AMBIENT_ZTUNNELS } from '../../src/sandbox/istioctl/ambient-mesh.ts';

export interface AmbientApiOptions {
  /** ztunnel DaemonSet `status.numberReady` (desired is 3, one per node); default 3. */
  readonly ztunnelsReady?: number;
  /** istio-cni-node `status.numberReady`; default 3. */
  readonly cniReady?: number;
}

const running = (container: string, ready = true) => ({ phase: 'Running', containerStatuses: [{ name: container, ready, restartCount: 0, image: container, imageID: '', started: true }] });

function pod(name: string, namespace: string, node: string, labels: Record<string, string>, container = 'app', ready = true): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { nodeName: node, containers: [{ name: container, image: container }] }, status: running(container, ready) };
}

function daemonSet(name: string, labels: Record<string, string>, ready: number): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'istio-system', labels },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: name }] } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: ready, numberMisscheduled: 0 },
  };
}

export function ambientObjects(options: AmbientApiOptions = {}): Record<string, unknown>[] {
  const ztunnelsReady = options.ztunnelsReady ?? 3;
  const ambient = { 'istio.io/dataplane-mode': 'ambient' };
  return [
    ...[['default', ambient], ['bookinfo', ambient], ['legacy', { 'istio-injection': 'enabled' }], ['istio-system', {}], ['kube-system', {}], ['mesh-bot', {}]].map(([name, labels]) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } })),
    pod('istiod-8c7b98fc4-mwjfp', 'istio-system', 'ambient-worker2', { app: 'istiod', istio: 'pilot', 'app.kubernetes.io/version': '1.24.6' }, 'discovery'),
    // The last ztunnels are the ones not ready when the DaemonSet says fewer are ready than desired.
    ...AMBIENT_ZTUNNELS.map((ztunnel, index) => pod(ztunnel.pod, 'istio-system', ztunnel.node, { app: 'ztunnel' }, 'istio-proxy', index < ztunnelsReady)),
    daemonSet('ztunnel', { app: 'ztunnel' }, ztunnelsReady),
    daemonSet('istio-cni-node', { 'k8s-app': 'istio-cni-node' }, options.cniReady ?? 3),
    pod(AMBIENT_WAYPOINT_POD, 'bookinfo', 'ambient-worker2', { 'gateway.istio.io/managed': 'istio.io-mesh-controller', 'gateway.networking.k8s.io/gateway-name': 'namespace-istio-waypoint' }, 'istio-proxy'),
    pod(AMBIENT_GATEWAY_POD, 'istio-system', 'ambient-worker', { istio: 'ingressgateway', app: 'istio-ingressgateway' }, 'istio-proxy'),
    pod('httpbin-7447985f87-t8hv7', 'default', 'ambient-worker', { app: 'httpbin' }),
    pod('productpage-v1-675fc69cf-jscn2', 'bookinfo', 'ambient-worker2', { app: 'productpage' }),
  ];
}

export function startAmbientApi(options: AmbientApiOptions = {}): Promise<FakeKubeApi> {
  return startFakeKubeApi({ objects: ambientObjects(options) });
}

/** Every istioctl version of the corpus (release tags of the goldens). */
export const CORPUS_VERSIONS = ['1.20.8', '1.21.6', '1.22.8', '1.23.6', '1.24.6', '1.25.5', '1.26.8', '1.27.9', '1.28.10', '1.29.6', '1.30.3'] as const;
