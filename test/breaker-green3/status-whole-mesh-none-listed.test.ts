// BG3-1: since the whole cluster's injected pods are listed (f7369ba), `/mesh status` without -n can find Ready
// sidecars while istiod lists no proxy at all (every istiod revision lost its sidecars). The verdict was Degraded, but
// the headline — the line Slack notifications show — read "… though 2 pods with a ready sidecar run in namespace "
// with no namespace: the sentence of `-n` reused for the whole mesh.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { KubeObject } from '../../src/sandbox/kube-api.ts';
import { cluster, namespace, proxyStatus122, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus } from '../breaker-status/support/sidecar.ts';

const HOUR_AGO = new Date(Date.now() - 3_600_000).toISOString();

function injectedPod(name: string, ns: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { 'security.istio.io/tlsMode': 'istio' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'app' }, { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.6' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: HOUR_AGO }],
      containerStatuses: ['app', 'istio-proxy'].map((container) => ({ name: container, ready: true, restartCount: 0, image: container, imageID: '', started: true })),
    },
  };
}

let kube: Cluster;
before(async () => {
  kube = await cluster([
    ...['istio-system', 'shop', 'bookinfo'].map((name) => namespace(name)),
    istiod('istiod-7d4f9c8b6d-k2x9q', '1.24.6'),
    injectedPod('cart-v1-5b9c8d7f6-h7j3n', 'shop'),
    injectedPod('reviews-v2-7f8d9c6b5-t5y6u', 'bookinfo'),
  ]);
});
after(() => kube.close());

// istioctl 1.22-1.26 with istiod running and no proxy connected: the header alone.
const NONE_LISTED = proxyStatus122([]);

it('the whole mesh with no proxy listed and Ready sidecars in two namespaces: degraded, and the headline names no empty namespace', async () => {
  const json = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: NONE_LISTED }], ['status', '-o', 'json']);
  assert.equal(json.json?.verdict, 'degraded', json.stdout + json.stderr);
  assert.deepEqual(json.json?.proxies?.notConnected, ['cart-v1-5b9c8d7f6-h7j3n.shop', 'reviews-v2-7f8d9c6b5-t5y6u.bookinfo']);
  const text = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: NONE_LISTED }], ['status']);
  assert.match(text.stdout, /^Mesh status: default — Degraded/);
  assert.doesNotMatch(text.stdout, /in namespace\s*(—|\(|$)/m, text.stdout);
  assert.match(text.stdout, /no proxy connected to istiod, though 2 pods with a ready sidecar run in the cluster/);
});
