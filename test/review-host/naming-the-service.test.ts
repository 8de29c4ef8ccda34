/**
 * When both services call their subsets v1 and v2, "shift traffic of bookinfo to subset v2" does not tell the
 * approver which canary they raise, and the Event of a rollback does not tell `kubectl describe` which service went
 * back. Each names the service; scripts get it in -o json. Typed in Slack, `—host=ratings` is `--host=ratings`.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import type { FakeSlack } from '../../src/sandbox/slack-api.ts';
import { CONFIG, requestCard, slackWorldPerTest, slashAnswer, terminal, useKubeconfig } from '../breaker-canary/world.ts';
import type { Bot } from '../support/bot.ts';
import { buttons } from '../support/blocks.ts';
import { approve, cardNow, ingressWeights, seedIngress } from './world.ts';

describe('naming the service on a VirtualService that splits two', () => {
  describe('in Slack', () => {
    const world = slackWorldPerTest(CONFIG);
    let api: FakeKubeApi;
    let slack: FakeSlack;
    let bot: Bot;
    beforeEach(() => ({ api, slack, bot } = world()));

    it('the approval card names the service whose canary it raises (typed with a smart dash and =)', async () => {
      seedIngress(api);
      const { card } = await requestCard(slack, bot, 'canary promote bookinfo —weight 50 —host=ratings -n bookinfo');
      assert.match(cardNow(slack, card.ts).text, /asks to shift traffic of `bookinfo` in `default\/bookinfo` to subset `v2` of `ratings`/);
      // The notification, which is all some approvers read.
      assert.match(slack.message('C0REL', card.ts)?.text ?? '', /^Canary promotion of bookinfo\/bookinfo \(ratings\) on default v1 90% \/ v2 10% → v1 50% \/ v2 50%: waiting for approval/);
      await bot.slash('canary status bookinfo -n bookinfo', { userId: 'U0DAVE', channelId: 'C0OPS' });
      const status = await slack.waitFor((fake) => fake.responses.map((response) => JSON.stringify(response.body)).find((body) => body.includes('Pending requests')), { timeoutMs: 10_000 });
      assert.match(status, /• pr-[0-9a-f]+ by <@U0ALICE>: ratings v1 90% \/ v2 10% → v1 50% \/ v2 50%, expires/);
      await useKubeconfig(api);
      const terminalStatus = await terminal('status', 'bookinfo', '-n', 'bookinfo');
      assert.match(terminalStatus.out, /Pending requests: pr-[0-9a-f]+ \(ratings: v1 90% \/ v2 10% → v1 50% \/ v2 50%\)/);
    });

    it('the Roll back button\'s confirmation sends the traffic of the card\'s service back, not all of bookinfo', async () => {
      seedIngress(api);
      const { cardTs } = await approve(slack, bot, 'canary promote bookinfo --weight 40 --host ratings -n bookinfo');
      const rollback = buttons(slack.message('C0REL', cardTs)?.blocks ?? []).find((element) => element.action_id === 'canary_rollback') as { confirm?: { text?: { text?: string } } } | undefined;
      assert.equal(rollback?.confirm?.text?.text, 'Send all traffic of ratings on bookinfo/bookinfo back to v1.');
    });

    it('the Event of an approved promotion names the service whose canary it raised', async () => {
      seedIngress(api);
      await approve(slack, bot, 'canary promote bookinfo --weight 40 --host ratings -n bookinfo');
      const events = api.list('v1', 'Event', 'bookinfo') as { message?: string; reason?: string }[];
      assert.deepEqual(events.filter((event) => event.reason === 'WeightsChanged').map((event) => event.message), ['weights v1 90% / v2 10% → v1 60% / v2 40% of ratings requested by <@U0ALICE>, approved by <@U0BOB> via mesh-bot']);
    });

    it('the rollback Event names the service that went back', async () => {
      seedIngress(api, { ratings: [70, 30] });
      await slashAnswer(slack, bot, 'canary rollback bookinfo --to v1 --host ratings -n bookinfo', /Rolled back|:no_entry:/, 'U0DAVE');
      assert.deepEqual(ingressWeights(api), [['v1=90', 'v2=10'], ['v1=100', 'v2=0']]);
      const events = api.list('v1', 'Event', 'bookinfo') as { message?: string; reason?: string }[];
      const rolledBack = events.filter((event) => event.reason === 'WeightsRolledBack').map((event) => event.message);
      assert.deepEqual(rolledBack, ['weights v1 70% / v2 30% → v1 100% / v2 0% of ratings (rollback) by <@U0DAVE> via mesh-bot']);
    });
  });

  describe('in the terminal', () => {
    let api: FakeKubeApi;
    before(async () => {
      api = await startFakeKubeApi();
      await useKubeconfig(api);
    });
    after(() => api.close());

    it('-o json of a promotion and a rollback plan says which service', async () => {
      seedIngress(api, { namespace: 'json-host' });
      const promote = await terminal('promote', 'bookinfo', '--weight', '30', '--host', 'ratings', '-n', 'json-host', '-o', 'json');
      assert.equal(promote.code, 0, promote.out);
      assert.equal(promote.json()['host'], 'ratings');
      const rollback = await terminal('rollback', 'bookinfo', '--to', 'v1', '--host', 'reviews.json-host.svc.cluster.local', '-n', 'json-host', '-o', 'json');
      assert.equal(rollback.code, 0, rollback.out);
      assert.equal(rollback.json()['host'], 'reviews');
    });
  });
});
