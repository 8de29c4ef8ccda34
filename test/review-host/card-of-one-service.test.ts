/**
 * Two services on one ingress VirtualService: what happens to one service's canary never shows on the card of the
 * other's promotion. A ratings change is not "superseded by a request that changed the weights again", a ratings
 * rollback is not a reviews rollback, and the reviews card's Roll back button rolls back reviews, whatever the
 * record on the VirtualService names last.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import type { FakeSlack } from '../../src/sandbox/slack-api.ts';
import { CONFIG, slackWorldPerTest, slashAnswer } from '../breaker-canary/world.ts';
import type { Bot } from '../support/bot.ts';
import { approve, cardNow, ingressWeights, seedIngress } from './world.ts';

describe('the card of one service on a VirtualService that splits two', () => {
  const world = slackWorldPerTest(CONFIG);
  let api: FakeKubeApi;
  let slack: FakeSlack;
  let bot: Bot;
  beforeEach(() => ({ api, slack, bot } = world()));

  async function clickRollBack(id: string, cardTs: string): Promise<string> {
    await bot.click({ actionId: 'canary_rollback', value: id, userId: 'U0DAVE', channelId: 'C0REL', messageTs: cardTs });
    const reply = await slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.threadTs === cardTs && /Rolled back by <@U0DAVE>/.test(message.text ?? '')), { timeoutMs: 10_000 });
    return reply.text ?? '';
  }

  it('a ratings rollback leaves the reviews promotion in force on its card, and its Roll back button rolls back reviews', async () => {
    seedIngress(api);
    const { cardTs, id } = await approve(slack, bot, 'canary promote bookinfo --weight 50 --host reviews -n bookinfo');
    const answer = await slashAnswer(slack, bot, 'canary rollback bookinfo --to v1 --host ratings -n bookinfo', /Rolled back|:no_entry:/, 'U0DAVE');
    assert.match(answer, /^Rolled back bookinfo\/bookinfo on default: v1 90% \/ v2 10% → v1 100% \/ v2 0%/);
    assert.deepEqual(ingressWeights(api), [['v1=50', 'v2=50'], ['v1=100', 'v2=0']]);
    // The reviews card must not claim its canary went back: reviews v2 still gets half the traffic.
    const card = cardNow(slack, cardTs);
    assert.doesNotMatch(card.text, /Rolled back/i, 'the reviews card does not say it was rolled back');
    assert.ok(card.rollback, 'the reviews card still offers Roll back');

    const reply = await clickRollBack(id, cardTs);
    assert.match(reply, /v2 back to 0% \(v1 50% \/ v2 50% → v1 100% \/ v2 0%\)/);
    assert.deepEqual(ingressWeights(api), [['v1=100', 'v2=0'], ['v1=100', 'v2=0']]);
  });

  it('a ratings promotion does not supersede the reviews card, whose Roll back button then rolls back reviews only', async () => {
    seedIngress(api);
    const reviews = await approve(slack, bot, 'canary promote bookinfo --weight 50 --host reviews -n bookinfo');
    await approve(slack, bot, 'canary promote bookinfo --weight 40 --host ratings -n bookinfo');
    assert.deepEqual(ingressWeights(api), [['v1=50', 'v2=50'], ['v1=60', 'v2=40']]);

    const reply = await clickRollBack(reviews.id, reviews.cardTs);
    assert.match(reply, /v2 back to 0% \(v1 50% \/ v2 50% → v1 100% \/ v2 0%\)/);
    assert.deepEqual(ingressWeights(api), [['v1=100', 'v2=0'], ['v1=60', 'v2=40']], 'reviews went back, ratings kept its canary');
    const thread = slack.messages('C0REL').filter((message) => message.threadTs === reviews.cardTs).map((message) => message.text ?? '');
    assert.ok(!thread.some((text) => /Superseded/.test(text)), `the ratings request did not change the reviews weights: ${thread.join(' | ')}`);
    assert.doesNotMatch(cardNow(slack, reviews.cardTs).text, /Superseded/);
  });

  it('a second reviews promotion still supersedes the first reviews card', async () => {
    seedIngress(api);
    const first = await approve(slack, bot, 'canary promote bookinfo --weight 30 --host reviews -n bookinfo');
    await approve(slack, bot, 'canary promote bookinfo --weight 60 --host reviews.bookinfo.svc.cluster.local -n bookinfo');
    await slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.threadTs === first.cardTs && /^Superseded: /.test(message.text ?? '')), { timeoutMs: 10_000 });
    await slack.waitFor((fake) => (/Superseded/.test(JSON.stringify(fake.message('C0REL', first.cardTs)?.blocks ?? [])) ? true : undefined), { timeoutMs: 10_000 });
    assert.equal(cardNow(slack, first.cardTs).rollback, false);
  });
});

describe('a rollback of the service whose promotion did not land last', () => {
  const world = slackWorldPerTest(CONFIG);
  let api: FakeKubeApi;
  let slack: FakeSlack;
  let bot: Bot;
  beforeEach(() => ({ api, slack, bot } = world()));

  it('marks the reviews promotion rolled back on its card, though a ratings promotion landed after it', async () => {
    seedIngress(api);
    const reviews = await approve(slack, bot, 'canary promote bookinfo --weight 50 --host reviews -n bookinfo');
    const ratings = await approve(slack, bot, 'canary promote bookinfo --weight 40 --host ratings -n bookinfo');
    const answer = await slashAnswer(slack, bot, 'canary rollback bookinfo --host reviews -n bookinfo', /Rolled back|:no_entry:/, 'U0DAVE');
    assert.match(answer, /^Rolled back bookinfo\/bookinfo on default: v1 50% \/ v2 50% → v1 100% \/ v2 0%/);
    assert.deepEqual(ingressWeights(api), [['v1=100', 'v2=0'], ['v1=60', 'v2=40']]);
    const reviewsCard = cardNow(slack, reviews.cardTs);
    assert.match(reviewsCard.text, /Rolled back\* by <@U0DAVE>/, 'the reviews card no longer claims v2 has half the traffic');
    assert.equal(reviewsCard.rollback, false);
    const ratingsCard = cardNow(slack, ratings.cardTs);
    assert.doesNotMatch(ratingsCard.text, /Rolled back/, 'ratings still runs its canary');
    assert.ok(ratingsCard.rollback);
  });
});
