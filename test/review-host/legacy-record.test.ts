/**
 * A record written before mesh-bot kept the service (stable-subset and canary-subset, no canary-host) on an ingress
 * VirtualService that splits two services: it may be either service's, so a `--host` command about one of them
 * must not take it as that service's. Here ratings runs v2 as its stable and tries v1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { putService, putVirtualService, route, terminal, useKubeconfig } from '../breaker-canary/world.ts';
import { seedIngress } from './world.ts';

const LEGACY_RECORD = { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2' };
const RATINGS_V1_CANARY = { first: ['v2', 90], second: ['v1', 10] } as const;
type PlannedRoute = { destinations: { subset: string; weight: number }[] };
const planned = (json: Record<string, unknown>) => (json['routes'] as PlannedRoute[]).map((route) => route.destinations.map((destination) => `${destination.subset}=${destination.weight}`));

describe('a record without its service on a VirtualService of two services', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    await useKubeconfig(api);
  });
  after(() => api.close());

  it('a rollback --host ratings does not send all of ratings to v1, its canary, on the strength of that record', async () => {
    seedIngress(api, { namespace: 'legacy-rollback', ratings: RATINGS_V1_CANARY, annotations: LEGACY_RECORD });
    const run = await terminal('rollback', 'bookinfo', '--host', 'ratings', '-n', 'legacy-rollback', '-o', 'json');
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /mesh-bot has no record of which subset of legacy-rollback\/bookinfo is stable/);
  });

  it('a promotion --host ratings takes ratings\' canary from its weights', async () => {
    seedIngress(api, { namespace: 'legacy-promote', ratings: RATINGS_V1_CANARY, annotations: LEGACY_RECORD });
    const run = await terminal('promote', 'bookinfo', '--weight', '30', '--host', 'ratings', '-n', 'legacy-promote', '-o', 'json');
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(planned(run.json()), [['v1=90', 'v2=10'], ['v2=70', 'v1=30']]);
  });

  it('on a VirtualService of one service the record still decides, with or without --host', async () => {
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: 'legacy-one' });
    putVirtualService(api, [route('reviews', [{ host: 'reviews', subset: 'v1', weight: 60 }, { host: 'reviews', subset: 'v2', weight: 40 }])], { namespace: 'legacy-one', name: 'bookinfo', hosts: ['bookinfo.example.com'], metadata: { annotations: LEGACY_RECORD } });
    const run = await terminal('rollback', 'bookinfo', '--host', 'reviews.legacy-one', '-n', 'legacy-one', '-o', 'json');
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(planned(run.json())[0], ['v1=100', 'v2=0']);
  });
});
