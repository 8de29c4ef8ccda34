// A promotion asked for on cluster west of a bot serving east and west, where the same VirtualService exists in both
// (the same app deployed to two clusters, the usual multi-cluster layout). The weights must change in west only,
// the propagation check must ask west's istiod, and the rollback must undo west. And since reviews exists in both,
// what people read in the channel and in notifications must say which cluster: an approver deciding from the
// notification, or a reader of "Rolled back bookinfo/reviews", cannot tell east from west otherwise.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { blockText } from '../support/blocks.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { putService, putVirtualService, requestCard, route, routeWrites, slashAnswer, vsWeights } from '../breaker-canary/world.ts';

const CONFIG = `
clusters:
  - { name: east, context: ctx-east, default: true }
  - { name: west, context: ctx-west }
access:
  operators: { users: [U0ALICE] }
  approvers: { users: [U0BOB] }
approvals: { channel: C0REL, propagationTimeout: 300ms, propagationInterval: 50ms }
`;

function seed(api: FakeKubeApi): void {
  putService(api, 'reviews', { v1: 1, v2: 1 });
  putVirtualService(api, [route(undefined, [{ host: 'reviews', subset: 'v1', weight: 100 }, { host: 'reviews', subset: 'v2', weight: 0 }])]);
}

describe('canary promote, approve and roll back on cluster west', () => {
  let east: FakeKubeApi;
  let west: FakeKubeApi;
  let slack: FakeSlack;
  let bot: Bot;
  let cardText = '';
  let cardBlocks = '';
  let rollback = '';
  before(async () => {
    east = await startFakeKubeApi({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mesh-bot' } }] });
    west = await startFakeKubeApi();
    seed(east);
    seed(west);
    const kubeConfig = () => {
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: [{ name: 'east', server: east.url, skipTLSVerify: true }, { name: 'west', server: west.url, skipTLSVerify: true }],
        users: [{ name: 'u', token: 't' }],
        contexts: [{ name: 'ctx-east', cluster: 'east', user: 'u' }, { name: 'ctx-west', cluster: 'west', user: 'u' }],
        currentContext: 'ctx-east',
      });
      return config;
    };
    slack = await startFakeSlack();
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig, sharedSlack: slack, env: { POD_NAMESPACE: 'mesh-bot' }, configYaml: CONFIG });
    const { card, id } = await requestCard(slack, bot, 'canary promote reviews --subset v2 --weight 30 -n bookinfo --cluster west');
    cardText = card.text;
    cardBlocks = blockText(card.blocks);
    await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    await slack.waitFor((fake) => {
      const current = fake.message('C0REL', card.ts);
      return current && /proxies in sync|No proxies|STALE|not confirmed/.test(blockText(current.blocks)) ? current : undefined;
    }, { timeoutMs: 10_000 });
  });
  after(async () => {
    await bot?.close();
    await slack?.close();
    await east?.close();
    await west?.close();
  });

  it('writes west\'s VirtualService and never east\'s; istioctl is asked about west', async () => {
    assert.deepEqual(vsWeights(west), [['v1=70', 'v2=30']]);
    assert.deepEqual(vsWeights(east), [['v1=100', 'v2=0']]);
    assert.equal(routeWrites(east).length, 0);
    const runs = (await bot.istioctlInvocations()).filter((argv) => argv[0] !== 'version');
    assert.ok(runs.length > 0);
    for (const argv of runs) assert.deepEqual(argv.slice(argv.indexOf('--context'), argv.indexOf('--context') + 2), ['--context', 'ctx-west'], argv.join(' '));
    assert.match(cardBlocks, /west\/bookinfo/);
  });

  it('rolls back west, not east', async () => {
    rollback = await slashAnswer(slack, bot, 'canary rollback reviews -n bookinfo --cluster west', /Rolled back|Refused|:no_entry:/);
    assert.match(rollback, /^Rolled back /);
    assert.deepEqual(vsWeights(west), [['v1=100', 'v2=0']]);
    assert.equal(routeWrites(east).length, 0);
  });

  it('names the cluster in the card\'s notification text and in the rollback answer', () => {
    assert.match(cardText, /^Canary promotion of bookinfo\/reviews on west /);
    assert.match(rollback, /^Rolled back bookinfo\/reviews on west: /);
  });
});
