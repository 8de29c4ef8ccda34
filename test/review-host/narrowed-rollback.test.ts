/**
 * A rollback that narrows to one service of an ingress VirtualService (the record's, --host's, the card's) leaves
 * the other service's canary getting its share. "Rolled back bookinfo: v1 50% / v2 50% → v1 100% / v2 0%" reads as
 * "v2 is off" to an SRE at 3 a.m. when both services call their subsets v1 and v2: the answer names the route that
 * still splits, whose service it is, and how to roll that one back.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import type { FakeSlack } from '../../src/sandbox/slack-api.ts';
import { CONFIG, slackWorldPerTest, slashAnswer, terminal, useKubeconfig } from '../breaker-canary/world.ts';
import type { Bot } from '../support/bot.ts';
import { approve, ingressWeights, seedIngress } from './world.ts';

const REVIEWS_RECORD = { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2', 'mesh-bot/canary-host': 'reviews' };
const STILL_SPLITS = /Route "ratings" of another service \(ratings\) still sends v1 90% \/ v2 10%: this rollback changed reviews only; `canary rollback bookinfo -n bookinfo --host ratings` rolls it back\./;

describe('a rollback narrowed to one of two services', () => {
  describe('in Slack', () => {
    const world = slackWorldPerTest(CONFIG);
    let api: FakeKubeApi;
    let slack: FakeSlack;
    let bot: Bot;
    beforeEach(() => ({ api, slack, bot } = world()));

    it('a plain rollback after a reviews promotion says ratings still splits, and how to roll it back', async () => {
      seedIngress(api);
      await approve(slack, bot, 'canary promote bookinfo --weight 50 --host reviews -n bookinfo');
      const answer = await slashAnswer(slack, bot, 'canary rollback bookinfo -n bookinfo', /Rolled back|:no_entry:/, 'U0DAVE');
      assert.match(answer, /^Rolled back bookinfo\/bookinfo on default: v1 50% \/ v2 50% → v1 100% \/ v2 0% by <@U0DAVE>\./);
      assert.match(answer, STILL_SPLITS);
      assert.deepEqual(ingressWeights(api), [['v1=100', 'v2=0'], ['v1=90', 'v2=10']]);
    });

    it('the card\'s Roll back reply says so too', async () => {
      seedIngress(api);
      const { cardTs, id } = await approve(slack, bot, 'canary promote bookinfo --weight 50 --host reviews -n bookinfo');
      await bot.click({ actionId: 'canary_rollback', value: id, userId: 'U0DAVE', channelId: 'C0REL', messageTs: cardTs });
      const reply = await slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.threadTs === cardTs && /Rolled back by <@U0DAVE>/.test(message.text ?? '')), { timeoutMs: 10_000 });
      assert.match(reply.text ?? '', STILL_SPLITS);
    });

    it('a rollback with nothing to change for reviews still names the ratings canary', async () => {
      seedIngress(api, { reviews: [100, 0], annotations: REVIEWS_RECORD });
      const answer = await slashAnswer(slack, bot, 'canary rollback bookinfo -n bookinfo', /nothing to change|Rolled back|:no_entry:/, 'U0DAVE');
      assert.match(answer, /bookinfo already sends 0% to v2; nothing to change/);
      assert.match(answer, STILL_SPLITS);
      assert.deepEqual(ingressWeights(api), [['v1=100', 'v2=0'], ['v1=90', 'v2=10']]);
    });

    it('says nothing of ratings once it sends all its traffic to one subset', async () => {
      seedIngress(api, { reviews: [50, 50], ratings: [100, 0], annotations: REVIEWS_RECORD });
      const answer = await slashAnswer(slack, bot, 'canary rollback bookinfo -n bookinfo', /Rolled back|:no_entry:/, 'U0DAVE');
      assert.match(answer, /^Rolled back bookinfo\/bookinfo on default: v1 50% \/ v2 50% → v1 100% \/ v2 0% by <@U0DAVE>\.$/m);
      assert.doesNotMatch(answer, /ratings/);
    });
  });

  describe('in the terminal', () => {
    let api: FakeKubeApi;
    before(async () => {
      api = await startFakeKubeApi();
      await useKubeconfig(api);
    });
    after(() => api.close());

    it('the plan and its JSON name the ratings canary left as it is', async () => {
      seedIngress(api, { reviews: [50, 50], annotations: REVIEWS_RECORD });
      const text = await terminal('rollback', 'bookinfo', '-n', 'bookinfo');
      assert.equal(text.code, 0, text.out);
      assert.match(text.out, STILL_SPLITS);
      const json = await terminal('rollback', 'bookinfo', '-n', 'bookinfo', '-o', 'json');
      assert.equal(json.code, 0, json.out);
      const left = json.json()['leftOnCanary'] as string[];
      assert.ok(left.some((sentence) => STILL_SPLITS.test(sentence)), JSON.stringify(left));
    });
  });
});
