// BG2-3: the scheduled digest of a channel that watches its own namespaces (`digests[].namespaces`) counted only the
// proxies istioctl lists. Two of shop's three Ready, injected pods had lost their connection to istiod (absent from
// proxy-status, as a disconnected proxy is), the third was SYNCED, and the digest said Healthy. README Digests: "the
// verdict … never turns green over" what it could not see; a sidecar istiod no longer configures needs a look.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { KubeObject } from '../../src/sandbox/kube-api.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { blockText } from '../support/blocks.ts';
import { advanceUntil, FakeClock } from '../support/fake-clock.ts';
import { cluster, namespace, proxyStatusJson, standIn, type Cluster } from '../breaker-ambient/support/harness.ts';
import { ISTIOD, putIstiod, putRootCert } from '../mesh/digest/harness.ts';
import { ROOT_2056, secretDump } from '../breaker-analyze/support/sidecar.ts';

// Now, so the certificates below (dated from now) and the root CA (valid from 2026-12-07) are healthy at the digest.
const clock = new FakeClock(new Date().toISOString());

/** Injected (tlsMode label, istio-proxy container) and Ready since a day before the digest. */
function injectedPod(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { 'security.istio.io/tlsMode': 'istio' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'app' }, { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.3' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(Date.now() - 86_400_000).toISOString() }],
      containerStatuses: ['app', 'istio-proxy'].map((container) => ({ name: container, ready: true, restartCount: 0, image: container, imageID: '', started: true })),
    },
  };
}

let kube: Cluster;
let bot: Bot;
before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), injectedPod('cart-v1-5f7c9d8b6c-h8x2m'), injectedPod('checkout-v1-6c8d9e7f5-m4n8p'), injectedPod('payment-v1-6b9c8d7f5-q8w2e')]);
  putIstiod(kube.api, { restarts: 0, version: '1.30.3' });
  putRootCert(kube.api, 'istio-system', ROOT_2056);
  const istioctl = await standIn('1.30.3', [
    { when: ['proxy-status'], stdout: proxyStatusJson(ISTIOD, '1.30.3', [{ id: 'cart-v1-5f7c9d8b6c-h8x2m.shop', version: '1.30.3', types: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } }]) },
    { when: ['analyze'], stdout: '[]\n' },
    // The one listed proxy's certificate: issued 2 h ago for 24 h, on schedule.
    { when: ['proxy-config', 'secret'], stdout: secretDump({ ageHours: 2, rootNotAfterHours: 24 * 3650 }) },
  ]);
  const configYaml = 'digests:\n  - channel: C0DIGEST\n    schedule: "* * * * *"\n    timezone: UTC\n    namespaces: [shop]\n';
  bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), configYaml, env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path }, clock });
});
after(async () => {
  await bot.close();
  await kube.close();
});

it('a scoped digest is not Healthy while ready sidecars of its namespace are missing from proxy-status, and names them', async () => {
  const posted = await advanceUntil([clock], () => bot.slack.messages('C0DIGEST').find((message) => message.via === 'api'), { limitMs: 120_000 });
  assert.match(posted.text, /needs attention: 2 sidecars not connected to istiod$/);
  const text = blockText(posted.blocks);
  assert.match(text, /2 sidecars not connected to istiod \(Ready, yet no istiod lists them/);
  assert.match(text, /checkout-v1-6c8d9e7f5-m4n8p\.shop/);
  assert.match(text, /payment-v1-6b9c8d7f5-q8w2e\.shop/);
});
