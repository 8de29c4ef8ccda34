/**
 * Outside review 3: "rollback sends the canary back to 0 % at once, on every route that carries it". A route with
 * one destination (testers matched by a header, bookinfo's jason → v2) carries the canary too, has no weight to
 * lower, and keeps sending all its traffic there: the safety exit must not report the canary gone while it serves.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import type { FakeSlack } from '../../src/sandbox/slack-api.ts';
import type { Bot } from '../support/bot.ts';
import { CONFIG, putBackend, slackWorldPerTest, putHttpRoute, putService, putVirtualService, requestCard, route, slashAnswer, terminal, useKubeconfig, vsWeights } from '../breaker-canary/world.ts';
import { buttons } from '../support/blocks.ts';

const RECORD = { annotations: { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2' } };

function seedTesters(api: FakeKubeApi, namespace = 'bookinfo'): void {
  putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace });
  putVirtualService(api, [
    route('testers', [{ host: 'reviews', subset: 'v2' }], { match: [{ headers: { 'end-user': { exact: 'jason' } } }] }),
    route('main', [{ host: 'reviews', subset: 'v1', weight: 50 }, { host: 'reviews', subset: 'v2', weight: 50 }]),
  ], { namespace, metadata: RECORD });
}

describe('a rollback that cannot take the canary off every route says so', () => {
  describe('in Slack', () => {
    const world = slackWorldPerTest(CONFIG);
    let api: FakeKubeApi;
    let slack: FakeSlack;
    let bot: Bot;
    beforeEach(() => ({ api, slack, bot } = world()));

    it('names the header-matched route that still sends everything to the canary (defect: "rolled back" and nothing else)', async () => {
      seedTesters(api);
      const answer = await slashAnswer(slack, bot, 'canary rollback reviews -n bookinfo', /Rolled back|:no_entry:/, 'U0DAVE');
      assert.match(answer, /^Rolled back bookinfo\/reviews on default: v1 50% \/ v2 50% → v1 100% \/ v2 0%/);
      assert.deepEqual(vsWeights(api), [['v2=-'], ['v1=100', 'v2=0']]);
      assert.match(answer, /Route "testers" still sends all its traffic to v2 \(a route with one destination has no weight to lower\); change it by hand if v2 must get none/);
    });

    it('says it in the card\'s thread when the Roll back button is used', async () => {
      putService(api, 'reviews', { v1: 1, v2: 1 });
      putVirtualService(api, [
        route('testers', [{ host: 'reviews', subset: 'v2' }], { match: [{ headers: { 'end-user': { exact: 'jason' } } }] }),
        route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }]),
      ]);
      const { card, id } = await requestCard(slack, bot, 'canary promote reviews --weight 50 -n bookinfo');
      await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
      const applied = await slack.waitFor((fake) => {
        const current = fake.message('C0REL', card.ts);
        return current && buttons(current.blocks).some((element) => element.action_id === 'canary_rollback') ? current : undefined;
      }, { timeoutMs: 10_000 });
      await bot.click({ actionId: 'canary_rollback', value: id, userId: 'U0DAVE', channelId: 'C0REL', messageTs: applied.ts });
      const reply = await slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.threadTs === card.ts && /Rolled back by <@U0DAVE>/.test(message.text ?? '')), { timeoutMs: 10_000 });
      assert.match(reply.text ?? '', /Route "testers" still sends all its traffic to v2/);
      assert.deepEqual(vsWeights(api), [['v2=-'], ['v1=100', 'v2=0']]);
    });

    it('says nothing more when no route is left on the canary', async () => {
      putService(api, 'reviews', { v1: 1, v2: 1 });
      putVirtualService(api, [route('testers', [{ host: 'reviews', subset: 'v1' }]), route('main', [{ host: 'reviews', subset: 'v1', weight: 50 }, { host: 'reviews', subset: 'v2', weight: 50 }])], { metadata: RECORD });
      const answer = await slashAnswer(slack, bot, 'canary rollback reviews -n bookinfo', /Rolled back|:no_entry:/, 'U0DAVE');
      assert.match(answer, /^Rolled back bookinfo\/reviews/);
      assert.doesNotMatch(answer, /still sends/);
    });
  });

  describe('in the terminal (plan only)', () => {
    let api: FakeKubeApi;
    before(async () => {
      api = await startFakeKubeApi();
      await useKubeconfig(api);
    });
    after(() => api.close());

    it('shows the route left on the canary in the rollback plan', async () => {
      seedTesters(api, 'testers-plan');
      const run = await terminal('rollback', 'reviews', '-n', 'testers-plan');
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, /Route "testers" still sends all its traffic to v2/);
    });

    it('names an HTTPRoute rule whose only backend is the canary Service', async () => {
      const ns = 'testers-route';
      putBackend(api, 'reviews-v1', 1, ns);
      putBackend(api, 'reviews-v2', 1, ns);
      putHttpRoute(api, [
        { matches: [{ headers: [{ name: 'x-canary', value: 'yes' }] }], backendRefs: [{ name: 'reviews-v2', port: 9080 }] },
        { backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 50 }, { name: 'reviews-v2', port: 9080, weight: 50 }] },
      ], { namespace: ns, metadata: { annotations: { 'mesh-bot/stable-subset': 'reviews-v1', 'mesh-bot/canary-subset': 'reviews-v2' } } });
      const run = await terminal('rollback', 'reviews', '-n', ns);
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, /Rule #1 still sends all its traffic to reviews-v2/);
    });
  });
});
