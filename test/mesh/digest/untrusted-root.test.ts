// A root rotation half done: istiod signs workload certificates under a new root that the proxies' ROOTCA does not
// hold yet, so mTLS between them fails whatever the dates say. `pc secret` says so (breaker-secrets3); the digest
// judged the sampled certificates by their dates alone and stayed Healthy. It judges them as `pc secret` does now.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { selfSignedRootPem, workloadCertificatePem } from '../../../src/sandbox/root-ca.ts';
import { cluster, hoursFromNow, namespace, proxyStatusJson, standIn, type Cluster } from '../../breaker-ambient/support/harness.ts';
import { ROOT_2056 } from '../../breaker-analyze/support/sidecar.ts';
import { blockText } from '../../support/blocks.ts';
import { startBot, type Bot } from '../../support/bot.ts';
import { advanceUntil, FakeClock } from '../../support/fake-clock.ts';
import { secretsConfigDumpJson } from '../../support/secrets-dump.ts';
import { ISTIOD, putIstiod, putRootCert } from './harness.ts';

const clock = new FakeClock(new Date().toISOString());
const DAY = 24;
const newRoot = selfSignedRootPem({ serial: '3c03', notBefore: hoursFromNow(-DAY * 30), notAfter: hoursFromNow(DAY * 3650) });
const leaf = workloadCertificatePem({ serial: '1a01', notBefore: hoursFromNow(-2), notAfter: hoursFromNow(22) }, 'spiffe://cluster.local/ns/shop/sa/cart');

let kube: Cluster;
let bot: Bot;
before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('shop')]);
  putIstiod(kube.api, { restarts: 0, version: '1.30.3' });
  putRootCert(kube.api, 'istio-system', ROOT_2056);
  const istioctl = await standIn('1.30.3', [
    { when: ['proxy-status'], stdout: proxyStatusJson(ISTIOD, '1.30.3', [{ id: 'cart-v1-5f7c9d8b6c-h8x2m.shop', version: '1.30.3', types: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } }]) },
    { when: ['analyze'], stdout: '[]\n' },
    // The leaf was issued two hours ago for a day (on schedule), under a root this proxy's ROOTCA does not hold.
    { when: ['proxy-config', 'secret'], stdout: secretsConfigDumpJson([{ name: 'default', chain: [leaf, newRoot] }, { name: 'ROOTCA', trustedCa: ROOT_2056 }]) },
  ]);
  const configYaml = 'digests:\n  - channel: C0DIGEST\n    schedule: "* * * * *"\n    timezone: UTC\n';
  bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), configYaml, env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path }, clock });
});
after(async () => {
  await bot.close();
  await kube.close();
});

it('the digest is critical for a sampled workload certificate issued under a root its proxy does not trust, and says what to do', async () => {
  const posted = await advanceUntil([clock], () => bot.slack.messages('C0DIGEST').find((message) => message.via === 'api'), { limitMs: 120_000 });
  assert.match(posted.text, /critical: 1 workload certificate issued under a root its proxy does not trust \(a root rotation half done\)/, blockText(posted.blocks));
  const text = blockText(posted.blocks);
  assert.match(text, /issued under root 0+3c03, which its ROOTCA does not hold/);
  // The action is cut to fit the line; the whole digest is in the thread.
  assert.match(text, /→ a root rotatio/);
});
