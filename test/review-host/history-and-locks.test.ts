/**
 * The record on the VirtualService holds one service's stable and canary; an ingress VirtualService has two. What
 * mesh-bot knows of the other service (its own applied requests), the lock they share, and a record whose service
 * the routes no longer split.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import type { FakeSlack } from '../../src/sandbox/slack-api.ts';
import { CONFIG, putService, putVirtualService, requestCard, route, routeWrites, slackWorldPerTest, slashAnswer, terminal, useKubeconfig } from '../breaker-canary/world.ts';
import type { Bot } from '../support/bot.ts';
import { approve, cardNow, ingressWeights, seedIngress } from './world.ts';

describe('two services behind one VirtualService over time', () => {
  describe('in Slack', () => {
    const world = slackWorldPerTest(CONFIG);
    let api: FakeKubeApi;
    let slack: FakeSlack;
    let bot: Bot;
    beforeEach(() => ({ api, slack, bot } = world()));

    it('a pending reviews promotion survives a ratings rollback and lands when approved', async () => {
      seedIngress(api, { ratings: [70, 30] });
      const { card, id } = await requestCard(slack, bot, 'canary promote bookinfo --weight 50 --host reviews -n bookinfo');
      const answer = await slashAnswer(slack, bot, 'canary rollback bookinfo --to v1 --host ratings -n bookinfo', /Rolled back|:no_entry:/, 'U0DAVE');
      assert.match(answer, /^Rolled back bookinfo\/bookinfo on default: v1 70% \/ v2 30% → v1 100% \/ v2 0%/);
      assert.doesNotMatch(cardNow(slack, card.ts).text, /Cancelled|no longer applies/i, 'the reviews request still applies as planned');

      await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
      await slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.threadTs === card.ts && /Approved by <@U0BOB>|not applied/.test(message.text ?? '')), { timeoutMs: 10_000 });
      assert.deepEqual(ingressWeights(api), [['v1=50', 'v2=50'], ['v1=100', 'v2=0']]);
    });

    it('a reviews rollback still cancels a pending reviews promotion, whose plan it undid', async () => {
      seedIngress(api, { reviews: [70, 30] });
      const { card } = await requestCard(slack, bot, 'canary promote bookinfo --weight 50 --host reviews -n bookinfo');
      await slashAnswer(slack, bot, 'canary rollback bookinfo --to v1 --host reviews -n bookinfo', /Rolled back|:no_entry:/, 'U0DAVE');
      await slack.waitFor((fake) => (/no longer applies/.test(JSON.stringify(fake.message('C0REL', card.ts)?.blocks ?? [])) ? true : undefined), { timeoutMs: 10_000 });
    });

    it('after a 100 % reviews promotion and a ratings promotion, reviews at 0/100 still has v2 as its canary', async () => {
      seedIngress(api);
      await approve(slack, bot, 'canary promote bookinfo --weight 100 --host reviews -n bookinfo');
      await approve(slack, bot, 'canary promote bookinfo --weight 40 --host ratings -n bookinfo');
      assert.deepEqual(ingressWeights(api), [['v1=0', 'v2=100'], ['v1=60', 'v2=40']]);
      const { card } = await requestCard(slack, bot, 'canary promote bookinfo --weight 20 --host reviews -n bookinfo');
      assert.match(cardNow(slack, card.ts).text, /to subset `v2`/, 'v2 is the reviews canary (the record names ratings now)');
      assert.match(cardNow(slack, card.ts).text, /v1 80% \/ v2 20%/);
    });
  });

  describe('in the terminal', () => {
    let api: FakeKubeApi;
    before(async () => {
      api = await startFakeKubeApi();
      await useKubeconfig(api);
    });
    after(() => api.close());

    it('a plain rollback refuses when the recorded service is no longer split, instead of rolling back another', async () => {
      const namespace = 'record-gone';
      putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace });
      putService(api, 'ratings', { v1: 1, v2: 1 }, { namespace });
      // mesh-bot last rolled back ratings; since then /ratings went to v2 alone by hand, and reviews runs its own canary.
      putVirtualService(api, [
        route('reviews', [{ host: 'reviews', subset: 'v1', weight: 50 }, { host: 'reviews', subset: 'v2', weight: 50 }]),
        route('ratings', [{ host: 'ratings', subset: 'v2' }]),
      ], { namespace, name: 'bookinfo', hosts: ['bookinfo.example.com'], metadata: { annotations: { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2', 'mesh-bot/canary-host': 'ratings' } } });
      const run = await terminal('rollback', 'bookinfo', '-n', namespace);
      assert.equal(run.code, 1, run.out);
      assert.match(run.out, /mesh-bot's record \(stable v1, canary v2 of ratings\) is out of date: no route of bookinfo splits ratings any more/);
      assert.match(run.out, /--host/);
      const explicit = await terminal('rollback', 'bookinfo', '-n', namespace, '--to', 'v1', '--host', 'reviews');
      assert.equal(explicit.code, 0, explicit.out);
      assert.equal(routeWrites(api).length, 0, 'plans only');
    });
  });
});
