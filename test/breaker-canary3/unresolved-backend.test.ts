/**
 * Outside review 3: an HTTPRoute whose canary backendRef sits in another namespace without a ReferenceGrant. Istio
 * reports `ResolvedRefs False (RefNotPermitted)` on the route, and Gateway API answers requests to such a backend
 * with 500: its pods run, so the pods check passes, and a promotion would turn the canary's share into errors.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { KubeObject } from '../../src/sandbox/kube-api.ts';
import { accept, ROUTE_API, routeWeights, seedReviewsRoute } from '../mesh/canary/http-route-seed.ts';
import { startHarness, type Harness } from '../mesh/canary/harness.ts';

/** reviews-v2 moved to namespace `canary` (its Service and pod run there), and the parent's verdict on that. */
function seedCrossNamespace(harness: Harness, resolvedRefs: 'True' | 'False'): void {
  seedReviewsRoute(harness.api);
  const route = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as KubeObject & { spec: { rules: { backendRefs: Record<string, unknown>[] }[] } };
  const rules = route.spec.rules.map((rule) => ({ ...rule, backendRefs: rule.backendRefs.map((ref) => (ref['name'] === 'reviews-v2' ? { ...ref, namespace: 'canary' } : ref)) }));
  harness.api.put({ ...route, spec: { ...route.spec, rules } } as KubeObject);
  harness.api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews-v2', namespace: 'canary' }, spec: { selector: { app: 'reviews', version: 'v2' }, ports: [{ name: 'http', port: 9080 }] } });
  harness.api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reviews-v2-0', namespace: 'canary', labels: { app: 'reviews', version: 'v2' } }, spec: { containers: [{ name: 'reviews', image: 'example/reviews:v2' }] }, status: { phase: 'Running' } });
  accept(harness.api, 'bookinfo', { resolvedRefs });
  if (resolvedRefs === 'False') {
    const current = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as KubeObject & { status: { parents: { conditions: Record<string, unknown>[] }[] } };
    const parents = current.status.parents.map((parent) => ({ ...parent, conditions: parent.conditions.map((condition) => (condition['type'] === 'ResolvedRefs' ? { ...condition, reason: 'RefNotPermitted', message: 'backendRef reviews-v2/canary not accessible to a HTTPRoute in namespace "bookinfo" (missing a ReferenceGrant?)' } : condition)) }));
    harness.api.put({ ...current, status: { parents } } as KubeObject);
  }
}

describe('promoting onto a backendRef the route cannot resolve', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('refuses before anyone is asked, quoting the parent\'s reason (defect: planned, and the canary\'s share would get 500s)', async () => {
    harness = await startHarness({ gateway: true });
    seedCrossNamespace(harness, 'False');
    const prepared = await harness.replica().prepare('bookinfo', 'reviews', 50, undefined);
    assert.equal(prepared.ok, false);
    assert.match(prepared.ok ? '' : prepared.error, /HTTPRoute bookinfo\/reviews cannot resolve its backends \(Service reviews: ResolvedRefs False \(RefNotPermitted\): backendRef reviews-v2\/canary not accessible .*missing a ReferenceGrant\?\)\), so traffic shifted by it could fail\. Fix the route first/);
    assert.deepEqual(routeWeights(harness.api), [90, 10]);
  });

  it('still promotes when the parent resolved the cross-namespace backend (a ReferenceGrant exists)', async () => {
    harness = await startHarness({ gateway: true });
    seedCrossNamespace(harness, 'True');
    const prepared = await harness.replica().prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
  });

  it('refuses the approval when the ReferenceGrant went away after the request, and keeps the request pending (defect: applied onto 500s)', async () => {
    harness = await startHarness({ gateway: true });
    seedCrossNamespace(harness, 'True');
    const canary = harness.replica();
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok, request.ok ? '' : request.error);
    const current = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as KubeObject & { status: { parents: { conditions: Record<string, unknown>[] }[] } };
    const parents = current.status.parents.map((parent) => ({ ...parent, conditions: parent.conditions.map((condition) => (condition['type'] === 'ResolvedRefs' ? { ...condition, status: 'False', reason: 'RefNotPermitted', message: 'backendRef reviews-v2/canary not accessible' } : condition)) }));
    harness.api.put({ ...current, status: { parents } } as KubeObject);
    const decided = await canary.decide(request.value.id, 'U0BOB', 'approve');
    assert.equal(decided.ok, false);
    assert.match(decided.ok ? '' : decided.error, /^Not approved: HTTPRoute bookinfo\/reviews cannot resolve its backends \(Service reviews: ResolvedRefs False \(RefNotPermitted\): backendRef reviews-v2\/canary not accessible\) \(checked at approval\)/);
    assert.deepEqual(routeWeights(harness.api), [90, 10]);
    assert.equal((await harness.stored(request.value.id))?.state, 'pending');
  });

  it('lets a rollback through all the same: it takes traffic off the canary', async () => {
    harness = await startHarness({ gateway: true });
    seedCrossNamespace(harness, 'False');
    const route = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as KubeObject & { metadata: Record<string, unknown> };
    harness.api.put({ ...route, metadata: { ...route.metadata, annotations: { 'mesh-bot/stable-subset': 'reviews-v1', 'mesh-bot/canary-subset': 'reviews-v2' } } } as KubeObject);
    const rolled = await harness.replica().rollback('bookinfo', 'reviews', 'U0DAVE');
    assert.ok(rolled.ok, rolled.ok ? '' : rolled.error);
    assert.deepEqual(routeWeights(harness.api), [100, 0]);
  });
});
