// /mesh status in Slack (signed requests) for a sidecar mesh on istioctl 1.30 (`-o json`, one DiscoveryResponse per
// istiod, corpus shape): two istiods, twelve problem proxies (more than the card lists), one of them a rogue Envoy
// whose node id carries Slack mrkdwn. DESIGN §6: Block Kit limits; README: 8 worst on the card with the istiod they
// talk to, "Show all problem proxies" posts the same run's list; Slack escaping of everything the cluster wrote.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { blockText, findButton } from '../support/blocks.ts';
import { cluster, namespace, proxyStatusJson, standIn, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, sidecarNamespaces } from './support/sidecar.ts';

const HOSTILE = '<!channel>-<https://evil.example|login>*x*.default';
const SYNCED = { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' };
const stale = (index: number) => ({ id: `reviews-v${index}-7d9f8c6b5-x2k4m.shop`, version: '1.30.3', types: { ...SYNCED, EDS: 'STALE' } });
const ERRORED = { id: 'ratings-v1-6b9c8d7f5-q8w2e.shop', version: '1.30.3', types: { ...SYNCED, LDS: 'ERROR', ECDS: 'NOT_SENT' } };
const JSON_OUT =
  proxyStatusJson('istiod-1-30-5d8f7c9b6d-a1b2c', '1.30.3', [ERRORED, ...Array.from({ length: 5 }, (_, index) => stale(index)), { id: 'productpage-v1-7d9f8c6b5-x2k4m.default', version: '1.30.3', types: SYNCED }]) +
  proxyStatusJson('istiod-1-30-5d8f7c9b6d-d3e4f', '1.30.3', [{ id: HOSTILE, version: '1.29.6', types: { ...SYNCED, CDS: 'STALE' } }, ...Array.from({ length: 5 }, (_, index) => stale(index + 5))]);
const LIVE = ['<!channel>', '<https://evil.example|login>'];

let kube: Cluster;
let bot: Bot;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), namespace('mesh-bot'), istiod('istiod-1-30-5d8f7c9b6d-a1b2c', '1.30.3', { revision: '1-30' }), istiod('istiod-1-30-5d8f7c9b6d-d3e4f', '1.30.3', { revision: '1-30' })]);
  const istioctl = await standIn('1.30.3', [{ when: ['proxy-status'], stdout: JSON_OUT }]);
  bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
});
after(async () => {
  await bot.close();
  await kube.close();
});

it('the card: degraded, counts from the two istiods, the ERROR proxy first, escaped names, within Block Kit limits', async () => {
  await bot.slash('ps');
  const answer = await bot.answer('C0OPS');
  // 13 proxies: 1 ERROR, 11 STALE (10 EDS + the rogue CDS), 1 SYNCED.
  assert.match(answer.text, /^default: degraded — 11 of 13 proxies STALE, 1 ERROR — istiod 2\/2 ready/);
  const blocks = answer.blocks ?? [];
  assert.ok(blocks.length <= 50);
  for (const block of blocks as { text?: { text: string } }[]) assert.ok((block.text?.text.length ?? 0) <= 3000);
  const text = blockText(blocks);
  assert.match(text, /13 total · 1 healthy · 11 STALE · 1 ERROR/);
  assert.match(text, /\*Worst problem proxies\* \(8 of 12\)\n• `ratings-v1-6b9c8d7f5-q8w2e\.shop` LDS ERROR \(via istiod-1-30-5d8f7c9b6d-a1b2c\)/);
  // The rogue proxy runs 1.29.6, a minor no istiod runs: named in the skew, escaped.
  assert.match(text, /1 proxy runs 1\.29\.6: &lt;!channel&gt;-&lt;https:\/\/evil\.example\|login&gt;\*x\*\.default/);
  for (const live of LIVE) {
    assert.ok(!text.includes(live), `live ${live} on the card`);
    assert.ok(!answer.text.includes(live), `live ${live} in the notification`);
  }
  const button = findButton(blocks, 'status_show_problems');
  assert.equal(button?.text && typeof button.text !== 'string' ? button.text.text : button?.text, 'Show all problem proxies (12)');

  await bot.click({ actionId: 'status_show_problems', value: button?.value ?? '', messageTs: answer.ts });
  const reply = await bot.slack.waitFor((fake) => fake.threadReplies('C0OPS', answer.ts)[0]);
  const lines = blockText(reply.blocks).replace(/```/g, '').split('\n').filter((line) => line !== '');
  assert.equal(lines.length - 1, 12, 'one line per problem proxy');
  assert.ok(lines.some((line) => line.startsWith('&lt;!channel&gt;-&lt;https://evil.example|login&gt;*x*.default: CDS STALE')), lines.join('\n'));
  for (const live of LIVE) assert.ok(!JSON.stringify(reply).includes(live), `live ${live} in the thread reply`);
});
