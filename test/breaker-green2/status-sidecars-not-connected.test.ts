// BG2-2: proxy-status lists only the proxies connected to an istiod at that moment. A sidecar that lost its connection
// (istiod refusing its certificate, a NetworkPolicy, its istiod gone) is simply absent from the list, and the
// proxies that remain can all be SYNCED. `status -n shop` with two of three injected, Ready pods missing from
// istioctl's list said "Healthy … all in sync"; with none of them listed it said "no proxies in namespace shop"
// while three pods ran a sidecar there. Pods the injector labelled `security.istio.io/tlsMode=istio` with an
// `istio-proxy` container, Ready before istioctl ran, are sidecars istiod had configured.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/sandbox/kube-api.ts';
import { startBot } from '../support/bot.ts';
import { blockText } from '../support/blocks.ts';
import { cluster, namespace, proxyStatus122, standIn, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from '../breaker-status/support/sidecar.ts';

const ISTIOD = 'istiod-7d4f9c8b6d-k2x9q';
const HOUR_AGO = new Date(Date.now() - 3_600_000).toISOString();

/** A pod as the sidecar injector leaves it: the tlsMode label, its app and istio-proxy containers, Ready since `readySince`. */
function injectedPod(name: string, options: { readySince?: string; ready?: boolean; deleting?: boolean } = {}): KubeObject {
  const ready = options.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: name.split('-')[0] ?? name, 'security.istio.io/tlsMode': 'istio' }, ...(options.deleting ? { deletionTimestamp: HOUR_AGO } : {}) },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'app' }, { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.6' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: options.readySince ?? HOUR_AGO }],
      containerStatuses: ['app', 'istio-proxy'].map((container) => ({ name: container, ready, restartCount: 0, image: container, imageID: '', started: true })),
    },
  };
}

const SYNCED = ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT'] as const;
const row = (name: string) => ({ name, states: SYNCED, istiod: ISTIOD, version: '1.24.6' });
/** The rest of the mesh is healthy: a default proxy and one shop proxy, both SYNCED. */
const ONE_SHOP_PROXY = proxyStatus122([row('productpage-v1-7d9f8c6b5-x2k4m.default'), row('cart-v1-5b9c8d7f6-h7j3n.shop')]);
const NO_SHOP_PROXY = proxyStatus122([row('productpage-v1-7d9f8c6b5-x2k4m.default')]);

interface Json {
  verdict: string;
  proxies: { total: number; healthy: number; notConnected: string[] | null } | null;
}

let kube: Cluster;
before(async () => {
  kube = await cluster([
    ...sidecarNamespaces(),
    namespace('mesh-bot'),
    istiod(ISTIOD, '1.24.6'),
    injectedPod('cart-v1-5b9c8d7f6-h7j3n'),
    injectedPod('checkout-v1-6c8d9e7f5-m4n8p'),
    injectedPod('payment-v1-6b9c8d7f5-q8w2e'),
    // Not counted: not Ready, and Ready only after istioctl read its list (it may have connected since).
    injectedPod('orders-v1-7f8d9c6b5-t5y6u', { ready: false }),
    injectedPod('stock-v1-8c7d6b5f4-w3e4r', { readySince: new Date(Date.now() + 600_000).toISOString() }),
    // Not counted either: being deleted, its proxy has left istiod on purpose.
    injectedPod('legacy-v1-9d8c7b6f5-z1x2c', { deleting: true }),
  ]);
});
after(() => kube.close());

