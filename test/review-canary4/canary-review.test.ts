/**
 * Review 4 of the canary changes of breaker-canary4 (unshiftable routes, rollback leftovers, controller owners,
 * the widened "nothing to change"). Through the terminal (the same pre-flight and dry run as Slack) on the
 * in-process API server, and the planner itself where the written patch is the point. Findings:
 * /work/notes/review-canary4.md.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { planWeights } from '../../src/mesh/canary/plan.ts';
import { virtualServiceSchema } from '../../src/mesh/canary/virtual-service.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { putService, putVirtualService, route, routeWrites, terminal, useKubeconfig } from '../breaker-canary/world.ts';

const RECORD = { annotations: { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2' } };
const SPLIT = [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])];

describe('canary review 4', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    await useKubeconfig(api);
  });
  after(() => api.close());

  it('a no-op rollback names the testers route also when another route splits the stable with a second host', async () => {
    const ns = 'noop-two-hosts';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putService(api, 'reviews-next', { v1: 1 }, { namespace: ns });
    // The ingress moves /reviews to a rewritten service (no subsets there yet): a two-host split mesh-bot leaves alone.
    putVirtualService(api, [
      route('testers', [{ host: 'reviews', subset: 'v2' }], { match: [{ headers: { 'end-user': { exact: 'jason' } } }] }),
      route('migration', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews-next', weight: 10 }], { match: [{ uri: { prefix: '/next' } }] }),
      route('main', [{ host: 'reviews', subset: 'v1', weight: 100 }, { host: 'reviews', subset: 'v2', weight: 0 }]),
    ], { namespace: ns, metadata: RECORD });
    const run = await terminal('rollback', 'reviews', '-n', ns);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /already sends 0% to v2/);
    assert.match(run.out, /Route "testers" still sends all its traffic to v2/);
  });

  it('a refusal whose route name reads "; nothing to change. " is still a refusal, not a green no-op', async () => {
    const ns = 'name-injection';
    putService(api, 'reviews', { v1: 1, v2: 1, v3: 1 }, { namespace: ns });
    putVirtualService(api, [
      route('beta; nothing to change. really', [{ host: 'reviews', subset: 'v1', weight: 80 }, { host: 'reviews', subset: 'v2', weight: 10 }, { host: 'reviews', subset: 'v3', weight: 10 }], { match: [{ headers: { 'x-beta': { exact: '1' } } }] }),
      ...SPLIT,
    ], { namespace: ns });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /splits traffic across 3 destinations/);
    assert.doesNotMatch(run.out, /Nothing to do/);
  });

  it('an ownerReference with controller: false, or none, does not refuse; controller: true does', async () => {
    for (const [ns, controller, code] of [['owner-false', false, 0], ['owner-absent', undefined, 0], ['owner-true', true, 1]] as const) {
      putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
      const reference = { apiVersion: 'apps.example.com/v1', kind: 'ShopRelease', name: 'reviews', uid: `u-${ns}`, ...(controller === undefined ? {} : { controller }) };
      putVirtualService(api, SPLIT, { namespace: ns, metadata: { ownerReferences: [reference] } });
      const promote = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
      assert.equal(promote.code, code, `${ns}: ${promote.out}`);
      const rollback = await terminal('rollback', 'reviews', '-n', ns, '--to', 'v1');
      assert.equal(rollback.code, code, `${ns}: ${rollback.out}`);
      if (code === 1) assert.match(promote.out, /ShopRelease/);
    }
    assert.deepEqual(routeWrites(api).filter((request) => /\/owner-(false|absent|true)\//.test(request.path)), []);
  });

  it('a promotion is refused while a three-way route carries the canary under its FQDN or short name', async () => {
    for (const [ns, spelling] of [['fqdn-three-way', 'reviews.fqdn-three-way.svc.cluster.local'], ['short-three-way', 'reviews']] as const) {
      putService(api, 'reviews', { v1: 1, v2: 1, v3: 1 }, { namespace: ns });
      putVirtualService(api, [
        route('beta', [{ host: spelling, subset: 'v1', weight: 80 }, { host: spelling, subset: 'v2', weight: 10 }, { host: spelling, subset: 'v3', weight: 10 }], { match: [{ headers: { 'x-beta': { exact: '1' } } }] }),
        route('main', [{ host: ns === 'fqdn-three-way' ? 'reviews' : `reviews.${ns}.svc.cluster.local`, subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }]),
      ], { namespace: ns });
      const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
      assert.equal(run.code, 1, `${ns}: ${run.out}`);
      assert.match(run.out, /route "beta" of reviews splits traffic across 3 destinations/);
    }
  });

  it('a rollback of Istio weights adding up to 90 writes 100/0 on every changed route, each fenced by a test of the route as read', () => {
    const vs = virtualServiceSchema.parse({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'shop', resourceVersion: '7' },
      spec: {
        hosts: ['reviews'],
        http: [
          route('a', [{ host: 'reviews', subset: 'v1', weight: 60 }, { host: 'reviews', subset: 'v2', weight: 30 }]),
          route('b', [{ host: 'reviews', subset: 'v2', weight: 5 }, { host: 'reviews', subset: 'v1' }]),
        ],
      },
    });
    const planned = planWeights(vs, { weight: 0, stableSubset: 'v1' });
    assert.ok(planned.ok, planned.ok ? '' : planned.error);
    const ops = planned.value.patch;
    const tests = ops.filter((op) => op.op === 'test' && /^\/spec\/http\/\d+$/.test(op.path));
    assert.deepEqual(tests.map((op) => op.path), ['/spec/http/0', '/spec/http/1']);
    assert.equal((tests[1] as { value: { name: string } }).value.name, 'b');
    const adds = ops.filter((op) => op.op === 'add').map((op) => `${op.path}=${String((op as { value: unknown }).value)}`);
    assert.deepEqual(adds, ['/spec/http/0/route/0/weight=100', '/spec/http/0/route/1/weight=0', '/spec/http/1/route/0/weight=0', '/spec/http/1/route/1/weight=100']);
    // Each add follows the test of its own route, so a route edited since the read fails the whole patch.
    assert.ok(ops.findIndex((op) => op.path === '/spec/http/1') < ops.findIndex((op) => op.path === '/spec/http/1/route/0/weight'));
  });
});
