// README "How it behaves during an incident": identical istioctl runs in flight are coalesced and finished ones kept
// for istioctl.cacheTtl (10 s). Five people asking `/mesh zc certs` at once cost one istioctl run per ztunnel.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { AMBIENT, ambientMesh, cluster, standIn, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
let bot: Bot;
before(async () => {
  kube = await cluster(ambientMesh());
  istioctl = await standIn('1.28.10', [{ when: ['ztunnel-config', 'certificate'], stdoutFile: `${AMBIENT}/ztunnel-config/certificates/v1.22+_secretsummary.txt`, holdMs: 500 }]);
  bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
});
after(async () => {
  await bot.close();
  await kube.close();
});

it('five `/mesh zc certs` in five channels at once: five answers, three istioctl runs (one per ztunnel)', async () => {
  const channels = ['C0OPS1', 'C0OPS2', 'C0OPS3', 'C0OPS4', 'C0OPS5'];
  await Promise.all(channels.map((channelId, index) => bot.slash('zc certs', { channelId, userId: `U0USER${index}` })));
  const answers = await Promise.all(channels.map((channelId) => bot.answer(channelId)));
  for (const answer of answers) assert.match(answer.text, /certificates of 3 of 3 ztunnels read/);
  const runs = (await istioctl.invocations()).filter((argv) => argv.includes('ztunnel-config'));
  assert.equal(runs.length, 3, runs.map((argv) => argv.join(' ')).join('\n'));
});
