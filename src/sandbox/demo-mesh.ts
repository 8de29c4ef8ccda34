/**
 * The Kubernetes side of the sandbox's demo mesh: a bookinfo-like application with a canary of `reviews`, the
 * istiod pods and the root CA that the simulated istioctl's `bookinfo` scenario reports. The objects agree with
 * what istioctl "sees" (pod names, istiod names, the DestinationRule subset without pods, the missing Gateway).
 */
import type { KubeObject } from './kube-api.ts';
import { BOOKINFO_ISTIODS, BOOKINFO_ROOT_CA } from './istioctl/mesh.ts';
import { selfSignedRootPem } from './root-ca.ts';

/** The namespace where the sandbox bot keeps its state (requests, history, leases). */
export const SANDBOX_BOT_NAMESPACE = 'mesh-bot';

const NETWORKING = 'networking.istio.io/v1';

function pod(namespace: string, name: string, labels: Record<string, string>, image: string, options: { restarts?: number; proxyVersion?: string } = {}): KubeObject {
  const proxyImage = `docker.io/istio/proxyv2:${options.proxyVersion ?? '1.28.1'}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: labels['app'] ?? 'app', image }, { name: 'istio-proxy', image: proxyImage }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: labels['app'] ?? 'app', ready: true, restartCount: options.restarts ?? 0, image, imageID: '' },
        { name: 'istio-proxy', ready: true, restartCount: 0, image: proxyImage, imageID: '' },
      ],
    },
  };
}

function service(namespace: string, name: string, portName: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels: { app: name } }, spec: { selector: { app: name }, ports: [{ name: portName, port: 9080, targetPort: 9080 }] } };
}

function istiod(name: string, restarts: number): KubeObject {
  const image = 'docker.io/istio/pilot:1.28.1';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'istio-system', labels: { app: 'istiod', istio: 'pilot', 'app.kubernetes.io/version': '1.28.1', 'istio.io/rev': 'default' } },
    spec: { containers: [{ name: 'discovery', image }] },
    status: { phase: 'Running', containerStatuses: [{ name: 'discovery', ready: true, restartCount: restarts, image, imageID: '' }] },
  };
}

/** Every object of the demo mesh; a fresh root certificate (same serial and dates) on each call. */
export function demoMeshObjects(): KubeObject[] {
  const rootPem = selfSignedRootPem(BOOKINFO_ROOT_CA);
  const namespaces = ['bookinfo', 'shop', 'istio-system', 'default', SANDBOX_BOT_NAMESPACE];
  const [istiodA = '', istiodB = ''] = BOOKINFO_ISTIODS;
  return [
    ...namespaces.map((name): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: name === 'bookinfo' || name === 'shop' ? { 'istio-injection': 'enabled' } : {} } })),
    istiod(istiodA, 0),
    istiod(istiodB, 2),
    ...['istio-system', 'bookinfo', 'shop'].map((namespace): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-ca-root-cert', namespace }, data: { 'root-cert.pem': rootPem } })),

    pod('bookinfo', 'details-v1-65cfcf56f9-4drsk', { app: 'details', version: 'v1' }, 'docker.io/istio/examples-bookinfo-details-v1:1.20.2'),
    pod('bookinfo', 'productpage-v1-d5789fdfb-7pq2k', { app: 'productpage', version: 'v1' }, 'docker.io/istio/examples-bookinfo-productpage-v1:1.20.2'),
    pod('bookinfo', 'ratings-v1-9bd8c8595-hvc5b', { app: 'ratings', version: 'v1' }, 'docker.io/istio/examples-bookinfo-ratings-v1:1.20.2', { restarts: 1 }),
    pod('bookinfo', 'reviews-v1-5fd6d4f8f8-66j45', { app: 'reviews', version: 'v1' }, 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.2'),
    pod('bookinfo', 'reviews-v2-6f9b55c5db-c94m2', { app: 'reviews', version: 'v2' }, 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.2'),
    pod('shop', 'payments-v1-7c9d8b6f5-k2x8p', { app: 'payments', version: 'v1' }, 'ghcr.io/example/payments:4.2.0'),
    pod('shop', 'shipping-v2-84f7d9c6b-w7m4t', { app: 'shipping', version: 'v2' }, 'ghcr.io/example/shipping:2.0.3', { proxyVersion: '1.27.4' }),
    service('bookinfo', 'details', 'http'),
    service('bookinfo', 'productpage', 'http'),
    // `web` breaks Istio's port naming convention: the analyze finding IST0118 of the demo mesh.
    service('bookinfo', 'ratings', 'web'),
    service('bookinfo', 'reviews', 'http'),

    {
      apiVersion: NETWORKING,
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: {
        hosts: ['reviews'],
        http: [
          {
            name: 'reviews-route',
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
              { destination: { host: 'reviews', subset: 'v2' }, weight: 10 },
            ],
          },
        ],
      },
    },
    {
      apiVersion: NETWORKING,
      kind: 'DestinationRule',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      // v3 selects no pod: the analyze finding IST0173 of the demo mesh.
      spec: { host: 'reviews', subsets: ['v1', 'v2', 'v3'].map((version) => ({ name: version, labels: { version } })) },
    },
    {
      apiVersion: NETWORKING,
      kind: 'VirtualService',
      metadata: { name: 'bookinfo', namespace: 'bookinfo' },
      // No such Gateway exists: the analyze finding IST0101 of the demo mesh.
      spec: { hosts: ['*'], gateways: ['bookinfo-gateway'], http: [{ route: [{ destination: { host: 'productpage', port: { number: 9080 } } }] }] },
    },
  ];
}
