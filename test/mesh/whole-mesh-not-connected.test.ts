// `/mesh status` without -n is what people run during an incident. proxy-status lists only the proxies connected to
// an istiod: a sidecar that lost its connection is absent, not stale, and the rest can all be SYNCED. The whole mesh
// used to be judged from that list alone ("Healthy … all in sync" while pods in two namespaces ran unconnected);
// now the cluster's injected pods are listed too, as `-n` and scoped digests already did.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/sandbox/kube-api.ts';
import { cluster, namespace, proxyStatus122, standIn, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus } from '../breaker-status/support/sidecar.ts';
import { ROOT_2056, secretDump } from '../breaker-analyze/support/sidecar.ts';
import { blockText } from '../support/blocks.ts';
import { startBot } from '../support/bot.ts';
import { advanceUntil, FakeClock } from '../support/fake-clock.ts';
import { ISTIOD as DIGEST_ISTIOD, putIstiod, putRootCert } from './digest/harness.ts';

const ISTIOD = 'istiod-7d4f9c8b6d-k2x9q';
const HOUR_AGO = new Date(Date.now() - 3_600_000).toISOString();

/** A pod as the sidecar injector leaves it (tlsMode label, istio-proxy container), Ready for an hour unless said. */
function injectedPod(name: string, namespace: string, options: { ready?: boolean } = {}): KubeObject {
  const ready = options.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { 'security.istio.io/tlsMode': 'istio' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'app' }, { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.6' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: HOUR_AGO }],
      containerStatuses: ['app', 'istio-proxy'].map((container) => ({ name: container, ready, restartCount: 0, image: container, imageID: '', started: true })),
    },
  };
}

const SYNCED = ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT'] as const;
const row = (name: string) => ({ name, states: SYNCED, istiod: ISTIOD, version: '1.24.6' });
const LISTED = proxyStatus122([row('cart-v1-5b9c8d7f6-h7j3n.shop'), row('productpage-v1-7d9f8c6b5-x2k4m.bookinfo')]);

let kube: Cluster;
before(async () => {
  kube = await cluster([
    ...['istio-system', 'shop', 'bookinfo', 'mesh-bot'].map((name) => namespace(name)),
    istiod(ISTIOD, '1.24.6'),
    injectedPod('cart-v1-5b9c8d7f6-h7j3n', 'shop'),
    injectedPod('checkout-v1-6c8d9e7f5-m4n8p', 'shop'),
    injectedPod('productpage-v1-7d9f8c6b5-x2k4m', 'bookinfo'),
    injectedPod('reviews-v2-7f8d9c6b5-t5y6u', 'bookinfo'),
    // Not Ready: it may never have connected, so its absence says nothing.
    injectedPod('ratings-v1-8c7d6b5f4-w3e4r', 'bookinfo', { ready: false }),
  ]);
});
after(() => kube.close());

describe('status of the whole mesh while ready sidecars in two namespaces are missing from proxy-status', () => {
  it('JSON: degraded, never healthy, naming both pods', async () => {
    const run = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: LISTED }], ['status', '-o', 'json']);
    assert.equal(run.json?.verdict, 'degraded', run.stdout + run.stderr);
    assert.deepEqual(run.json?.proxies?.notConnected, ['checkout-v1-6c8d9e7f5-m4n8p.shop', 'reviews-v2-7f8d9c6b5-t5y6u.bookinfo'].sort());
    assert.deepEqual(run.json?.errors, []);
    assert.equal(run.code, 0);
  });

  it('text: the headline says degraded and the list names them', async () => {
    const run = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: LISTED }], ['status']);
    assert.match(run.stdout, /^Mesh status: default — Degraded/);
    assert.match(run.stdout, /2 sidecars not connected to istiod/);
    assert.match(run.stdout, /\n {2}checkout-v1-6c8d9e7f5-m4n8p\.shop\n/);
    assert.match(run.stdout, /\n {2}reviews-v2-7f8d9c6b5-t5y6u\.bookinfo\n/);
  });

  it('Slack: the notification line and the card say so', async () => {
    const istioctl = await standIn('1.24.6', [{ when: ['proxy-status'], stdout: LISTED }]);
    const bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
    try {
      await bot.slash('status');
      const answer = await bot.answer('C0OPS');
      assert.match(answer.text, /^default: degraded — 2 proxies, all in sync — 2 sidecars not connected to istiod/);
      assert.match(blockText(answer.blocks), /reviews-v2-7f8d9c6b5-t5y6u\.bookinfo/);
    } finally {
      await bot.close();
    }
  });

  it('stays healthy once every ready sidecar is listed', async () => {
    const all = proxyStatus122(['cart-v1-5b9c8d7f6-h7j3n.shop', 'checkout-v1-6c8d9e7f5-m4n8p.shop', 'productpage-v1-7d9f8c6b5-x2k4m.bookinfo', 'reviews-v2-7f8d9c6b5-t5y6u.bookinfo'].map(row));
    const run = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: all }], ['status', '-o', 'json']);
    assert.equal(run.json?.verdict, 'healthy', run.stdout + run.stderr);
    assert.deepEqual(run.json?.proxies?.notConnected, []);
  });
});

