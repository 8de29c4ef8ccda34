/**
 * Promotions on a VirtualService that splits two services, with mesh-bot's record naming one of them. The record
 * (stable v1, canary v2 of reviews) says nothing about ratings, whose subsets may carry the same names the other way
 * round; and a promotion without --host is refused (README "One VirtualService, several services"), never aimed at
 * the recorded service behind the typist's back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { terminal, useKubeconfig } from '../breaker-canary/world.ts';
import { seedIngress } from './world.ts';

const REVIEWS_RECORD = { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2', 'mesh-bot/canary-host': 'reviews' };
/** ratings runs v2 as its stable and tries v1 (a rollback of a bad v2 release, canaried back in). */
const RATINGS_V1_CANARY = { first: ['v2', 90], second: ['v1', 10] } as const;

type PlannedRoute = { destinations: { subset: string; weight: number }[] };
const planned = (json: Record<string, unknown>) => (json['routes'] as PlannedRoute[]).map((route) => route.destinations.map((destination) => `${destination.subset}=${destination.weight}`));

describe('a promotion with --host next to a record of the other service', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    await useKubeconfig(api);
  });
  after(() => api.close());

  it('takes the canary of ratings from its own weights, not from the reviews record', async () => {
    seedIngress(api, { namespace: 'record-other', ratings: RATINGS_V1_CANARY, annotations: REVIEWS_RECORD });
    const run = await terminal('promote', 'bookinfo', '--weight', '30', '--host', 'ratings', '-n', 'record-other', '-o', 'json');
    assert.equal(run.code, 0, run.out);
    assert.equal(run.json()['canarySubset'], 'v1');
    assert.deepEqual(planned(run.json()), [['v1=90', 'v2=10'], ['v2=70', 'v1=30']], 'ratings v1, its canary, gets 30 %');
  });

  it('does not refuse --subset v1 for ratings because v1 is the stable of reviews on record', async () => {
    seedIngress(api, { namespace: 'record-subset', ratings: RATINGS_V1_CANARY, annotations: REVIEWS_RECORD });
    const run = await terminal('promote', 'bookinfo', '--weight', '30', '--subset', 'v1', '--host', 'ratings', '-n', 'record-subset', '-o', 'json');
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(planned(run.json()), [['v1=90', 'v2=10'], ['v2=70', 'v1=30']]);
  });

  it('still refuses --subset naming the recorded stable of the same service', async () => {
    seedIngress(api, { namespace: 'record-same', annotations: REVIEWS_RECORD });
    const run = await terminal('promote', 'bookinfo', '--weight', '30', '--subset', 'v1', '--host', 'reviews', '-n', 'record-same');
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /--subset v1 names the stable subset of bookinfo on record/);
  });

  it('refuses a promotion without --host although the record names reviews', async () => {
    seedIngress(api, { namespace: 'record-nohost', annotations: REVIEWS_RECORD });
    const run = await terminal('promote', 'bookinfo', '--weight', '50', '-n', 'record-nohost');
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /split the subsets of different services \(reviews\.record-nohost\.svc\.cluster\.local, ratings\.record-nohost\.svc\.cluster\.local\); mesh-bot shifts the canary of one service at a time: say which with --host \(e\.g\. --host reviews\)/);
  });
});
