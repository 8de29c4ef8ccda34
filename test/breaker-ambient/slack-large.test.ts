// A large ambient mesh through Slack: `zc workloads` of a ztunnel that knows 6,000 workloads in 60 ambient
// namespaces, 600 of them not captured, and `wp -A` with 400 waypoints. Block Kit limits (README "Fits in Slack at
// any size": ≤ 50 blocks, section text ≤ 3000, total ≈ 11k) hold and "Show all" is offered.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { blockText, buttons } from '../support/blocks.ts';
import { cluster, daemonSet, namespace, pod, standIn, tabwrite, type Cluster } from './support/harness.ts';

const NAMESPACES = Array.from({ length: 60 }, (_, index) => `team-${index}`);
let kube: Cluster;
let bot: Bot;
before(async () => {
  kube = await cluster([
    namespace('istio-system'),
    ...NAMESPACES.map((name) => namespace(name, { 'istio.io/dataplane-mode': 'ambient' })),
    pod('ztunnel-aaaaa', 'istio-system', 'node-1', { app: 'ztunnel' }, { container: 'istio-proxy' }),
    daemonSet('ztunnel', { app: 'ztunnel' }, 1, 1),
  ]);
  const rows: string[][] = [];
  NAMESPACES.forEach((ns, n) => {
    for (let index = 0; index < 100; index += 1) {
      const captured = index % 10 !== 0;
      rows.push([ns, `app-${index}-7447985f87-t${String(n).padStart(3, '0')}`, `10.${n}.${Math.floor(index / 250)}.${index % 250}`, `node-${index % 40}`, 'None', captured ? 'HBONE' : 'TCP']);
    }
  });
  const workloads = tabwrite([['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], ...rows], 1);
  const waypoints = tabwrite(
    [['NAMESPACE', 'NAME', 'REVISION', 'TRAFFIC TYPE', 'PROGRAMMED'], ...Array.from({ length: 400 }, (_, index) => [NAMESPACES[index % 60] ?? '', `waypoint-${index}`, 'default', 'none', index % 3 === 0 ? 'False' : 'True'])],
    5,
  );
  const istioctl = await standIn('1.28.10', [
    { when: ['ztunnel-config', 'workload'], stdout: workloads },
    { when: ['waypoint', 'list'], stdout: waypoints },
  ]);
  bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
});
after(async () => {
  await bot.close();
  await kube.close();
});

function assertFits(answer: { text: string; blocks?: unknown }): void {
  const blocks = (answer.blocks ?? []) as { text?: { text: string } }[];
  assert.ok(blocks.length <= 50, `${blocks.length} blocks`);
  for (const block of blocks) assert.ok((block.text?.text.length ?? 0) <= 3000, `a section of ${block.text?.text.length} characters`);
  assert.ok(blockText(blocks).length <= 12_000, `${blockText(blocks).length} characters of block text`);
  assert.ok(answer.text.length > 0 && !answer.text.includes('\n'), 'a one-line top-level text');
}

it('/mesh zc workloads: 600 not captured of 6,000, within Block Kit limits, with a Show all button', async () => {
  await bot.slash('zc workloads');
  const answer = await bot.answer('C0OPS');
  assertFits(answer);
  assert.match(answer.text, /6000 workloads, 600 pods in ambient namespaces NOT captured/);
  const button = buttons(answer.blocks).find((candidate) => candidate.action_id === 'zc_show_all');
  assert.ok(button?.value);
  // "Show all" uploads the complete answer into the card's thread: every one of the 600 pods not captured.
  await bot.click({ actionId: 'zc_show_all', value: button.value, messageTs: answer.ts });
  const file = await bot.slack.waitFor((fake) => fake.files.find((candidate) => candidate.completed));
  const content = file.content?.toString('utf8') ?? '';
  assert.equal(content.match(/: NOT captured/g)?.length, 600, content.slice(0, 400));
});

it('/mesh wp -A: 134 of 400 waypoints not programmed, within Block Kit limits', async () => {
  await bot.slash('wp -A', { channelId: 'C0WAYPOINT' });
  const answer = await bot.answer('C0WAYPOINT');
  assertFits(answer);
  assert.match(blockText(answer.blocks), /134 of 400 waypoints not programmed/);
});
