/**
 * Outside review through signed Slack requests to the real app: what the requester and the approver see, and what
 * was written, for route shapes and clicks the canary authors did not try. Findings: /work/notes/breaker-canary.md.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import type { FakeSlack } from '../../src/sandbox/slack-api.ts';
import { blockText, buttons } from '../support/blocks.ts';
import type { Bot } from '../support/bot.ts';
import { CONFIG, slackWorldPerTest, VS_API, annotationsOf, putService, putVirtualService, requestCard, route, routeWrites, slashAnswer, vsWeights } from './world.ts';

/** Route "jason" splits v1/v2, route "rest" v3/v2: the canary v2 is paired with two different stables. */
function seedMixedPairs(api: FakeKubeApi, name = 'reviews'): void {
  putService(api, 'reviews', { v1: 1, v2: 1, v3: 1 });
  putVirtualService(api, [
    route('jason', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }], { match: [{ headers: { 'end-user': { exact: 'jason' } } }] }),
    route('rest', [{ host: 'reviews', subset: 'v3', weight: 80 }, { host: 'reviews', subset: 'v2', weight: 20 }]),
  ], { name });
}

describe('canary promotion attacked through Slack', () => {
  const world = slackWorldPerTest(CONFIG);
  let api: FakeKubeApi;
  let slack: FakeSlack;
  let bot: Bot;
  beforeEach(() => ({ api, slack, bot } = world()));

  const cardSaying = (ts: string, pattern: RegExp) =>
    slack.waitFor((fake) => {
      const card = fake.message('C0REL', ts);
      return card && pattern.test(blockText(card.blocks)) ? card : undefined;
    }, { timeoutMs: 10_000 });

  it('shows the approver every route a promotion changes, not only the first (defect: route "rest" and v3 were not on the card)', async () => {
    seedMixedPairs(api);
    const { card } = await requestCard(slack, bot, 'canary promote reviews --subset v2 --weight 30 -n bookinfo');
    const text = blockText(card.blocks);
    assert.match(text, /jason: v1 90% \/ v2 10%/);
    assert.match(text, /rest: v3 80% \/ v2 20%/);
    assert.match(text, /jason: v1 70% \/ v2 30%/);
    assert.match(text, /rest: v3 70% \/ v2 30%/);
    assert.match(card.text, /\(and 1 more route\)/, 'the notification says there is more than the first route');
  });

  it('a rollback after a mixed-pair promotion takes the canary to 0 % on every route (defect: "rolled back" while route "jason" kept 30 %)', async () => {
    seedMixedPairs(api);
    const { card, id } = await requestCard(slack, bot, 'canary promote reviews --subset v2 --weight 30 -n bookinfo');
    await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    await cardSaying(card.ts, /proxies in sync|No proxies|STALE/);
    assert.deepEqual(vsWeights(api), [['v1=70', 'v2=30'], ['v3=70', 'v2=30']]);
    const answer = await slashAnswer(slack, bot, 'canary rollback reviews -n bookinfo', /Rolled back|Refused|:no_entry:/, 'U0DAVE');
    assert.match(answer, /^Rolled back bookinfo\/reviews on default: /);
    assert.deepEqual(vsWeights(api), [['v1=100', 'v2=0'], ['v3=100', 'v2=0']]);
    assert.equal(annotationsOf(api, VS_API, 'VirtualService')['mesh-bot/canary-subset'], 'v2');
  });

  it('keeps the audit Event and the weights in the confirm dialog for a 253-character VirtualService name (defect: Event refused, weights cut off)', async () => {
    const name = `${'a'.repeat(125)}.${'b'.repeat(119)}.reviews`;
    putService(api, 'reviews', { v1: 1, v2: 1 });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])], { name });
    const { card, id } = await requestCard(slack, bot, `canary promote ${name} --weight 50 -n bookinfo`);
    const approve = buttons(card.blocks).find((element) => element.action_id === 'canary_approve') as { confirm?: { text?: { text?: string } } } | undefined;
    assert.match(approve?.confirm?.text?.text ?? '', /v1 50% \/ v2 50%/, 'the approver confirms the weights they approve');
    await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    await cardSaying(card.ts, /proxies in sync|No proxies|STALE/);
    assert.deepEqual(vsWeights(api, name), [['v1=50', 'v2=50']]);
    const events = api.list('v1', 'Event', 'bookinfo') as { reason?: string; involvedObject?: { name?: string } }[];
    assert.ok(events.some((event) => event.reason === 'WeightsChanged' && event.involvedObject?.name === name), 'the audit Event names the VirtualService');
  });

  it('refuses an approval whose canary lost its pods since the request, and applies once they run again (defect: approved onto no pods)', async () => {
    putService(api, 'reviews', { v1: 1, v2: 1 });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])]);
    const { card, id } = await requestCard(slack, bot, 'canary promote reviews --weight 50 -n bookinfo');
    const pod = api.get('v1', 'Pod', 'bookinfo', 'reviews-v2-0') as Record<string, unknown>;
    api.put({ ...pod, status: { phase: 'Failed' } });
    await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    const said = await slack.waitFor((fake) => fake.responses.find((response) => /Not approved/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
    assert.equal(said.body['response_type'], 'ephemeral');
    assert.match(String(said.body['text']), /Not approved: subset v2 no longer selects running pods in bookinfo \(checked at approval\), so the approved weights would send traffic nowhere\. Nothing was changed; the request stays pending/);
    assert.deepEqual(vsWeights(api), [['v1=90', 'v2=10']]);
    assert.match(blockText(slack.message('C0REL', card.ts)?.blocks), /Waiting for approval/);

    api.put({ ...pod, status: { phase: 'Running' } });
    await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    await cardSaying(card.ts, /proxies in sync|No proxies|STALE/);
    assert.deepEqual(vsWeights(api), [['v1=50', 'v2=50']]);
  });

  it('says what the API server refused when the approved write fails validation, instead of "changed since the request" (defect)', async () => {
    putService(api, 'reviews', { v1: 1, v2: 1 });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])]);
    const { card, id } = await requestCard(slack, bot, 'canary promote reviews --weight 50 -n bookinfo');
    // A policy added after the request's dry run: the apiserver answers 422 Invalid with the field it refused.
    const message = 'VirtualService.networking.istio.io "reviews" is invalid: metadata.annotations[mesh-bot/canary-subset]: Forbidden: annotations under mesh-bot/ are reserved by policy reserved-annotations';
    api.failNext({ method: 'PATCH', pathPattern: /virtualservices\/reviews$/, status: 422, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Invalid', details: { name: 'reviews', group: 'networking.istio.io', kind: 'VirtualService', causes: [] }, code: 422 } });
    await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    const failed = await cardSaying(card.ts, /not applied/);
    const text = blockText(failed.blocks);
    assert.match(text, /not applied\*: The API server refused the weight change: VirtualService\.networking\.istio\.io "reviews" is invalid: metadata\.annotations\[mesh-bot\/canary-subset\]: Forbidden/);
    assert.doesNotMatch(text, /changed since the request was made/);
    assert.deepEqual(vsWeights(api), [['v1=90', 'v2=10']]);
  });

  describe('clicks and races that held', () => {
    it('refuses an approval after a rejection, and writes nothing', async () => {
      seedMixedPairs(api);
      const { card, id } = await requestCard(slack, bot, 'canary promote reviews --subset v2 --weight 30 -n bookinfo');
      await bot.click({ actionId: 'canary_reject', value: id, userId: 'U0CAROL', channelId: 'C0REL', messageTs: card.ts });
      await cardSaying(card.ts, /Rejected\* by <@U0CAROL>/);
      await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
      const said = await slack.waitFor((fake) => fake.responses.find((response) => /already rejected/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
      assert.match(String(said.body['text']), /This promotion was already rejected by <@U0CAROL>\./);
      assert.deepEqual(routeWrites(api).filter((request) => request.method === 'PATCH').length, 2, 'the owner annotation claimed and released, no weight');
      assert.deepEqual(vsWeights(api), [['v1=90', 'v2=10'], ['v3=80', 'v2=20']]);
    });

    it('lets only one of two promotions of the same route typed at the same moment through', async () => {
      seedMixedPairs(api);
      const [one, two] = await Promise.all([
        bot.slash('canary promote reviews --subset v2 --weight 30 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' }),
        bot.slash('canary promote reviews --subset v2 --weight 60 -n bookinfo', { userId: 'U0DAVE', channelId: 'C0OPS' }),
      ]);
      assert.equal(one.http.status, 200);
      assert.equal(two.http.status, 200);
      await slack.waitFor((fake) => fake.responses.find((response) => /already pending|starting right now|at the same moment/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
      await slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.via === 'api' && message.threadTs === undefined), { timeoutMs: 10_000 });
      assert.equal(slack.messages('C0REL').filter((message) => message.via === 'api' && message.threadTs === undefined).length, 1, 'one card');
    });
  });
});
