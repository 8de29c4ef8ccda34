// Free text that istioctl prints for ambient objects (a waypoint's Programmed condition reason and message) reaches
// Slack escaped: no channel-wide ping, no disguised link, no bold/strike injected into the card.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { blockText } from '../support/blocks.ts';
import { cluster, namespace, standIn, tabwrite, type Cluster } from './support/harness.ts';

const HOSTILE = '<!channel> <!here> <@U0ADMIN> <https://evil.example/login|reset your password> & *co*';
const LIVE = ['<!channel>', '<!here>', '<@U0ADMIN>', '<https://evil.example/login|reset your password>'];

let kube: Cluster;
let bot: Bot;
before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' })]);
  // 1.29+ `waypoint status --wait=false` (corpus status/v1.29+_waypoint-status-notready.txt: padding 5), with a message.
  const status = tabwrite([['NAME', 'STATUS', 'TYPE', 'REASON', 'MESSAGE'], ['waypoint', 'False', 'Programmed', 'AddressNotAssigned', `Failed to assign to any requested addresses: ${HOSTILE}`]], 5);
  const istioctl = await standIn('1.29.6', [{ when: ['waypoint', 'status'], stdout: status }]);
  bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
});
after(async () => {
  await bot.close();
  await kube.close();
});

it('/mesh wp status -n shop: the not programmed waypoint is named with its message, and nothing in the message is live mrkdwn', async () => {
  await bot.slash('wp status -n shop');
  const answer = await bot.answer('C0OPS');
  const text = blockText(answer.blocks);
  assert.match(text, /waypoint/);
  assert.match(text, /AddressNotAssigned/);
  for (const live of LIVE) {
    assert.ok(!text.includes(live), `live ${live} in the card: ${text}`);
    assert.ok(!answer.text.includes(live), `live ${live} in the notification text`);
  }
  assert.match(text, /&lt;!channel&gt;/);
  assert.match(text, /&amp; /);
});
