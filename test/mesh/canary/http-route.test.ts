import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { seedReviews } from '../../support/bookinfo.ts';
import { startHarness, type Harness, type HarnessOptions } from './harness.ts';
import { ROUTE_API, acceptingController, routeAnnotations, routeWeights, seedReviewsRoute } from './http-route-seed.ts';

describe('canary promotion of a Gateway API HTTPRoute', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  async function service(options: HarnessOptions = {}) {
    harness = await startHarness({ gateway: true, ...options });
    return harness.replica();
  }

  async function withController() {
    harness = await startHarness({});
    return harness.replica({ gateway: acceptingController(harness.api) });
  }

  it('shows the backend Services of the corpus sample with their share and running pods', async () => {
    const canary = await service();
    seedReviewsRoute(harness.api, { pods: { 'reviews-v1': 3, 'reviews-v2': 1 } });
    const inspected = await canary.inspect('bookinfo', 'reviews');
    assert.ok(inspected.ok, inspected.ok ? '' : inspected.error);
    assert.equal(inspected.value.kind, 'HTTPRoute');
    assert.deepEqual(inspected.value.routes, [{ name: null, destinations: [{ host: 'reviews-v1', subset: null, weight: 90 }, { host: 'reviews-v2', subset: null, weight: 10 }] }]);
    assert.deepEqual(inspected.value.subsets.map((subset) => [subset.name, subset.pods]), [['reviews-v1', 3], ['reviews-v2', 1]]);
    assert.equal(inspected.value.owner, null);
  });

  it('reads relative weights as shares of their sum and writes the new split as percentages', async () => {
    const canary = await withController();
    seedReviewsRoute(harness.api, { weights: [2, 3] });
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, 'reviews-v1');
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    assert.deepEqual(prepared.value.plan.changes[0]?.before.map((destination) => destination.weight), [40, 60]);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok);
    const decided = await canary.decide(request.value.id, 'U0BOB', 'approve');
    assert.ok(decided.ok && decided.value.applied, decided.ok ? decided.value.request.outcome?.message : decided.error);
    assert.deepEqual(routeWeights(harness.api), [50, 50]);
  });

  it('counts a missing weight as 1 (Gateway API default), so two unweighted backends are 50/50 and need --subset', async () => {
    const canary = await service();
    seedReviewsRoute(harness.api, { weights: [null, null] });
    const ambiguous = await canary.prepare('bookinfo', 'reviews', 20, undefined);
    assert.equal(ambiguous.ok ? '' : ambiguous.error, 'reviews sends the same share to both reviews-v1 and reviews-v2, so mesh-bot cannot tell which is the canary; say it with --subset');
    const prepared = await canary.prepare('bookinfo', 'reviews', 20, 'reviews-v2');
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    assert.deepEqual(prepared.value.plan.changes[0]?.before.map((destination) => destination.weight), [50, 50]);
    assert.deepEqual(prepared.value.plan.patch.filter((op) => op.op !== 'test'), [
      { op: 'add', path: '/spec/rules/0/backendRefs/0/weight', value: 80 },
      { op: 'add', path: '/spec/rules/0/backendRefs/1/weight', value: 20 },
    ]);
  });

  it('a 1:2 split is 33.3 %, so a 33 % promotion is a change, and 1:1 at 50 % is not', async () => {
    const canary = await service();
    seedReviewsRoute(harness.api, { weights: [2, 1] });
    const third = await canary.prepare('bookinfo', 'reviews', 33, undefined);
    assert.ok(third.ok, third.ok ? '' : third.error);
    assert.equal(third.value.plan.currentWeight, 33.3);
    seedReviewsRoute(harness.api, { weights: [1, 1] });
    const same = await canary.prepare('bookinfo', 'reviews', 50, 'reviews-v2');
    assert.equal(same.ok ? '' : same.error, 'reviews already sends 50% to reviews-v2; nothing to change');
  });

  it('promote → approve by a second person: weights, the stable/canary record and proof that the parent accepted the new generation', async () => {
    const canary = await withController();
    seedReviewsRoute(harness.api);
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    assert.ok(prepared.value.notes.includes('Dry run passed (schema and admission validation).'));
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok);
    assert.equal(request.value.kind, 'HTTPRoute');
    assert.equal(routeAnnotations(harness.api)['mesh-bot/owner'], request.value.id);
    const own = await canary.decide(request.value.id, 'U0ALICE', 'approve');
    assert.equal(own.ok ? '' : own.error, 'You asked for this promotion, so you cannot approve it: a second person has to.');
    const decided = await canary.decide(request.value.id, 'U0BOB', 'approve');
    assert.ok(decided.ok && decided.value.applied);
    assert.deepEqual(routeWeights(harness.api), [50, 50]);
    const annotations = routeAnnotations(harness.api);
    assert.equal(annotations['mesh-bot/owner'], undefined);
    assert.equal(annotations['mesh-bot/stable-subset'], 'reviews-v1');
    assert.equal(annotations['mesh-bot/canary-subset'], 'reviews-v2');
    assert.equal(annotations['mesh-bot/applied-request'], request.value.id);
    assert.deepEqual(decided.value.request.outcome?.propagation, { total: 1, inSync: 1, stale: [], seconds: 0, complete: true, error: null, of: 'parents', waypoints: [] });
    const again = await canary.decide(request.value.id, 'U0CAROL', 'approve');
    assert.match(again.ok ? '' : again.error, /already approved by <@U0BOB> and applied/);
    const event = harness.api.list('v1', 'Event', 'bookinfo').find((item) => (item as { reason?: string }).reason === 'WeightsChanged') as { involvedObject?: Record<string, unknown> } | undefined;
    assert.deepEqual(event?.involvedObject, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name: 'reviews', namespace: 'bookinfo' });
  });

  it('does not call the change propagated while the parent still reports the old generation', async () => {
    const canary = await service({ propagation: { timeoutMs: 3_000, intervalMs: 1_000 } });
    seedReviewsRoute(harness.api);
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok);
    const decided = await canary.decide(request.value.id, 'U0BOB', 'approve');
    assert.ok(decided.ok && decided.value.applied);
    const propagation = decided.value.request.outcome?.propagation;
    assert.equal(propagation?.complete, false);
    assert.deepEqual(propagation?.stale, ['Service reviews: Accepted not observed for generation 2 yet, ResolvedRefs not observed for generation 2 yet']);
  });

  /** The corpus route 90/10 and U0ALICE's pending request to go to 50/50. */
  async function pendingRequest() {
    const canary = await service();
    seedReviewsRoute(harness.api);
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok);
    return { canary, request: request.value };
  }

  it('writes nothing when the route changed after the request was made (whole-rule fence)', async () => {
    const { canary, request } = await pendingRequest();
    const current = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as { spec: { rules: { backendRefs: { weight?: number }[] }[] } };
    const edited = structuredClone(current);
    (edited.spec.rules[0]?.backendRefs[1] as { weight?: number }).weight = 30;
    (edited.spec.rules[0]?.backendRefs[0] as { weight?: number }).weight = 70;
    harness.api.put(edited as never);
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok);
    assert.equal(decided.value.request.state, 'failed');
    assert.match(decided.value.request.outcome?.message ?? '', /^HTTPRoute bookinfo\/reviews changed since the request was made: rule #1 is no longer the rule that was approved \(its matches, backends or weights changed\)/);
    assert.deepEqual(routeWeights(harness.api), [70, 30]);
    assert.equal(routeAnnotations(harness.api)['mesh-bot/owner'], undefined);
  });

  it('calls an HTTPRoute rule a rule: one inserted above the approved rule is named as such, nothing written', async () => {
    const { canary, request } = await pendingRequest();
    const current = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as { spec: { rules: unknown[] } };
    harness.api.put({ ...current, spec: { ...current.spec, rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/beta' } }], backendRefs: [{ name: 'reviews-v2', port: 9080 }] }, ...current.spec.rules] } } as never);
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok);
    assert.equal(
      decided.value.request.outcome?.message,
      'HTTPRoute bookinfo/reviews changed since the request was made: rule #1 moved to position 2 (a rule was added or removed above it), so nothing was written. Check its current weights with `/mesh canary status reviews -n bookinfo` and ask again.',
    );
    const after = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as { spec: { rules: { backendRefs: { weight?: number }[] }[] } };
    assert.deepEqual(after.spec.rules[1]?.backendRefs.map((ref) => ref.weight), [90, 10], 'the approved rule kept its weights');
  });

  it('names the rule it refuses to plan ("rule #1"), a VirtualService keeps "route"', async () => {
    const canary = await service();
    seedReviewsRoute(harness.api);
    const current = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as { spec: { rules: { backendRefs: Record<string, unknown>[] }[] } };
    const three = structuredClone(current);
    three.spec.rules[0]?.backendRefs.push({ name: 'reviews-v3', port: 9080, weight: 0 });
    harness.api.put(three as never);
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.equal(prepared.ok ? '' : prepared.error, 'rule #1 of HTTPRoute reviews splits traffic across 3 backends; mesh-bot only shifts two-way splits (stable and canary)');
  });

  it('refuses when a VirtualService and an HTTPRoute share the name, and --kind picks one', async () => {
    const canary = await service();
    seedReviewsRoute(harness.api);
    seedReviews(harness.api);
    const both = await canary.inspect('bookinfo', 'reviews');
    assert.equal(both.ok ? '' : both.error, 'Both a VirtualService and an HTTPRoute are named bookinfo/reviews; say which one to use with --kind virtualservice or --kind httproute.');
    const route = await canary.inspect('bookinfo', 'reviews', 'HTTPRoute');
    assert.equal(route.ok && route.value.kind, 'HTTPRoute');
    const vs = await canary.inspect('bookinfo', 'reviews', 'VirtualService');
    assert.equal(vs.ok && vs.value.kind, 'VirtualService');
  });

  it('still promotes a VirtualService when mesh-bot may not read HTTPRoutes (an older Role)', async () => {
    const canary = await service();
    seedReviews(harness.api);
    harness.api.failNext({ method: 'GET', pathPattern: /httproutes\/reviews$/, status: 403 });
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    assert.equal(prepared.value.inspection.kind, 'VirtualService');
  });

  it('names both kinds when neither exists', async () => {
    const canary = await service();
    const missing = await canary.inspect('bookinfo', 'reviews');
    assert.equal(missing.ok ? '' : missing.error, 'Neither a VirtualService nor an HTTPRoute named bookinfo/reviews exists in cluster prod-eu. Check `kubectl -n bookinfo get virtualservices,httproutes`.');
  });

  for (const [owner, metadata, rollout, expected] of [
    ['Flagger', { ownerReferences: [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'reviews', uid: 'u1', controller: true, blockOwnerDeletion: true }] }, null, /^Flagger manages HTTPRoute bookinfo\/reviews \(Canary bookinfo\/reviews owns it\), so mesh-bot will not patch it\. Flagger rewrites these weights/],
    ['the Argo Rollouts plugin (in-progress label)', { labels: { 'rollouts.argoproj.io/gatewayapi-canary': 'in-progress' } }, null, /^Argo Rollouts manages HTTPRoute bookinfo\/reviews \(the Argo Rollouts Gateway API plugin is shifting its weights \(label rollouts\.argoproj\.io\/gatewayapi-canary=in-progress\)\)/],
    ['the Argo Rollouts plugin (a Rollout naming the route)', {}, { httpRoute: 'reviews' }, /^Argo Rollouts manages HTTPRoute bookinfo\/reviews \(Rollout bookinfo\/reviews-rollout routes traffic through it\), so mesh-bot will not patch it\. .*kubectl argo rollouts promote reviews-rollout -n bookinfo/],
    ['the Argo Rollouts plugin (a custom in-progress label)', { labels: { 'example.com/canary': 'busy' } }, { httpRoute: 'other', inProgressLabelKey: 'example.com/canary', inProgressLabelValue: 'busy' }, /label example\.com\/canary=busy/],
    ['Argo CD', { annotations: { 'argocd.argoproj.io/tracking-id': 'bookinfo:gateway.networking.k8s.io/HTTPRoute:bookinfo/reviews' } }, null, /^Argo CD manages HTTPRoute bookinfo\/reviews .*ignoreDifferences rule for \/spec\/rules to application bookinfo/],
    ['Flux', { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }, null, /^Flux manages HTTPRoute bookinfo\/reviews \(Flux Kustomization flux-system\/apps applies it\)/],
    ['a server-side apply manager', { managedFields: [{ manager: 'platform-ci', operation: 'Apply', apiVersion: 'gateway.networking.k8s.io/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:rules': {} } } }] }, null, /field manager "platform-ci" owns spec\.rules \(server-side apply\)/],
  ] as const) {
    it(`refuses a route owned by ${owner}, saying how to promote there instead`, async () => {
      const canary = await service();
      seedReviewsRoute(harness.api, { metadata });
      if (rollout) {
        harness.api.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'reviews-rollout', namespace: 'bookinfo' }, spec: { strategy: { canary: { trafficRouting: { plugins: { 'argoproj-labs/gatewayAPI': rollout } } } } } });
      }
      const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
      assert.match(prepared.ok ? '' : prepared.error, expected);
      assert.deepEqual(routeWeights(harness.api), [90, 10]);
      const rolled = await canary.rollback('bookinfo', 'reviews', 'U0OPS', { to: 'reviews-v1' });
      assert.match(rolled.ok ? '' : rolled.error, expected);
    });
  }

  it('rollback asks for --to naming the backend Services until mesh-bot has a record, then uses the record', async () => {
    const canary = await withController();
    seedReviewsRoute(harness.api);
    const unknown = await canary.rollback('bookinfo', 'reviews', 'U0OPS');
    assert.equal(
      unknown.ok ? '' : unknown.error,
      'mesh-bot has no record of which backend Service of bookinfo/reviews is stable (it keeps one on the HTTPRoute once it has changed the weights). Say which backend Service gets 100 % with --to, e.g. `canary rollback reviews -n bookinfo --kind httproute --to reviews-v1` (backend Services: reviews-v1, reviews-v2).',
    );
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok);
    assert.ok((await canary.decide(request.value.id, 'U0BOB', 'approve')).ok);
    const rolled = await canary.rollback('bookinfo', 'reviews', 'U0OPS');
    assert.ok(rolled.ok, rolled.ok ? '' : rolled.error);
    assert.deepEqual(routeWeights(harness.api), [100, 0]);
    assert.equal(rolled.value.rolledBack?.id, request.value.id);
    assert.equal(rolled.value.propagation.complete, true);
  });

  it('rollback --to names the stable Service and never raises the canary', async () => {
    const canary = await service();
    seedReviewsRoute(harness.api, { weights: [30, 70] });
    const rolled = await canary.rollback('bookinfo', 'reviews', 'U0OPS', { to: 'reviews-v2' });
    assert.ok(rolled.ok, rolled.ok ? '' : rolled.error);
    assert.deepEqual(routeWeights(harness.api), [0, 100]);
    assert.equal(routeAnnotations(harness.api)['mesh-bot/stable-subset'], 'reviews-v2');
  });

  it('refuses shifting traffic to a backend Service with no running pods', async () => {
    const canary = await service();
    seedReviewsRoute(harness.api, { pods: { 'reviews-v2': 0 } });
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.equal(prepared.ok ? '' : prepared.error, 'Service bookinfo/reviews-v2 selects no running pods (or does not exist); traffic sent there would fail. Deploy it first.');
  });
});
