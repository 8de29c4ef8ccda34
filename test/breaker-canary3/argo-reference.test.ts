/**
 * Outside review 3: how Argo Rollouts reads `trafficRouting.istio.virtualService(s).name`. Its
 * GetVirtualServiceNamespaceName splits at every "." and takes field 0 as the name and field 1 as the namespace,
 * so `reviews.bookinfo.svc.cluster.local` is VirtualService bookinfo/reviews to Argo, which then edits its weights.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { seedReviews } from '../support/bookinfo.ts';
import { startHarness, type Harness } from '../mesh/canary/harness.ts';

describe('a Rollout naming the VirtualService with more than NAME.NAMESPACE', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('refuses a VirtualService a Rollout names as reviews.bookinfo.svc.cluster.local (defect: not seen as owned)', async () => {
    harness = await startHarness();
    seedReviews(harness.api);
    harness.api.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'reviews', namespace: 'delivery' }, spec: { strategy: { canary: { trafficRouting: { istio: { virtualServices: [{ name: 'reviews.bookinfo.svc.cluster.local' }] } } } } } } as never);
    const prepared = await harness.replica().prepare('bookinfo', 'reviews', 50, undefined);
    assert.equal(prepared.ok, false);
    assert.match(prepared.ok ? '' : prepared.error, /Argo Rollouts manages VirtualService bookinfo\/reviews \(Rollout delivery\/reviews routes traffic through it\)/);
  });

  it('does not take a Rollout naming another namespace\'s VirtualService of the same name as the owner', async () => {
    harness = await startHarness();
    seedReviews(harness.api);
    harness.api.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'reviews', namespace: 'bookinfo' }, spec: { strategy: { canary: { trafficRouting: { istio: { virtualService: { name: 'reviews.staging.svc.cluster.local' } } } } } } } as never);
    const prepared = await harness.replica().prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
  });
});
