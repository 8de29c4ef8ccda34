// `/mesh wp -A` in Slack with the corpus 1.27+ combined-gateway golden: not programmed first, `none` explained,
// the Services (and a namespace) whose waypoint is missing or not programmed named.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { blockText } from '../support/blocks.ts';
import { AMBIENT, cluster, namespace, service, standIn, type Cluster } from './support/harness.ts';

let kube: Cluster;
let bot: Bot;
before(async () => {
  kube = await cluster([
    namespace('istio-system'),
    namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
    namespace('bookinfo', { 'istio.io/dataplane-mode': 'ambient' }),
    service('default', 'ratings', { 'istio.io/use-waypoint': 'waypoint' }),
    service('bookinfo', 'reviews', { 'istio.io/use-waypoint': 'bookinfo-valid' }),
    service('bookinfo', 'details', { 'istio.io/use-waypoint': 'gone' }),
  ]);
  const istioctl = await standIn('1.27.9', [{ when: ['waypoint', 'list', '--all-namespaces'], stdoutFile: `${AMBIENT}/waypoint/list/v1.27+_combined-gateway.txt` }]);
  bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
});
after(async () => {
  await bot.close();
  await kube.close();
});

it('/mesh wp -A: the two waypoints not programmed come first, `none` is explained, two Services are named with their problem', async () => {
  await bot.slash('wp -A');
  const answer = await bot.answer('C0OPS');
  const text = blockText(answer.blocks);
  const bookinfo = text.indexOf('default/bookinfo');
  const waypoint = text.indexOf('default/waypoint');
  const valid = text.indexOf('bookinfo/bookinfo-valid');
  assert.ok(bookinfo >= 0 && waypoint >= 0 && valid >= 0, text);
  assert.ok(Math.max(bookinfo, waypoint) < valid, 'not programmed first');
  assert.match(text, /`?none`? means/);
  assert.match(text, /bookinfo\/details.*bookinfo\/gone.*(does not exist|missing)/);
  assert.match(text, /default\/ratings.*default\/waypoint.*not programmed/);
  assert.doesNotMatch(text, /bookinfo\/reviews/);
  assert.ok((answer.blocks?.length ?? 0) <= 50);
});