describe('status of the whole mesh while the ingress gateway and a waypoint have lost istiod', () => {
  /** Gateways and waypoints run istio-proxy without the sidecar's tlsMode label; found by the labels Istio gives them. */
  function gatewayPod(name: string, namespace: string, labels: Record<string, string>): KubeObject {
    const pod = injectedPod(name, namespace) as { metadata: { labels: Record<string, string> }; spec: unknown; status: unknown };
    return { ...pod, apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { nodeName: 'node-1', containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.6' }] } } as KubeObject;
  }

  it('names both: an ingress that lost istiod is no healthy mesh', async () => {
    const gatewayKube = await cluster([
      ...['istio-system', 'shop', 'mesh-bot'].map((name) => namespace(name)),
      istiod(ISTIOD, '1.24.6'),
      injectedPod('cart-v1-5b9c8d7f6-h7j3n', 'shop'),
      gatewayPod('istio-ingressgateway-6b7c8d9f5-abcde', 'istio-system', { app: 'istio-ingressgateway', istio: 'ingressgateway' }),
      gatewayPod('waypoint-5f6d7c8b9-fghij', 'shop', { 'gateway.istio.io/managed': 'istio.io-mesh-controller', 'gateway.networking.k8s.io/gateway-name': 'waypoint' }),
    ]);
    try {
      const run = await runStatus(gatewayKube, '1.24.6', [{ when: ['proxy-status'], stdout: proxyStatus122([row('cart-v1-5b9c8d7f6-h7j3n.shop')]) }], ['status', '-o', 'json']);
      assert.equal(run.json?.verdict, 'degraded', run.stdout + run.stderr);
      assert.deepEqual(run.json?.proxies?.notConnected, ['istio-ingressgateway-6b7c8d9f5-abcde.istio-system', 'waypoint-5f6d7c8b9-fghij.shop']);
    } finally {
      await gatewayKube.close();
    }
  });
});

describe('the whole-mesh digest while ready sidecars are missing from proxy-status', () => {
  it('needs attention and names them (it said Healthy: only scoped digests listed the pods)', async () => {
    // Now, so the certificates (dated from now) and the root CA are healthy at the digest.
    const clock = new FakeClock(new Date().toISOString());
    const digestKube = await cluster([namespace('istio-system'), namespace('shop'), injectedPod('cart-v1-5b9c8d7f6-h7j3n', 'shop'), injectedPod('checkout-v1-6c8d9e7f5-m4n8p', 'shop')]);
    putIstiod(digestKube.api, { restarts: 0, version: '1.24.6' });
    putRootCert(digestKube.api, 'istio-system', ROOT_2056);
    const listed = proxyStatus122([{ name: 'cart-v1-5b9c8d7f6-h7j3n.shop', states: SYNCED, istiod: DIGEST_ISTIOD, version: '1.24.6' }]);
    const istioctl = await standIn('1.24.6', [
      { when: ['proxy-status'], stdout: listed },
      { when: ['analyze'], stdout: '[]\n' },
      { when: ['proxy-config', 'secret'], stdout: secretDump({ ageHours: 2, rootNotAfterHours: 24 * 3650 }) },
    ]);
    const configYaml = 'digests:\n  - channel: C0DIGEST\n    schedule: "* * * * *"\n    timezone: UTC\n';
    const bot = await startBot({ kubeConfig: () => digestKube.api.kubeConfig(), configYaml, env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path }, clock });
    try {
      const posted = await advanceUntil([clock], () => bot.slack.messages('C0DIGEST').find((message) => message.via === 'api'), { limitMs: 120_000 });
      assert.match(posted.text, /needs attention: 1 sidecar not connected to istiod$/);
      assert.match(blockText(posted.blocks), /checkout-v1-6c8d9e7f5-m4n8p\.shop/);
    } finally {
      await bot.close();
      await digestKube.close();
    }
  });
});
