/**
 * Three-way routes next to the two-way split of the other service. The record names reviews; when reviews' only
 * route to its canary is three-way (mesh-bot cannot shift it), a plain rollback must not fall back to the one
 * route it can shift, which is ratings'. And a three-way ratings route left as it is is named as one to change by
 * hand, not as one `--host ratings` would roll back (it would refuse).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { putService, putVirtualService, route, terminal, useKubeconfig, type Destination } from '../breaker-canary/world.ts';

const REVIEWS_RECORD = { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2', 'mesh-bot/canary-host': 'reviews' };
const threeWay = (host: string) => [{ host, subset: 'v1', weight: 80 }, { host, subset: 'v2', weight: 10 }, { host, subset: 'v3', weight: 10 }];
const twoWay = (host: string, stable: number) => [{ host, subset: 'v1', weight: stable }, { host, subset: 'v2', weight: 100 - stable }];

function seed(api: FakeKubeApi, namespace: string, reviews: readonly Destination[], ratings: readonly Destination[]): void {
  putService(api, 'reviews', { v1: 1, v2: 1, v3: 1 }, { namespace });
  putService(api, 'ratings', { v1: 1, v2: 1, v3: 1 }, { namespace });
  putVirtualService(api, [route('reviews', reviews), route('ratings', ratings)], { namespace, name: 'bookinfo', hosts: ['bookinfo.example.com'], metadata: { annotations: REVIEWS_RECORD } });
}

describe('three-way routes on an ingress VirtualService of two services', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    await useKubeconfig(api);
  });
  after(() => api.close());

  it('a plain rollback of the recorded reviews does not roll back ratings because reviews is three-way', async () => {
    seed(api, 'three-reviews', threeWay('reviews'), twoWay('ratings', 90));
    const run = await terminal('rollback', 'bookinfo', '-n', 'three-reviews', '-o', 'json');
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /route "reviews" of bookinfo splits traffic across 3 destinations; mesh-bot only shifts two-way splits/);
  });

  it('names a three-way ratings route as one to change by hand', async () => {
    seed(api, 'three-ratings', twoWay('reviews', 50), threeWay('ratings'));
    const run = await terminal('rollback', 'bookinfo', '-n', 'three-ratings');
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /Route "ratings" of another service \(ratings\) still sends v1 80% \/ v2 10% \/ v3 10%: this rollback changed reviews only; mesh-bot cannot shift it \(three-way\), so change it by hand if it must\./);
  });
});
