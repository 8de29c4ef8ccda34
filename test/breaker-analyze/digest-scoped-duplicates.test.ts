// BD-9: a digest scoped to several namespaces runs `istioctl analyze -n NS` once per namespace (README Digests). istioctl
// keeps, in every namespaced run, the findings about cluster-scoped resources and those without a resource (istio
// pkg/config/analysis/local/analyze.go filterMessages: "Also kept are cluster-level resources where the namespace is
// the empty string"), so one such problem came back once per namespace and the digest counted it twice.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { blockText } from '../support/blocks.ts';
import { advanceUntil, FakeClock } from '../support/fake-clock.ts';
import { cluster, namespace, proxyStatusJson, standIn, type Cluster } from '../breaker-ambient/support/harness.ts';
import { analyzeJson, ISTIOD, putIstiod, putRootCert } from '../mesh/digest/harness.ts';
import { ROOT_2056 } from './support/sidecar.ts';

// IST0102 is about a Namespace (cluster-scoped): both namespaced runs print it.
const NOT_INJECTED = { code: 'IST0102', level: 'Info' as const, origin: 'Namespace legacy', message: "The namespace is not enabled for Istio injection. Run 'kubectl label namespace legacy istio-injection=enabled' to enable it, or 'kubectl label namespace legacy istio-injection=disabled' to explicitly mark it as not needing injection." };
const checkout = analyzeJson([{ code: 'IST0101', level: 'Error', origin: 'VirtualService checkout/cart', message: 'Referenced host not found: "cart-v2"' }, NOT_INJECTED]);
const payments = analyzeJson([NOT_INJECTED]);

let kube: Cluster;
let bot: Bot;
const clock = new FakeClock('2026-11-23T08:59:50Z');
before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('checkout', { 'istio-injection': 'enabled' }), namespace('payments', { 'istio-injection': 'enabled' }), namespace('legacy')]);
  putIstiod(kube.api, { restarts: 0, version: '1.30.3' });
  putRootCert(kube.api, 'istio-system', ROOT_2056);
  const istioctl = await standIn('1.30.3', [
    { when: ['proxy-status'], stdout: proxyStatusJson(ISTIOD, '1.30.3', [{ id: 'cart-v1-5f7c9d8b6c-h8x2m.checkout', version: '1.30.3', types: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } }]) },
    { when: ['analyze', 'checkout'], stdout: checkout },
    { when: ['analyze', 'payments'], stdout: payments },
    { when: ['proxy-config', 'secret'], stderr: 'Error: not part of this test\n', exit: 1 },
  ]);
  const configYaml = 'digests:\n  - channel: C0DIGEST\n    schedule: "0 9 * * *"\n    timezone: UTC\n    namespaces: [checkout, payments]\n';
  bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), configYaml, env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path }, clock });
});
after(async () => {
  await bot.close();
  await kube.close();
});

it('a scheduled digest of checkout and payments counts a cluster-wide finding once', async () => {
  const posted = await advanceUntil([clock], () => bot.slack.messages('C0DIGEST').find((message) => message.via === 'api'), { limitMs: 120_000 });
  const text = blockText(posted.blocks);
  assert.match(text, /\*Analyze\*\n2 findings \(1 error, 0 warnings, 1 info\)/);
});
