/**
 * What people read when one service's record, request or lock meets a command about the other service: the
 * `--to names the canary` refusal, the one-request-per-VirtualService lock, and `canary status -o json`.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import type { FakeSlack } from '../../src/sandbox/slack-api.ts';
import { CONFIG, requestCard, slackWorldPerTest, slashAnswer, terminal, useKubeconfig } from '../breaker-canary/world.ts';
import type { Bot } from '../support/bot.ts';
import { ingressWeights, seedIngress } from './world.ts';

const REVIEWS_RECORD = { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2', 'mesh-bot/canary-host': 'reviews' };
const RATINGS_V2_STABLE = { first: ['v2', 90], second: ['v1', 10] } as const;

describe('one service\'s record and lock, and a command about the other', () => {
  describe('in Slack', () => {
    const world = slackWorldPerTest(CONFIG);
    let api: FakeKubeApi;
    let slack: FakeSlack;
    let bot: Bot;
    beforeEach(() => ({ api, slack, bot } = world()));

    it('a ratings promotion refused by a pending reviews request says whose request holds the VirtualService', async () => {
      seedIngress(api);
      await requestCard(slack, bot, 'canary promote bookinfo --weight 50 --host reviews -n bookinfo');
      const answer = await slashAnswer(slack, bot, 'canary promote bookinfo --weight 30 --host ratings -n bookinfo', /:no_entry:|Approval requested/, 'U0DAVE');
      assert.match(answer, /A promotion of bookinfo\/bookinfo is already pending \(request pr-[0-9a-f]+ by <@U0ALICE> for reviews: v1 90% \/ v2 10% → v1 50% \/ v2 50%\)/);
      assert.deepEqual(ingressWeights(api), [['v1=90', 'v2=10'], ['v1=90', 'v2=10']]);
    });
  });

  describe('in the terminal', () => {
    let api: FakeKubeApi;
    before(async () => {
      api = await startFakeKubeApi();
      await useKubeconfig(api);
    });
    after(() => api.close());

    it('--to naming the recorded reviews canary says the record is reviews\' and that --host names another service', async () => {
      seedIngress(api, { namespace: 'to-canary', ratings: RATINGS_V2_STABLE, annotations: REVIEWS_RECORD });
      const run = await terminal('rollback', 'bookinfo', '--to', 'v2', '-n', 'to-canary');
      assert.equal(run.code, 1, run.out);
      assert.match(run.out, /--to v2 names the canary of reviews on to-canary\/bookinfo \(mesh-bot's record: stable subset v1\), and a rollback never sends traffic to the canary\..*another service's stable, name that service with --host/s);
      const ratings = await terminal('rollback', 'bookinfo', '--to', 'v2', '--host', 'ratings', '-n', 'to-canary', '-o', 'json');
      assert.equal(ratings.code, 0, ratings.out);
      assert.deepEqual((ratings.json()['routes'] as { destinations: { subset: string; weight: number }[] }[]).map((route) => route.destinations.map((destination) => `${destination.subset}=${destination.weight}`)), [['v1=90', 'v2=10'], ['v2=100', 'v1=0']]);
    });

    it('canary status -o json says whose subsets the record names', async () => {
      seedIngress(api, { namespace: 'status-json', annotations: REVIEWS_RECORD });
      const run = await terminal('status', 'bookinfo', '-n', 'status-json', '-o', 'json');
      assert.equal(run.code, 0, run.out);
      assert.deepEqual([run.json()['stableSubset'], run.json()['canarySubset'], run.json()['canaryHost']], ['v1', 'v2', 'reviews']);
    });
  });
});
