/**
 * Outside review 4: real route shapes through the terminal (`mesh-bot canary promote|rollback …` runs the same
 * pre-flight and dry run as Slack and prints the plan, or the refusal). Each test has its own namespace on one API
 * server. Findings: /work/notes/breaker-canary4.md.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { putBackend, putHttpRoute, putService, putVirtualService, route, routeWrites, terminal, useKubeconfig } from '../breaker-canary/world.ts';

const RECORD = { annotations: { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2' } };
const ROUTE_RECORD = { annotations: { 'mesh-bot/stable-subset': 'reviews-v1', 'mesh-bot/canary-subset': 'reviews-v2' } };

type Json = Record<string, unknown>;
/** `subset=weight` (or `Service=weight`) per route of a plan's `routes`. */
function weightsOf(json: Json): string[][] {
  return (json['routes'] as { destinations: { host: string; subset: string | null; weight: number }[] }[]).map((entry) => entry.destinations.map((destination) => `${destination.subset ?? destination.host}=${destination.weight}`));
}

describe('canary route shapes, outside review 4', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    await useKubeconfig(api);
  });
  after(() => api.close());

  describe('a route that does not carry the canary does not block it', () => {
    // An ingress VirtualService: /reviews is the canary split, /ratings a three-version experiment of another team.
    function seedThreeWay(ns: string, metadata: Record<string, unknown> = {}): void {
      putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
      putService(api, 'ratings', { v1: 1, v2: 1, v3: 1 }, { namespace: ns });
      putVirtualService(api, [
        route('reviews', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }], { match: [{ uri: { prefix: '/reviews' } }] }),
        route('ratings', [{ host: 'ratings', subset: 'v1', weight: 80 }, { host: 'ratings', subset: 'v2', weight: 10 }, { host: 'ratings', subset: 'v3', weight: 10 }], { match: [{ uri: { prefix: '/ratings' } }] }),
      ], { namespace: ns, name: 'bookinfo', hosts: ['bookinfo.example.com'], metadata });
    }

    it('promotes the reviews split of a VirtualService whose /ratings route splits three ways (defect: refused for the other route)', async () => {
      const ns = 'unrelated-three-way';
      seedThreeWay(ns);
      const run = await terminal('promote', 'bookinfo', '--weight', '50', '-n', ns, '-o', 'json');
      assert.equal(run.code, 0, run.out);
      assert.deepEqual(weightsOf(run.json()), [['v1=50', 'v2=50'], ['v1=80', 'v2=10', 'v3=10']]);
    });

    it('rolls back past it: the safety exit is not blocked by a route that never carried the canary (defect: refused)', async () => {
      const ns = 'unrelated-three-way-rb';
      seedThreeWay(ns, RECORD);
      const run = await terminal('rollback', 'bookinfo', '-n', ns, '-o', 'json');
      assert.equal(run.code, 0, run.out);
      assert.deepEqual(weightsOf(run.json()), [['v1=100', 'v2=0'], ['v1=80', 'v2=10', 'v3=10']]);
    });

    it('refuses a promotion, and rolls back the rest, when a three-way route of the same service carries the canary', async () => {
      const ns = 'related-three-way';
      putService(api, 'reviews', { v1: 1, v2: 1, v3: 1 }, { namespace: ns });
      putVirtualService(api, [
        route('jason', [{ host: 'reviews', subset: 'v1', weight: 80 }, { host: 'reviews', subset: 'v2', weight: 10 }, { host: 'reviews', subset: 'v3', weight: 10 }], { match: [{ headers: { 'end-user': { exact: 'jason' } } }] }),
        route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }]),
      ], { namespace: ns, metadata: RECORD });
      const promote = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
      assert.equal(promote.code, 1, promote.out);
      assert.match(promote.out, /route "jason" of reviews splits traffic across 3 destinations; mesh-bot only shifts two-way splits/);
      // The safety exit takes the canary off what it can shift and names the rest (defect: refused outright).
      const rollback = await terminal('rollback', 'reviews', '-n', ns, '-o', 'json');
      assert.equal(rollback.code, 0, rollback.out);
      assert.deepEqual(weightsOf(rollback.json()), [['v1=80', 'v2=10', 'v3=10'], ['v1=100', 'v2=0']]);
      const text = await terminal('rollback', 'reviews', '-n', ns);
      assert.match(text.out, /Route "jason" still sends 10% of its traffic to v2 \(mesh-bot only shifts two-way splits between subsets of one service\); change it by hand if v2 must get none\./);
    });

    it('names the three-way route when --subset or --to names a subset only it carries', async () => {
      const ns = 'only-three-way';
      putService(api, 'reviews', { v1: 1, v2: 1, v3: 1 }, { namespace: ns });
      putVirtualService(api, [
        route('beta', [{ host: 'reviews', subset: 'v1', weight: 80 }, { host: 'reviews', subset: 'v2', weight: 10 }, { host: 'reviews', subset: 'v3', weight: 10 }], { match: [{ headers: { 'x-beta': { exact: '1' } } }] }),
        route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }]),
      ], { namespace: ns });
      for (const args of [['promote', 'reviews', '--weight', '50', '--subset', 'v3'], ['rollback', 'reviews', '--to', 'v3']]) {
        const run = await terminal(...args, '-n', ns);
        assert.equal(run.code, 1, run.out);
        assert.match(run.out, /route "beta" of reviews splits traffic across 3 destinations; mesh-bot only shifts two-way splits/);
      }
    });

    it('promotes and rolls back an HTTPRoute whose /api rule sends to a ServiceImport (defect: refused for the other rule)', async () => {
      const ns = 'unrelated-import';
      putBackend(api, 'reviews-v1', 1, ns);
      putBackend(api, 'reviews-v2', 1, ns);
      const rules = [
        { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'api', group: 'multicluster.x-k8s.io', kind: 'ServiceImport', port: 80, weight: 50 }, { name: 'api-local', port: 80, weight: 50 }] },
        { backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }] },
      ];
      putHttpRoute(api, rules, { namespace: ns, metadata: ROUTE_RECORD });
      const promote = await terminal('promote', 'reviews', '--weight', '30', '-n', ns, '-o', 'json');
      assert.equal(promote.code, 0, promote.out);
      assert.deepEqual(weightsOf(promote.json()), [['api=50', 'api-local=50'], ['reviews-v1=70', 'reviews-v2=30']]);
      const rollback = await terminal('rollback', 'reviews', '-n', ns, '-o', 'json');
      assert.equal(rollback.code, 0, rollback.out);
      assert.deepEqual(weightsOf(rollback.json()), [['api=50', 'api-local=50'], ['reviews-v1=100', 'reviews-v2=0']]);
      // The ServiceImport is no Service: status does not call it a Service without pods (defect: "api (no running pods)").
      putBackend(api, 'api-local', 1, ns);
      const status = await terminal('status', 'reviews', '-n', ns);
      assert.equal(status.code, 0, status.out);
      assert.match(status.out, /Backend Services: api-local \(1 running pod\), reviews-v1 \(1 running pod\), reviews-v2 \(1 running pod\)\n/);
      assert.doesNotMatch(status.out, /does not exist/);
    });
  });

  it('rolls back a route whose weights add up to 90 (Istio sends weight/sum; defect: the safety exit was refused)', async () => {
    const ns = 'sum-ninety';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 60 }, { host: 'reviews', subset: 'v2', weight: 30 }])], { namespace: ns, metadata: RECORD });
    const run = await terminal('rollback', 'reviews', '-n', ns, '-o', 'json');
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(weightsOf(run.json()), [['v1=100', 'v2=0']]);
    // A promotion still asks for the route to be fixed first: N % of a sum that is not 100 is not N %.
    const promote = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.equal(promote.code, 1, promote.out);
    assert.match(promote.out, /add up to 90, not 100/);
  });

  it('shows the share Istio really sends when the weights add up to 90 (weight/sum; defect: status said v1 60% / v2 30%)', async () => {
    const ns = 'sum-ninety-status';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 60 }, { host: 'reviews', subset: 'v2', weight: 30 }])], { namespace: ns, metadata: RECORD });
    const status = await terminal('status', 'reviews', '-n', ns, '-o', 'json');
    assert.equal(status.code, 0, status.out);
    assert.deepEqual(weightsOf(status.json()), [['v1=66.7', 'v2=33.3']]);
    const rollback = await terminal('rollback', 'reviews', '-n', ns, '-o', 'json');
    assert.equal(rollback.code, 0, rollback.out);
    assert.deepEqual(weightsOf(rollback.json()), [['v1=100', 'v2=0']]);
  });

  it('names a TCP route that still sends the canary traffic (mesh-bot shifts HTTP routes only; defect: "rolled back" said nothing)', async () => {
    const ns = 'tcp-canary';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    api.put({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: ns, ...RECORD },
      spec: {
        hosts: ['reviews'],
        http: [route('main', [{ host: 'reviews', subset: 'v1', weight: 70 }, { host: 'reviews', subset: 'v2', weight: 30 }])],
        tcp: [{ match: [{ port: 9090 }], route: [{ destination: { host: 'reviews', subset: 'v1', port: { number: 9090 } }, weight: 70 }, { destination: { host: 'reviews', subset: 'v2', port: { number: 9090 } }, weight: 30 }] }],
      },
    });
    const run = await terminal('rollback', 'reviews', '-n', ns);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /TCP route #1 still sends 30% of its traffic to v2 \(mesh-bot shifts HTTP routes only\); change it by hand if v2 must get none\./);
    // A script reading -o json learns it too (defect: only the text said it).
    const json = await terminal('rollback', 'reviews', '-n', ns, '-o', 'json');
    assert.deepEqual(json.json()['leftOnCanary'], ['TCP route #1 still sends 30% of its traffic to v2 (mesh-bot shifts HTTP routes only); change it by hand if v2 must get none.']);
    const promote = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.equal(promote.code, 0, promote.out);
    assert.match(promote.out, /TCP route #1 still sends 30% of its traffic to v2 \(mesh-bot shifts HTTP routes only\)/);
  });

  it('names a route that still mirrors its traffic to the canary (defect: "rolled back" while v2 got a copy of every request)', async () => {
    const ns = 'mirror-canary';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putVirtualService(api, [
      route('shadow', [{ host: 'reviews', subset: 'v1' }], { match: [{ uri: { prefix: '/api' } }], mirror: { host: 'reviews', subset: 'v2' }, mirrorPercentage: { value: 25 } }),
      route('main', [{ host: 'reviews', subset: 'v1', weight: 70 }, { host: 'reviews', subset: 'v2', weight: 30 }]),
    ], { namespace: ns, metadata: RECORD });
    const run = await terminal('rollback', 'reviews', '-n', ns);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /Route "shadow" still mirrors 25% of its requests to v2; remove the mirror by hand if v2 must get none\./);
  });

  it('names an HTTPRoute rule that still mirrors to the canary Service (RequestMirror filter)', async () => {
    const ns = 'mirror-route';
    putBackend(api, 'reviews-v1', 1, ns);
    putBackend(api, 'reviews-v2', 1, ns);
    putHttpRoute(api, [
      { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v2', port: 9080 } } }], backendRefs: [{ name: 'reviews-v1', port: 9080 }] },
      { backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 70 }, { name: 'reviews-v2', port: 9080, weight: 30 }] },
    ], { namespace: ns, metadata: ROUTE_RECORD });
    const run = await terminal('rollback', 'reviews', '-n', ns);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /Rule #1 still mirrors 100% of its requests to reviews-v2; remove the mirror by hand if reviews-v2 must get none\./);
  });

  it('does not say "already sends 0%" and nothing more while a header route sends everything to the canary (defect: the no-op hid it)', async () => {
    const ns = 'noop-testers';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putVirtualService(api, [
      route('testers', [{ host: 'reviews', subset: 'v2' }], { match: [{ headers: { 'end-user': { exact: 'jason' } } }] }),
      route('main', [{ host: 'reviews', subset: 'v1', weight: 100 }, { host: 'reviews', subset: 'v2', weight: 0 }]),
    ], { namespace: ns, metadata: RECORD });
    const run = await terminal('rollback', 'reviews', '-n', ns);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /already sends 0% to v2/);
    assert.match(run.out, /Route "testers" still sends all its traffic to v2/);
  });

  it('refuses a rollback onto a subset the DestinationRule no longer defines (defect: planned all traffic onto a subset Istio cannot route)', async () => {
    const ns = 'stable-undefined';
    // v2 reached 100 % and the v1 subset was cleaned out of the DestinationRule; the record still calls v1 stable.
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    api.put({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: ns }, spec: { host: 'reviews', subsets: [{ name: 'v2', labels: { version: 'v2' } }] } });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 0 }, { host: 'reviews', subset: 'v2', weight: 100 }])], { namespace: ns, metadata: RECORD });
    const run = await terminal('rollback', 'reviews', '-n', ns);
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /Rolling back would send all traffic of stable-undefined\/reviews to subset v1, which DestinationRule stable-undefined\/reviews does not define; nothing was changed\. Add v1 to it first, or say which subset gets 100 % with --to/);
    const bare = 'stable-no-rule';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: bare, subsets: false });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 0 }, { host: 'reviews', subset: 'v2', weight: 100 }])], { namespace: bare, metadata: RECORD });
    const none = await terminal('rollback', 'reviews', '-n', bare);
    assert.equal(none.code, 1, none.out);
    assert.match(none.out, /Rolling back would send all traffic of stable-no-rule\/reviews to subset v1, which no DestinationRule defines for reviews; nothing was changed\./);
  });

  it('shows a single destination written with weight 0 at 100 %, as Istio routes it (defect: status said 0 %)', async () => {
    const ns = 'single-zero';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    // Someone "turned the testers off" by hand: Istio ignores the weight of a route's only destination.
    putVirtualService(api, [
      route('testers', [{ host: 'reviews', subset: 'v2', weight: 0 }], { match: [{ headers: { 'end-user': { exact: 'jason' } } }] }),
      route('main', [{ host: 'reviews', subset: 'v1', weight: 100 }, { host: 'reviews', subset: 'v2', weight: 0 }]),
    ], { namespace: ns, metadata: RECORD });
    const status = await terminal('status', 'reviews', '-n', ns, '-o', 'json');
    assert.equal(status.code, 0, status.out);
    assert.deepEqual(weightsOf(status.json()), [['v2=100'], ['v1=100', 'v2=0']]);
    const rollback = await terminal('rollback', 'reviews', '-n', ns);
    assert.match(rollback.out, /Route "testers" still sends all its traffic to v2/);
  });

  it('does not say a single backendRef of weight 0 still sends the canary all its traffic (it sends none)', async () => {
    const ns = 'single-zero-route';
    putBackend(api, 'reviews-v1', 1, ns);
    putBackend(api, 'reviews-v2', 1, ns);
    putHttpRoute(api, [
      { matches: [{ headers: [{ name: 'end-user', value: 'jason' }] }], backendRefs: [{ name: 'reviews-v2', port: 9080, weight: 0 }] },
      { backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 50 }, { name: 'reviews-v2', port: 9080, weight: 50 }] },
    ], { namespace: ns, metadata: ROUTE_RECORD });
    const run = await terminal('rollback', 'reviews', '-n', ns);
    assert.equal(run.code, 0, run.out);
    assert.doesNotMatch(run.out, /still sends all its traffic/);
  });

  it('checks every backend Service of the canary\'s name, in each namespace a rule names (defect: only the first was checked)', async () => {
    const ns = 'two-canaries';
    putBackend(api, 'reviews-v1', 1, ns);
    putBackend(api, 'reviews-v2', 1, 'canary-team');
    putBackend(api, 'reviews-v2', 0, ns);
    putHttpRoute(api, [
      { matches: [{ headers: [{ name: 'x-team', value: 'canary' }] }], backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', namespace: 'canary-team', port: 9080, weight: 10 }] },
      { backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }] },
    ], { namespace: ns });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /Service two-canaries\/reviews-v2 selects no running pods \(or does not exist\); traffic sent there would fail/);
  });

  it('checks the pods of every subset a promotion raises, not only the stable and canary (defect: 50 % to a subset without pods passed)', async () => {
    const ns = 'third-subset';
    // v2 is the canary of the main route and the stable of the beta route, which tries v3 (no pods left).
    putService(api, 'reviews', { v1: 1, v2: 1, v3: 0 }, { namespace: ns });
    putVirtualService(api, [
      route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }], { match: [{ uri: { prefix: '/' } }] }),
      route('beta', [{ host: 'reviews', subset: 'v2', weight: 90 }, { host: 'reviews', subset: 'v3', weight: 10 }]),
    ], { namespace: ns });
    const run = await terminal('promote', 'reviews', '--subset', 'v2', '--weight', '50', '-n', ns);
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /Subset v3 \(version=v3\) selects no running pods in third-subset; traffic sent there would fail/);
    assert.deepEqual(routeWrites(api).filter((request) => request.path.includes(`/${ns}/`)), []);
  });
});
