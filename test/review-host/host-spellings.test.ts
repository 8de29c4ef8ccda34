/**
 * --host as people type it against routes spelled in several ways, and a rollback with nothing to change for the
 * named service while the other one still runs its canary.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { putService, putVirtualService, route, terminal, useKubeconfig } from '../breaker-canary/world.ts';
import { seedIngress } from './world.ts';

describe('--host against the hosts the routes name', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    await useKubeconfig(api);
  });
  after(() => api.close());

  it('an ingress VirtualService in istio-system naming the services by FQDN takes --host reviews.bookinfo', async () => {
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: 'bookinfo' });
    putService(api, 'ratings', { v1: 1, v2: 1 }, { namespace: 'bookinfo' });
    const fqdn = (service: string) => `${service}.bookinfo.svc.cluster.local`;
    putVirtualService(api, [
      route('reviews', [{ host: fqdn('reviews'), subset: 'v1', weight: 90 }, { host: fqdn('reviews'), subset: 'v2', weight: 10 }]),
      route('ratings', [{ host: fqdn('ratings'), subset: 'v1', weight: 80 }, { host: fqdn('ratings'), subset: 'v2', weight: 20 }]),
    ], { namespace: 'istio-system', name: 'bookinfo', hosts: ['bookinfo.example.com'], metadata: { annotations: { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2', 'mesh-bot/canary-host': fqdn('reviews') } } });
    const short = await terminal('rollback', 'bookinfo', '--host', 'reviews', '-n', 'istio-system');
    assert.equal(short.code, 1, short.out);
    assert.match(short.out, /no route of VirtualService bookinfo splits the subsets of reviews; its weighted routes split the subsets of reviews\.bookinfo\.svc\.cluster\.local, ratings\.bookinfo\.svc\.cluster\.local/);
    const run = await terminal('rollback', 'bookinfo', '--host', 'reviews.bookinfo', '-n', 'istio-system');
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /Route "ratings" of another service \(ratings\.bookinfo\.svc\.cluster\.local\) still sends v1 80% \/ v2 20%: this rollback changed reviews\.bookinfo\.svc\.cluster\.local only; `canary rollback bookinfo -n istio-system --host ratings\.bookinfo\.svc\.cluster\.local` rolls it back\./);
  });

  it('a --host that matches two hosts the routes name says so instead of asking for --host', async () => {
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: 'two-literal' });
    // `reviews.two-literal` is taken as written by Istio (a ServiceEntry's host), not as the Service reviews.
    putVirtualService(api, [
      route('service', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }]),
      route('entry', [{ host: 'reviews.two-literal', subset: 'v1', weight: 90 }, { host: 'reviews.two-literal', subset: 'v2', weight: 10 }]),
    ], { namespace: 'two-literal', name: 'bookinfo', hosts: ['bookinfo.example.com'] });
    const run = await terminal('promote', 'bookinfo', '--weight', '30', '--host', 'reviews.two-literal', '-n', 'two-literal');
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /--host reviews\.two-literal matches the subsets of several hosts the routes name \(reviews\.two-literal\.svc\.cluster\.local, reviews\.two-literal\); name one as the routes spell it/);
  });

  it('a rollback with nothing to change for ratings still names the reviews canary', async () => {
    seedIngress(api, { namespace: 'noop-other', reviews: [50, 50], ratings: [100, 0] });
    const run = await terminal('rollback', 'bookinfo', '--to', 'v1', '--host', 'ratings', '-n', 'noop-other');
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /bookinfo already sends 0% to v2; nothing to change/);
    assert.match(run.out, /Route "reviews" of another service \(reviews\) still sends v1 50% \/ v2 50%: this rollback changed ratings only; `canary rollback bookinfo -n noop-other --host reviews` rolls it back\./);
  });
});
