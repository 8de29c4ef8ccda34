/**
 * The Kubernetes side of the sandbox's demo mesh: a bookinfo-like application with a canary of `reviews`, the
 * istiod pods, the ingress gateway and the root CA. The simulated istioctl's `bookinfo` scenario builds every
 * proxy's Envoy configuration from these same objects (src/sandbox/istioctl/demo-envoy.ts), so pod names, IPs,
 * versions, routes, subsets and certificates agree everywhere the demo shows them. Its ambient namespace, ztunnels
 * and waypoint are in demo-ambient.ts.
 */
import type { KubeObject } from './kube-api.ts';
import { BOOKINFO_ISTIODS } from './istioctl/mesh.ts';
import { selfSignedRootPem, type RootCaFacts } from './root-ca.ts';
import { AMBIENT_NAMESPACE, demoAmbientObjects, nodeOfPodIp } from './demo-ambient.ts';
import { CANARY_ANNOTATION, STABLE_ANNOTATION } from '../mesh/canary/virtual-service.ts';

/** The namespace where the sandbox bot keeps its state (requests, history, leases). */
export const SANDBOX_BOT_NAMESPACE = 'mesh-bot';

const NETWORKING = 'networking.istio.io/v1';
const DAY_MS = 24 * 60 * 60 * 1000;
/** Istio's self-signed root lives 10 years (istiod's CITADEL_SELF_SIGNED_CA_CERT_TTL default, 3650 days). */
const ROOT_LIFETIME_DAYS = 3650;
/** How long before the sandbox started the demo mesh was installed: long enough for a root that is old news. */
const ROOT_AGE_DAYS = 400;

/**
 * The demo mesh's root CA, dated relative to when the sandbox started (`meshStart`), at a fixed time of day so
 * that every process asking on the same day gets the same dates. The serial never changes.
 */
export function demoRootCa(meshStart: Date): RootCaFacts {
  const notBefore = Math.floor(meshStart.getTime() / DAY_MS) * DAY_MS - ROOT_AGE_DAYS * DAY_MS + (8 * 3600 + 15 * 60) * 1000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { serial: '5f3c9a2e7b1d4c68a0e2f4b6d8193a57', notBefore: iso(notBefore), notAfter: iso(notBefore + ROOT_LIFETIME_DAYS * DAY_MS) };
}

interface PodOptions {
  restarts?: number;
  proxyVersion?: string;
  /** The pod's IP on the demo cluster's pod network. */
  ip: string;
  annotations?: Record<string, string>;
}

function pod(namespace: string, name: string, labels: Record<string, string>, image: string, options: PodOptions): KubeObject {
  const proxyImage = `docker.io/istio/proxyv2:${options.proxyVersion ?? '1.28.1'}`;
  const app = labels['app'] ?? 'app';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: { serviceAccountName: namespace === 'bookinfo' ? `bookinfo-${app}` : app, nodeName: nodeOfPodIp(options.ip), containers: [{ name: app, image }, { name: 'istio-proxy', image: proxyImage }] },
    status: {
      phase: 'Running',
      podIP: options.ip,
      containerStatuses: [
        { name: labels['app'] ?? 'app', ready: true, restartCount: options.restarts ?? 0, image, imageID: '' },
        { name: 'istio-proxy', ready: true, restartCount: 0, image: proxyImage, imageID: '' },
      ],
    },
  };
}

function service(namespace: string, name: string, portName: string, clusterIP: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels: { app: name } }, spec: { clusterIP, selector: { app: name }, ports: [{ name: portName, port: 9080, targetPort: 9080 }] } };
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

/** The ingress gateway: a pod that is only an Envoy (router), as `istioctl install`'s default profile runs it. */
function ingressGateway(name: string, ip: string): KubeObject {
  const image = 'docker.io/istio/proxyv2:1.28.1';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'istio-system', labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } },
    spec: { serviceAccountName: 'istio-ingressgateway-service-account', nodeName: nodeOfPodIp(ip), containers: [{ name: 'istio-proxy', image }] },
    status: { phase: 'Running', podIP: ip, containerStatuses: [{ name: 'istio-proxy', ready: true, restartCount: 0, image, imageID: '' }] },
  };
}

