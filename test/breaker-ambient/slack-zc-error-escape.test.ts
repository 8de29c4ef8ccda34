// istioctl's stderr (which quotes cluster text: pod names, API errors, admission messages) reaches the zc card
// escaped when one ztunnel of a certificate summary cannot be read.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { blockText } from '../support/blocks.ts';
import { AMBIENT, ambientMesh, cluster, standIn, ZTUNNELS, type Cluster } from './support/harness.ts';

let kube: Cluster;
let bot: Bot;
before(async () => {
  kube = await cluster(ambientMesh());
  const istioctl = await standIn('1.28.10', [
    { when: ['ztunnel-config', 'certificate', `${ZTUNNELS[1].pod}.istio-system`], stderr: 'Error: admission webhook "guard.example" denied the request: <!channel> <https://evil.example|re-login> & co\n', exit: 1 },
    { when: ['ztunnel-config', 'certificate'], stdoutFile: `${AMBIENT}/ztunnel-config/certificates/v1.22+_secretsummary.txt` },
  ]);
  bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
});
after(async () => {
  await bot.close();
  await kube.close();
});

it('/mesh zc certs: the failed ztunnel is named with its error, escaped', async () => {
  await bot.slash('zc certs');
  const answer = await bot.answer('C0OPS');
  const text = `${answer.text}\n${blockText(answer.blocks)}`;
  assert.match(text, /ztunnel-xljhg/);
  assert.match(text, /&lt;!channel&gt;/);
  for (const live of ['<!channel>', '<https://evil.example|re-login>']) assert.ok(!text.includes(live), `live ${live}: ${text}`);
});
