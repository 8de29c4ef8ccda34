// BG3-2: a mixed mesh whose ztunnels are gone (the ztunnel DaemonSet deleted, `helm uninstall ztunnel`) or were never
// installed, while a namespace is still labelled istio.io/dataplane-mode=ambient. Its pods have no ztunnel: they run
// outside the mesh (no mTLS, no policy), or, captured before, with their traffic redirected to nothing. `status` has no
// ztunnel to judge (`ambient: null`), so it read "Healthy — 1 proxy, all in sync" from the sidecars alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cluster, namespace, proxyStatus122, standIn, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus } from '../breaker-status/support/sidecar.ts';
import { blockText } from '../support/blocks.ts';
import { startBot } from '../support/bot.ts';

const ISTIOD = 'istiod-7d4f9c8b6d-k2x9q';
const LISTED = proxyStatus122([{ name: 'cart-v1-5b9c8d7f6-h7j3n.shop', states: ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT'], istiod: ISTIOD, version: '1.24.6' }]);
const RULES = [{ when: ['proxy-status'], stdout: LISTED }];

interface Json {
  verdict: string;
  ambient: unknown;
  ambientWithoutZtunnel: string[] | null;
  errors: string[];
}

describe('namespaces labelled ambient in a cluster without any ztunnel', () => {
  let kube: Cluster;
  before(async () => {
    kube = await cluster([
      namespace('istio-system'),
      namespace('shop'),
      namespace('bookinfo', { 'istio.io/dataplane-mode': 'ambient' }),
      namespace('travel', { 'istio.io/dataplane-mode': 'ambient' }),
      // Labelled both ways: Istio gives its pods sidecars, it needs no ztunnel.
      namespace('legacy', { 'istio.io/dataplane-mode': 'ambient', 'istio-injection': 'enabled' }),
      istiod(ISTIOD, '1.24.6'),
    ]);
  });
  after(() => kube.close());

  it('JSON: degraded, naming the namespaces (ambient stays null: there is no ztunnel)', async () => {
    const run = await runStatus(kube, '1.24.6', RULES, ['status', '-o', 'json']);
    const json = JSON.parse(run.stdout) as Json;
    assert.equal(json.verdict, 'degraded', run.stdout + run.stderr);
    assert.equal(json.ambient, null);
    assert.deepEqual(json.ambientWithoutZtunnel, ['bookinfo', 'travel']);
    assert.deepEqual(json.errors, []);
  });

  it('text: the verdict and an Ambient line say what is wrong and what to do', async () => {
    const run = await runStatus(kube, '1.24.6', RULES, ['status']);
    assert.match(run.stdout, /^Mesh status: default — Degraded/);
    assert.match(run.stdout, /Ambient:\n {2}no ztunnel runs in this cluster, yet namespaces bookinfo, travel are labelled istio\.io\/dataplane-mode=ambient: their pods have no ztunnel/);
    assert.match(run.stdout, /Install ztunnel and istio-cni, or remove the label/);
  });

  it('-n of an ambient namespace is degraded; -n of a sidecar namespace is not concerned', async () => {
    const ambient = JSON.parse((await runStatus(kube, '1.24.6', RULES, ['status', '-n', 'bookinfo', '-o', 'json'])).stdout) as Json;
    assert.equal(ambient.verdict, 'degraded');
    assert.deepEqual(ambient.ambientWithoutZtunnel, ['bookinfo']);
    const sidecars = JSON.parse((await runStatus(kube, '1.24.6', RULES, ['status', '-n', 'shop', '-o', 'json'])).stdout) as Json;
    assert.equal(sidecars.verdict, 'healthy');
    assert.deepEqual(sidecars.ambientWithoutZtunnel, []);
  });

  it('Slack: the notification line says it, the card has the Ambient section', async () => {
    const istioctl = await standIn('1.24.6', RULES);
    const bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
    try {
      await bot.slash('status');
      const answer = await bot.answer('C0OPS');
      assert.match(answer.text, /^default: degraded — 1 proxy, all in sync — no ztunnel for 2 ambient namespaces/);
      assert.match(blockText(answer.blocks), /no ztunnel runs in this cluster, yet namespaces bookinfo, travel are labelled/);
    } finally {
      await bot.close();
    }
  });
});

describe('the same mesh without the ambient label', () => {
  let kube: Cluster;
  before(async () => {
    kube = await cluster([namespace('istio-system'), namespace('shop'), namespace('bookinfo'), istiod(ISTIOD, '1.24.6')]);
  });
  after(() => kube.close());

  it('stays healthy', async () => {
    const run = await runStatus(kube, '1.24.6', RULES, ['status', '-o', 'json']);
    const json = JSON.parse(run.stdout) as Json;
    assert.equal(json.verdict, 'healthy', run.stdout + run.stderr);
    assert.deepEqual(json.ambientWithoutZtunnel, []);
  });
});
