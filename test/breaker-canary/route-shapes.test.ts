/**
 * Outside review, through the terminal (`mesh-bot canary promote|rollback …` runs the same pre-flight and dry run as
 * Slack and prints the plan): route shapes and owners the canary authors did not seed. Each test has its own
 * namespace on one API server. Findings: /work/notes/breaker-canary.md.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { ROUTE_API, VS_API, putBackend, putHttpRoute, putService, putVirtualService, route, routeWrites, terminal, useKubeconfig } from './world.ts';

describe('canary route shapes and owners, through the terminal', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    await useKubeconfig(api);
  });
  after(() => api.close());

  it('checks the pods of the service the split routes to, not of the first route\'s host (defect: a v2 without pods passed)', async () => {
    const ns = 'first-host';
    // Route #1 sends /legacy to ratings, whose DestinationRule also has v1 and v2 with running pods.
    putService(api, 'ratings', { v1: 1, v2: 1 }, { namespace: ns });
    putService(api, 'reviews', { v1: 1, v2: 0 }, { namespace: ns });
    putVirtualService(api, [route('legacy', [{ host: 'ratings' }], { match: [{ uri: { prefix: '/legacy' } }] }), route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])], { namespace: ns });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.notEqual(run.code, 0, run.out);
    assert.match(run.out, /Subset v2 \(version=v2\) selects no running pods in first-host; traffic sent there would fail/);
  });

  it('finds the DestinationRule of the split\'s host when another route comes first (defect: refused as "no DestinationRule")', async () => {
    const ns = 'first-host-ok';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putService(api, 'ratings', {}, { namespace: ns, subsets: false });
    putVirtualService(api, [route('legacy', [{ host: 'ratings' }], { match: [{ uri: { prefix: '/legacy' } }] }), route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])], { namespace: ns });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns, '-o', 'json');
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(run.json()['routes'], [
      { name: 'legacy', destinations: [{ host: 'ratings', subset: null, weight: 100 }] },
      { name: 'main', destinations: [{ host: 'reviews', subset: 'v1', weight: 50 }, { host: 'reviews', subset: 'v2', weight: 50 }] },
    ]);
  });

  it('treats reviews and reviews.NS.svc.cluster.local as one service (defect: refused as "two hosts")', async () => {
    const ns = 'fqdn';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: `reviews.${ns}.svc.cluster.local`, subset: 'v2', weight: 10 }])], { namespace: ns });
    const run = await terminal('promote', 'reviews', '--weight', '20', '-n', ns, '-o', 'json');
    assert.equal(run.code, 0, run.out);
    assert.deepEqual([run.json()['stableSubset'], run.json()['canarySubset'], run.json()['weight']], ['v1', 'v2', 20]);
    // Istio expands only a name without a dot (ResolveShortnameToFQDN): `reviews.fqdn` is another host to it.
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: `reviews.${ns}`, subset: 'v2', weight: 10 }])], { namespace: ns });
    const literal = await terminal('promote', 'reviews', '--weight', '20', '-n', ns);
    assert.equal(literal.code, 1, literal.out);
    assert.match(literal.out, /route "main" of reviews splits between two hosts \(reviews, reviews\.fqdn\), not two subsets of one service/);
  });

  it('finds the DestinationRule and pods in the service\'s namespace for a VirtualService in another one (defect: refused)', async () => {
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: 'backend' });
    const host = 'reviews.backend.svc.cluster.local';
    putVirtualService(api, [route('main', [{ host, subset: 'v1', weight: 90 }, { host, subset: 'v2', weight: 10 }])], { namespace: 'frontend', hosts: [host] });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', 'frontend', '-o', 'json');
    assert.equal(run.code, 0, run.out);
    assert.ok((run.json()['preflight'] as string[]).includes('Subset v2: 1 running pod'), run.out);
  });

  it('counts the pods of a backendRef in another namespace there (defect: counted a same-named Service of the route\'s namespace)', async () => {
    const ns = 'xns-route';
    putBackend(api, 'reviews-v1', 1, ns);
    putBackend(api, 'reviews-v2', 1, ns);
    putBackend(api, 'reviews-v2', 0, 'canary');
    putHttpRoute(api, [{ backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', namespace: 'canary', port: 9080, weight: 10 }] }], { namespace: ns });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.notEqual(run.code, 0, run.out);
    assert.match(run.out, /Service canary\/reviews-v2 selects no running pods/);
    const status = await terminal('status', 'reviews', '-n', ns);
    assert.match(status.out, /Backend Services: reviews-v1 \(1 running pod\), canary\/reviews-v2 \(no running pods\)/);
  });

  it('refuses a VirtualService an Argo Rollout names as NAME.NAMESPACE (defect: not seen as owned)', async () => {
    const ns = 'argo-qualified';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])], { namespace: ns });
    api.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'reviews', namespace: ns }, spec: { strategy: { canary: { trafficRouting: { istio: { virtualService: { name: `reviews.${ns}` } } } } } } });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.notEqual(run.code, 0, run.out);
    assert.match(run.out, new RegExp(`Argo Rollouts manages VirtualService ${ns}/reviews \\(Rollout ${ns}/reviews routes traffic through it\\)`));
  });

  it('refuses a VirtualService an Argo Rollout in another namespace edits (defect: only the route\'s namespace was searched)', async () => {
    const ns = 'argo-remote';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])], { namespace: ns });
    api.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'reviews-rollout', namespace: 'delivery' }, spec: { strategy: { canary: { trafficRouting: { istio: { virtualServices: [{ name: `reviews.${ns}` }] } } } } } });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.notEqual(run.code, 0, run.out);
    assert.match(run.out, /Argo Rollouts manages VirtualService argo-remote\/reviews \(Rollout delivery\/reviews-rollout routes traffic through it\), so mesh-bot will not patch it\.[^]*kubectl argo rollouts promote reviews-rollout -n delivery/);
  });

  it('refuses an HTTPRoute the Argo Gateway API plugin edits from a Rollout in another namespace (defect: not seen as owned)', async () => {
    const ns = 'argo-plugin-remote';
    putBackend(api, 'reviews-v1', 1, ns);
    putBackend(api, 'reviews-v2', 1, ns);
    putHttpRoute(api, [{ backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }] }], { namespace: ns });
    api.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'reviews', namespace: 'delivery' }, spec: { strategy: { canary: { trafficRouting: { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'reviews', namespace: ns } } } } } } });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.notEqual(run.code, 0, run.out);
    assert.match(run.out, /Argo Rollouts manages HTTPRoute argo-plugin-remote\/reviews \(Rollout delivery\/reviews routes traffic through it\)/);
  });

  it('rolls the canary back to 0 % on every route that carries it, whatever it is paired with (defect: the other route kept it)', async () => {
    const ns = 'mixed-rollback';
    putService(api, 'reviews', { v1: 1, v2: 1, v3: 1 }, { namespace: ns });
    // What mesh-bot recorded after `promote --subset v2 --weight 30` on routes v1/v2 and v3/v2.
    putVirtualService(
      api,
      [route('jason', [{ host: 'reviews', subset: 'v1', weight: 70 }, { host: 'reviews', subset: 'v2', weight: 30 }], { match: [{ headers: { 'end-user': { exact: 'jason' } } }] }), route('rest', [{ host: 'reviews', subset: 'v3', weight: 70 }, { host: 'reviews', subset: 'v2', weight: 30 }])],
      { namespace: ns, metadata: { annotations: { 'mesh-bot/stable-subset': 'v3', 'mesh-bot/canary-subset': 'v2' } } },
    );
    const recorded = await terminal('rollback', 'reviews', '-n', ns, '-o', 'json');
    assert.equal(recorded.code, 0, recorded.out);
    const weightsOf = (json: Record<string, unknown>) => (json['routes'] as { destinations: { subset: string; weight: number }[] }[]).map((entry) => entry.destinations.map((destination) => `${destination.subset}=${destination.weight}`));
    assert.deepEqual(weightsOf(recorded.json()), [['v1=100', 'v2=0'], ['v3=100', 'v2=0']]);
    const named = await terminal('rollback', 'reviews', '-n', ns, '--to', 'v1', '-o', 'json');
    assert.equal(named.code, 0, named.out);
    assert.deepEqual(weightsOf(named.json()), [['v1=100', 'v2=0'], ['v3=100', 'v2=0']]);
  });

  it('refuses --subset naming the stable subset on record, which would turn the roles around (defect: the next rollback sent everything to the canary)', async () => {
    const ns = 'swap-roles';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    // After an approved 50 % promotion of v2: mesh-bot's record says v1 is stable.
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 50 }, { host: 'reviews', subset: 'v2', weight: 50 }])], { namespace: ns, metadata: { annotations: { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2' } } });
    const swapped = await terminal('promote', 'reviews', '--subset', 'v1', '--weight', '80', '-n', ns);
    assert.equal(swapped.code, 1, swapped.out);
    assert.match(swapped.out, /--subset v1 names the stable subset of reviews on record \(mesh-bot's last change: stable v1, canary v2\); promoting it would make v2 the stable that a rollback sends all traffic to\. Shift traffic with `--subset v2`/);
    const canary = await terminal('promote', 'reviews', '--subset', 'v2', '--weight', '20', '-n', ns, '-o', 'json');
    assert.equal(canary.code, 0, canary.out);
    assert.deepEqual([canary.json()['stableSubset'], canary.json()['canarySubset']], ['v1', 'v2']);
  });

  it('refuses a rollback onto a stable subset that runs no pods, naming what to do (defect: planned all traffic onto nothing)', async () => {
    const ns = 'stable-gone';
    // v2 reached 100 % and v1 was scaled to 0; the record still calls v1 stable (the card's Roll back is still there).
    putService(api, 'reviews', { v1: 0, v2: 1 }, { namespace: ns });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 0 }, { host: 'reviews', subset: 'v2', weight: 100 }])], { namespace: ns, metadata: { annotations: { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2' } } });
    const run = await terminal('rollback', 'reviews', '-n', ns);
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /Rolling back would send all traffic of stable-gone\/reviews to subset v1, which selects no running pods; nothing was changed\. Scale v1 up first, or say which subset gets 100 % with --to/);
  });

  it('says to use --to when the stable subset on record is no longer in the routes (defect: the refusal said what, not what next)', async () => {
    const ns = 'stale-record';
    putService(api, 'reviews', { v2: 1, v3: 1 }, { namespace: ns });
    // v2 went to 100 % and the VirtualService was edited to split v2/v3; the record still names v1 and v2.
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v2', weight: 80 }, { host: 'reviews', subset: 'v3', weight: 20 }])], { namespace: ns, metadata: { annotations: { 'mesh-bot/stable-subset': 'v1', 'mesh-bot/canary-subset': 'v2' } } });
    const run = await terminal('rollback', 'reviews', '-n', ns);
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /subset "v1" is not a destination of any weighted route of reviews; the routes split between v2\/v3\. mesh-bot's record \(stable v1, canary v2\) is out of date: say which subset gets 100 % with --to, e\.g\. `canary rollback reviews -n stale-record --to v2`/);
  });

  it('refuses a promotion that would shift the canaries of two services at once (defect: an ingress VirtualService\'s /ratings moved with /reviews)', async () => {
    const ns = 'two-services';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putService(api, 'ratings', { v1: 1, v2: 1 }, { namespace: ns });
    putVirtualService(api, [
      route('reviews', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }], { match: [{ uri: { prefix: '/reviews' } }] }),
      route('ratings', [{ host: 'ratings', subset: 'v1', weight: 90 }, { host: 'ratings', subset: 'v2', weight: 10 }], { match: [{ uri: { prefix: '/ratings' } }] }),
    ], { namespace: ns, name: 'bookinfo', hosts: ['bookinfo.example.com'] });
    for (const extra of [[], ['--subset', 'v2']]) {
      const run = await terminal('promote', 'bookinfo', '--weight', '50', '-n', ns, ...extra);
      assert.equal(run.code, 1, run.out);
      assert.match(run.out, /the routes of bookinfo that would change split the subsets of different services \(reviews\.two-services\.svc\.cluster\.local, ratings\.two-services\.svc\.cluster\.local\); mesh-bot shifts the canary of one service at a time/);
    }
  });

  describe('shapes that are refused or planned as they should be (held)', () => {
    for (const [weight, accepted] of [['50%', true], ['050', true], ['101', false], ['-5', false], ['abc', false], ['1e2', false], ['50.5', false], ['５０', false], ['50 %', false]] as const) {
      it(`${accepted ? 'takes' : 'refuses'} --weight ${weight}${accepted ? '' : ' with the usage, before reading the cluster'}`, async () => {
        const before = api.requests.length;
        const run = await terminal('promote', 'reviews', '--weight', weight, '-n', 'weights-held');
        if (accepted) {
          assert.doesNotMatch(run.out, /--weight takes/);
          return;
        }
        assert.equal(run.code, 2, run.out);
        assert.match(run.out, /--weight takes a whole percentage from 0 to 100 \(like 50 or 50%\)|unexpected argument|needs a value/);
        assert.equal(api.requests.length, before, 'nothing was read');
      });
    }

    it('says that —weight (a phone\'s long dash for --) is the flag --weight (defect: "unexpected argument")', async () => {
      const run = await terminal('promote', 'reviews', '\u2014weight', '50', '-n', 'weights-held');
      assert.equal(run.code, 2, run.out);
      assert.match(run.out, /"—weight" looks like the flag --weight with its two dashes turned into one long dash \(phones do that\); type --weight/);
    });

    it('refuses --subset V2 (Istio subset names are lower-case DNS labels) with the usage', async () => {
      const run = await terminal('promote', 'reviews', '--weight', '50', '--subset', 'V2', '-n', 'weights-held');
      assert.equal(run.code, 2, run.out);
      assert.match(run.out, /"V2" is not a valid Kubernetes name\.\nUsage: mesh-bot canary promote VIRTUALSERVICE\|HTTPROUTE --weight PERCENT \[--subset SUBSET\]/);
    });

    it('plans a split route with match, retries, mirror and timeout, and names the route in the plan', async () => {
      const ns = 'rich-route';
      putService(api, 'reviews', { v1: 1, v2: 1, v3: 1 }, { namespace: ns });
      const extra = { match: [{ uri: { prefix: '/api' } }], retries: { attempts: 3, perTryTimeout: '2s' }, mirror: { host: 'reviews', subset: 'v3' }, mirrorPercentage: { value: 5 }, timeout: '10s' };
      putVirtualService(api, [route('api', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }], extra), route('rest', [{ host: 'reviews', subset: 'v1' }])], { namespace: ns });
      const run = await terminal('promote', 'reviews', '--weight', '25%', '-n', ns, '-o', 'json');
      assert.equal(run.code, 0, run.out);
      assert.deepEqual(run.json()['routes'], [
        { name: 'api', destinations: [{ host: 'reviews', subset: 'v1', weight: 75 }, { host: 'reviews', subset: 'v2', weight: 25 }] },
        { name: 'rest', destinations: [{ host: 'reviews', subset: 'v1', weight: 100 }] },
      ]);
      // The dry run sent the fenced patch: the whole route (mirror and retries included) is tested as read.
      const dryRun = api.requests.find((request) => request.method === 'PATCH' && request.path.endsWith(`/namespaces/${ns}/virtualservices/reviews`) && request.query['dryRun'] === 'All');
      assert.ok(dryRun);
      const ops = dryRun.body as { op: string; path: string; value?: Record<string, unknown> }[];
      assert.deepEqual(ops.find((op) => op.path === '/spec/http/0')?.value?.['mirror'], { host: 'reviews', subset: 'v3' });
      assert.deepEqual(ops.filter((op) => op.op === 'add').map((op) => [op.path, op.value]), [['/spec/http/0/route/0/weight', 75], ['/spec/http/0/route/1/weight', 25]]);
    });

    for (const [label, http, expected] of [
      ['weights adding up to 90', [route('main', [{ host: 'reviews', subset: 'v1', weight: 60 }, { host: 'reviews', subset: 'v2', weight: 30 }])], /the weights of route "main" of reviews add up to 90, not 100; fix the VirtualService before promoting/],
      ['a three-way split', [route('main', [{ host: 'reviews', subset: 'v1', weight: 80 }, { host: 'reviews', subset: 'v2', weight: 10 }, { host: 'reviews', subset: 'v3', weight: 10 }])], /splits traffic across 3 destinations; mesh-bot only shifts two-way splits/],
      ['a delegate', [{ name: 'main', delegate: { name: 'reviews-delegate', namespace: 'other' } }], /has no route that splits traffic between two subsets/],
      ['a 50/50 split without --subset', [route('main', [{ host: 'reviews', subset: 'v1', weight: 50 }, { host: 'reviews', subset: 'v2', weight: 50 }])], /sends 50% to both v1 and v2, so mesh-bot cannot tell which is the canary; say it with --subset/],
      ['two destinations on one subset (different ports)', [{ name: 'main', route: [{ destination: { host: 'reviews', subset: 'v1', port: { number: 9080 } }, weight: 90 }, { destination: { host: 'reviews', subset: 'v1', port: { number: 9090 } }, weight: 10 }] }], /does not split between two named subsets/],
    ] as const) {
      it(`refuses ${label} with a reason, writing nothing`, async () => {
        const ns = `held-${label.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`;
        putService(api, 'reviews', { v1: 1, v2: 1, v3: 1 }, { namespace: ns });
        putVirtualService(api, http as unknown as Record<string, unknown>[], { namespace: ns });
        const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
        assert.equal(run.code, 1, run.out);
        assert.match(run.out, expected);
        assert.deepEqual(routeWrites(api).filter((request) => request.path.includes(`/${ns}/`)), []);
      });
    }

    for (const [label, backendRefs, metadata, expected] of [
      ['a ServiceImport backend', [{ name: 'reviews-v1', weight: 90 }, { name: 'reviews-v2', group: 'multicluster.x-k8s.io', kind: 'ServiceImport', weight: 10 }], {}, /rule #1 of HTTPRoute reviews sends traffic to ServiceImport reviews-v2 \(group multicluster\.x-k8s\.io\); mesh-bot only shifts weights between two Services/],
      ['weights that are all 0 (defect: asked for --subset first)', [{ name: 'reviews-v1', weight: 0 }, { name: 'reviews-v2', weight: 0 }], {}, /every weight of rule #1 of reviews is 0, so it sends no traffic at all/],
      ['a Flagger-owned route', [{ name: 'reviews-v1', weight: 90 }, { name: 'reviews-v2', weight: 10 }], { ownerReferences: [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'reviews', uid: 'u1', controller: true }] }, /Flagger manages HTTPRoute [a-z-]+\/reviews \(Canary [a-z-]+\/reviews owns it\)/],
      ['a route Flagger took over without an ownerReference (its field manager)', [{ name: 'reviews-v1', weight: 90 }, { name: 'reviews-v2', weight: 10 }], { managedFields: [{ manager: 'flagger', operation: 'Update', apiVersion: 'gateway.networking.k8s.io/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:rules': {} } } }] }, /Flagger manages HTTPRoute [a-z-]+\/reviews \(field manager "flagger" owns spec\.rules\)/],
      ['a route the plugin is shifting (custom label)', [{ name: 'reviews-v1', weight: 90 }, { name: 'reviews-v2', weight: 10 }], { labels: { 'rollouts.argoproj.io/gatewayapi-canary': 'in-progress' } }, /Argo Rollouts manages HTTPRoute .*label rollouts\.argoproj\.io\/gatewayapi-canary=in-progress/],
    ] as const) {
      it(`refuses an HTTPRoute with ${label}, writing nothing`, async () => {
        const ns = `held-route-${label.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`.slice(0, 60);
        putBackend(api, 'reviews-v1', 1, ns);
        putBackend(api, 'reviews-v2', 1, ns);
        putHttpRoute(api, [{ backendRefs }], { namespace: ns, metadata });
        const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
        assert.equal(run.code, 1, run.out);
        assert.match(run.out, expected);
        assert.equal(api.requests.filter((request) => request.method === 'PATCH' && request.path.includes(`/${ns}/`)).length, 0, 'not even a dry run');
      });
    }

    it('plans an HTTPRoute with several rules and parents, a weight-0 canary, ports and filters', async () => {
      const ns = 'held-route-rich';
      putBackend(api, 'reviews-v1', 1, ns);
      putBackend(api, 'reviews-v2', 1, ns);
      putHttpRoute(api, [
        { matches: [{ path: { type: 'PathPrefix', value: '/admin' } }], backendRefs: [{ name: 'reviews-v1', port: 9080 }] },
        { filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-canary', value: 'maybe' }] } }], backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 1 }, { name: 'reviews-v2', port: 9080, weight: 0 }] },
      ], { namespace: ns });
      const run = await terminal('promote', 'reviews', '--weight', '10', '-n', ns, '-o', 'json');
      assert.equal(run.code, 0, run.out);
      assert.equal(run.json()['kind'], 'HTTPRoute');
      assert.deepEqual(run.json()['routes'], [
        { name: null, destinations: [{ host: 'reviews-v1', subset: null, weight: 100 }] },
        { name: null, destinations: [{ host: 'reviews-v1', subset: null, weight: 90 }, { host: 'reviews-v2', subset: null, weight: 10 }] },
      ]);
      assert.deepEqual(api.get(ROUTE_API, 'HTTPRoute', ns, 'reviews')?.['spec'], (api.get(ROUTE_API, 'HTTPRoute', ns, 'reviews') as { spec: unknown }).spec, 'unchanged');
      assert.deepEqual(routeWrites(api).filter((request) => request.path.includes(`/${ns}/`)), []);
    });

    it('shows a 253-character VirtualService name with dots in status, and refuses an uppercase or option-like name', async () => {
      const ns = 'long-names';
      const name = `${'a'.repeat(125)}.${'b'.repeat(119)}.reviews`;
      putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
      putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])], { namespace: ns, name });
      assert.equal(name.length, 253);
      const status = await terminal('status', name, '-n', ns, '-o', 'json');
      assert.equal(status.code, 0, status.out);
      assert.equal(status.json()['virtualService'], name);
      const upper = await terminal('status', 'Reviews', '-n', ns);
      assert.equal(upper.code, 2, upper.out);
      assert.match(upper.out, /"Reviews" is not a valid VirtualService name \(lower-case letters, digits, "-" and "\."\)/);
      assert.ok(api.get(VS_API, 'VirtualService', ns, name));
    });
  });
});
