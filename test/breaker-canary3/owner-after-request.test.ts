/**
 * Outside review 3: an owner that appears between the request and the click. The pre-flight refuses routes that
 * Argo CD, Flux, Argo Rollouts or Flagger drive, but the approval may come up to the TTL later, and the fenced patch
 * tests the routes and their scope, not who tracks the object: adopting the route into GitOps changes neither.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { reviewsWeights } from '../support/bookinfo.ts';
import { annotationsOfReviews, pendingRequest, startHarness, type Harness } from '../mesh/canary/harness.ts';

const VS_API = 'networking.istio.io/v1';

describe('an owner that took the route over after the request', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('refuses the approval of a VirtualService Argo CD adopted meanwhile, and cancels the request (defect: patched, then Argo CD reverts it)', async () => {
    harness = await startHarness();
    const { canary, request } = await pendingRequest(harness);
    const vs = harness.api.get(VS_API, 'VirtualService', 'bookinfo', 'reviews') as { metadata: { annotations?: Record<string, string> } };
    harness.api.put({ ...vs, metadata: { ...vs.metadata, annotations: { ...vs.metadata.annotations, 'argocd.argoproj.io/tracking-id': 'shop:networking.istio.io/VirtualService:bookinfo/reviews' } } } as never);
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.equal(decided.ok, false);
    assert.match(decided.ok ? '' : decided.error, /Argo CD manages VirtualService bookinfo\/reviews \(Argo CD application shop tracks it\), so mesh-bot will not patch it\./);
    assert.deepEqual(reviewsWeights(harness.api), [90, 10]);
    const stored = await harness.stored(request.id);
    assert.equal(stored?.state, 'cancelled');
    assert.match(stored?.outcome?.message ?? '', /^Argo CD manages VirtualService bookinfo\/reviews .*\(Found when <@U0BOB> approved it\.\)$/, 'the card says why it was cancelled');
    assert.equal(annotationsOfReviews(harness.api)['mesh-bot/owner'], undefined, 'the route is released');
  });

  it('refuses the approval when an Argo Rollout in another namespace started routing through the VirtualService', async () => {
    harness = await startHarness();
    const { canary, request } = await pendingRequest(harness);
    harness.api.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'reviews', namespace: 'delivery' }, spec: { strategy: { canary: { trafficRouting: { istio: { virtualService: { name: 'reviews.bookinfo' } } } } } } } as never);
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.equal(decided.ok, false);
    assert.match(decided.ok ? '' : decided.error, /Argo Rollouts manages VirtualService bookinfo\/reviews \(Rollout delivery\/reviews routes traffic through it\)/);
    assert.deepEqual(reviewsWeights(harness.api), [90, 10]);
  });
});