describe('status -n shop while two of its three ready sidecars are missing from proxy-status', () => {
  it('JSON: degraded, never healthy, naming the two pods', async () => {
    const run = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: ONE_SHOP_PROXY }], ['status', '-n', 'shop', '-o', 'json']);
    const json = JSON.parse(run.stdout) as Json;
    assert.equal(json.verdict, 'degraded');
    assert.equal(json.proxies?.total, 1);
    assert.deepEqual(json.proxies?.notConnected, ['checkout-v1-6c8d9e7f5-m4n8p.shop', 'payment-v1-6b9c8d7f5-q8w2e.shop']);
    assert.equal(run.code, 0);
  });

  it('text: the headline and the list say two sidecars are not connected to istiod', async () => {
    const run = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: ONE_SHOP_PROXY }], ['status', '-n', 'shop']);
    assert.match(run.stdout, /^Mesh status: default\/shop — Degraded/);
    assert.doesNotMatch(run.stdout, /Healthy/);
    assert.match(run.stdout, /2 sidecars not connected to istiod/);
    assert.match(run.stdout, /\n {2}checkout-v1-6c8d9e7f5-m4n8p\.shop\n {2}payment-v1-6b9c8d7f5-q8w2e\.shop\n/);
  });
});

describe('/mesh status -n shop in Slack while two of its ready sidecars are missing', () => {
  it('the notification line and the card say degraded and name them', async () => {
    const istioctl = await standIn('1.24.6', [{ when: ['proxy-status'], stdout: ONE_SHOP_PROXY }]);
    const bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
    try {
      await bot.slash('status -n shop');
      const answer = await bot.answer('C0OPS');
      assert.match(answer.text, /^default\/shop: degraded — 1 proxy, all in sync — 2 sidecars not connected to istiod — istiod 1\/1 ready/);
      const card = blockText(answer.blocks);
      assert.match(card, /2 sidecars not connected to istiod \(Ready before the proxy list was read/);
      assert.match(card, /checkout-v1-6c8d9e7f5-m4n8p\.shop/);
      assert.doesNotMatch(card, /Healthy/);
    } finally {
      await bot.close();
    }
  });
});

describe('status -n shop while none of its ready sidecars is in proxy-status', () => {
  it('is degraded with three sidecars not connected, not "no proxies in namespace shop"', async () => {
    const json = JSON.parse((await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: NO_SHOP_PROXY }], ['status', '-n', 'shop', '-o', 'json'])).stdout) as Json;
    assert.equal(json.verdict, 'degraded');
    assert.equal(json.proxies?.notConnected?.length, 3);
    const text = (await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: NO_SHOP_PROXY }], ['status', '-n', 'shop'])).stdout;
    assert.doesNotMatch(text, /no proxies in namespace shop/);
    assert.match(text, /no proxy connected to istiod, though 3 pods with a ready sidecar run in namespace shop/);
  });
});

describe('status -n shop with every ready sidecar listed', () => {
  it('stays healthy: a pod not Ready, or Ready only after istioctl read its list, is no missing sidecar', async () => {
    const all = proxyStatus122(['cart-v1-5b9c8d7f6-h7j3n', 'checkout-v1-6c8d9e7f5-m4n8p', 'payment-v1-6b9c8d7f5-q8w2e'].map((pod) => row(`${pod}.shop`)));
    const json = JSON.parse((await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: all }], ['status', '-n', 'shop', '-o', 'json'])).stdout) as Json;
    assert.equal(json.verdict, 'healthy');
    assert.deepEqual(json.proxies?.notConnected, []);
  });
});

// Through an external control plane's address istioctl asks the one istiod replica its connection reaches, which
// lists only its own proxies: a sidecar connected to another replica is missing from that list and is no problem.
describe('status -n shop through an external control plane (clusters[].xdsAddress)', () => {
  const external = 'clusters:\n  - name: remote\n    context: fake\n    default: true\n    xdsAddress: istiod.mesh.example.com:15012\n';

  it('does not call the sidecars missing from that list disconnected', async () => {
    const run = await runStatus(kube, '1.24.6', [{ when: ['proxy-status', '--xds-address'], stdout: ONE_SHOP_PROXY }], ['status', '-n', 'shop', '-o', 'json'], external);
    const json = JSON.parse(run.stdout) as Json;
    assert.equal(json.proxies?.total, 1, run.stderr);
    assert.equal(json.proxies?.notConnected ?? null, null);
    assert.equal(json.verdict, 'healthy');
  });
});