/** Every object of the demo mesh, its root CA dated relative to `meshStart` (a fresh signature on each call). */
export function demoMeshObjects(meshStart: Date): KubeObject[] {
  const rootPem = selfSignedRootPem(demoRootCa(meshStart));
  const namespaces = ['bookinfo', 'shop', 'istio-system', 'default', SANDBOX_BOT_NAMESPACE];
  const [istiodA = '', istiodB = ''] = BOOKINFO_ISTIODS;
  return [
    ...namespaces.map((name): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: name === 'bookinfo' || name === 'shop' ? { 'istio-injection': 'enabled' } : {} } })),
    istiod(istiodA, 0),
    istiod(istiodB, 2),
    ...['istio-system', 'bookinfo', 'shop', AMBIENT_NAMESPACE].map((namespace): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-ca-root-cert', namespace }, data: { 'root-cert.pem': rootPem } })),

    ingressGateway('istio-ingressgateway-5c8f6b7d9b-x2kqn', '10.244.0.12'),

    // `proxyCPUs` is a misspelt `sidecar.istio.io/proxyCPU`: the analyze finding IST0108 of the demo mesh.
    pod('bookinfo', 'details-v1-65cfcf56f9-4drsk', { app: 'details', version: 'v1' }, 'docker.io/istio/examples-bookinfo-details-v1:1.20.2', { ip: '10.244.1.21', annotations: { 'sidecar.istio.io/proxyCPUs': '500m' } }),
    pod('bookinfo', 'productpage-v1-d5789fdfb-7pq2k', { app: 'productpage', version: 'v1' }, 'docker.io/istio/examples-bookinfo-productpage-v1:1.20.2', { ip: '10.244.1.22' }),
    pod('bookinfo', 'ratings-v1-9bd8c8595-hvc5b', { app: 'ratings', version: 'v1' }, 'docker.io/istio/examples-bookinfo-ratings-v1:1.20.2', { restarts: 1, ip: '10.244.2.31' }),
    pod('bookinfo', 'reviews-v1-5fd6d4f8f8-66j45', { app: 'reviews', version: 'v1' }, 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.2', { ip: '10.244.2.32' }),
    pod('bookinfo', 'reviews-v2-6f9b55c5db-c94m2', { app: 'reviews', version: 'v2' }, 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.2', { ip: '10.244.1.23' }),
    pod('shop', 'payments-v1-7c9d8b6f5-k2x8p', { app: 'payments', version: 'v1' }, 'ghcr.io/example/payments:4.2.0', { ip: '10.244.2.41' }),
    pod('shop', 'shipping-v2-84f7d9c6b-w7m4t', { app: 'shipping', version: 'v2' }, 'ghcr.io/example/shipping:2.0.3', { proxyVersion: '1.27.4', ip: '10.244.1.42' }),
    service('bookinfo', 'details', 'http', '10.96.120.11'),
    service('bookinfo', 'productpage', 'http', '10.96.120.12'),
    // `web` breaks Istio's port naming convention: the analyze finding IST0118 of the demo mesh.
    service('bookinfo', 'ratings', 'web', '10.96.120.13'),
    service('bookinfo', 'reviews', 'http', '10.96.120.14'),

    {
      apiVersion: NETWORKING,
      kind: 'VirtualService',
      // The stable/canary record mesh-bot writes with every weight change, as if it had made the last one: the
      // suggested `/mesh canary rollback reviews -n bookinfo` works right away, without a promotion or `--to`.
      metadata: { name: 'reviews', namespace: 'bookinfo', annotations: { [STABLE_ANNOTATION]: 'v1', [CANARY_ANNOTATION]: 'v2' } },
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
    ...demoAmbientObjects(),
  ];
}
