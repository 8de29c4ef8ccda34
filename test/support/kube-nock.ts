import { KubeConfig } from '@kubernetes/client-node';
import nock from 'nock';

export const NOCK_KUBE_URL = 'https://kube.test:6443';

export function nockKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server: NOCK_KUBE_URL, skipTLSVerify: true }],
    users: [{ name: 'test', token: 'test-service-account-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test', namespace: 'mesh-bot' }],
    currentContext: 'test',
  });
  return config;
}

/** Two clusters, as a multi-cluster kubeconfig has them: contexts gke-eu and gke-us on different API servers. */
export const NOCK_KUBE_URL_US = 'https://kube-us.test:6443';

export function nockTwoClustersKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [
      { name: 'eu', server: NOCK_KUBE_URL, skipTLSVerify: true },
      { name: 'us', server: NOCK_KUBE_URL_US, skipTLSVerify: true },
    ],
    users: [{ name: 'sre', token: 'test-token' }],
    contexts: [
      { name: 'gke-eu', cluster: 'eu', user: 'sre' },
      { name: 'gke-us', cluster: 'us', user: 'sre' },
    ],
    currentContext: 'gke-eu',
  });
  return config;
}

export interface IstiodPodSpec {
  readonly name: string;
  readonly ready?: boolean;
  readonly version?: string;
  readonly restarts?: number;
}

/** A PodList as the API server returns it for `app=istiod` in istio-system. */
export function istiodPodList(pods: readonly IstiodPodSpec[]): Record<string, unknown> {
  return {
    kind: 'PodList',
    apiVersion: 'v1',
    metadata: { resourceVersion: '12345' },
    items: pods.map((pod) => ({
      metadata: {
        name: pod.name,
        namespace: 'istio-system',
        labels: { app: 'istiod', istio: 'pilot', 'istio.io/rev': 'default', ...(pod.version ? { 'app.kubernetes.io/version': pod.version } : {}) },
      },
      spec: { containers: [{ name: 'discovery', image: `docker.io/istio/pilot:${pod.version ?? 'latest'}` }] },
      status: {
        phase: pod.ready === false ? 'Pending' : 'Running',
        containerStatuses: [{ name: 'discovery', ready: pod.ready !== false, restartCount: pod.restarts ?? 0, image: 'pilot', imageID: '', started: true }],
      },
    })),
  };
}

/** Serves the istiod pod listing (`app=istiod`) and /version for as long as the test runs. */
export function nockIstiods(pods: readonly IstiodPodSpec[], namespace = 'istio-system', server = NOCK_KUBE_URL): nock.Scope {
  return nock(server)
    .persist()
    .get(`/api/v1/namespaces/${namespace}/pods`)
    .query((query) => query['labelSelector'] === 'app=istiod')
    .reply(200, istiodPodList(pods))
    // A mesh without ambient: no ztunnel or istio-cni DaemonSet, no gateway or waypoint pods.
    .get('/apis/apps/v1/daemonsets')
    .reply(200, { kind: 'DaemonSetList', apiVersion: 'apps/v1', metadata: {}, items: [] })
    .get('/api/v1/pods')
    .query(true)
    .reply(200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] })
    // `status -n NS` lists that namespace's injected pods: none here, so proxy-status alone decides.
    .get(/^\/api\/v1\/namespaces\/[^/]+\/pods$/)
    .query((query) => query['labelSelector'] === 'security.istio.io/tlsMode')
    .reply(200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] })
    .get('/version')
    .reply(200, { major: '1', minor: '31', gitVersion: 'v1.31.2' });
}

export const FORBIDDEN_PODS_STATUS = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'pods is forbidden: User "system:serviceaccount:mesh-bot:mesh-bot" cannot list resource "pods" in API group "" in the namespace "istio-system"',
  reason: 'Forbidden',
  details: { kind: 'pods' },
  code: 403,
};
