/**
 * Outside review 4: an HTTPRoute its parent did not accept (`Accepted False`: the Gateway's listeners do not allow
 * routes from the route's namespace, no listener matches its hostnames, …). Istio then programs none of its rules
 * on that parent: its weights route no traffic there, and a promotion would be approved, written and "applied"
 * while nothing changes for users.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { KubeObject } from '../../src/sandbox/kube-api.ts';
import { ROUTE_API, routeWeights, seedReviewsRoute } from '../mesh/canary/http-route-seed.ts';
import { startHarness, type Harness } from '../mesh/canary/harness.ts';

const GATEWAY = { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'istio-ingress', name: 'bookinfo-gateway' };

/** The reviews route attached to the ingress Gateway (and, with `mesh`, to the reviews Service), with each parent's verdict. */
function seedParents(harness: Harness, parents: readonly { readonly parentRef: Record<string, unknown>; readonly accepted: 'True' | 'False' }[]): void {
  seedReviewsRoute(harness.api);
  const route = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as KubeObject & { metadata: { generation?: number }; spec: Record<string, unknown> };
  const observedGeneration = route.metadata.generation ?? 1;
  harness.api.put({
    ...route,
    spec: { ...route.spec, parentRefs: parents.map((parent) => parent.parentRef) },
    status: {
      parents: parents.map(({ parentRef, accepted }) => ({
        parentRef,
        controllerName: 'istio.io/gateway-controller',
        conditions: [
          accepted === 'True'
            ? { type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration, message: 'Route was valid' }
            : { type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners', observedGeneration, message: 'hostnames matched parent hostname "bookinfo.example.com", but namespace "bookinfo" is not allowed by the parent' },
          { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', observedGeneration, message: 'All references resolved' },
        ],
      })),
    },
  } as KubeObject);
}

describe('an HTTPRoute its parent did not accept', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('is not promoted when no parent accepted it: its weights route no traffic (defect: planned, approved and written)', async () => {
    harness = await startHarness({ gateway: true });
    seedParents(harness, [{ parentRef: GATEWAY, accepted: 'False' }]);
    const prepared = await harness.replica().prepare('bookinfo', 'reviews', 50, undefined);
    assert.equal(prepared.ok, false);
    assert.match(prepared.ok ? '' : prepared.error, /No parent of HTTPRoute bookinfo\/reviews accepted it \(Gateway istio-ingress\/bookinfo-gateway: Accepted False \(NotAllowedByListeners\): hostnames matched .* is not allowed by the parent\), so its weights route no traffic\. Fix the route or its parent first/);
    assert.deepEqual(routeWeights(harness.api), [90, 10]);
  });

  it('is still rolled back (the safety exit is never refused for it)', async () => {
    harness = await startHarness({ gateway: true });
    seedParents(harness, [{ parentRef: GATEWAY, accepted: 'False' }]);
    const planned = await harness.replica().planRollback('bookinfo', 'reviews', { to: 'reviews-v1' });
    assert.ok(planned.ok, planned.ok ? '' : planned.error);
  });

  it('refuses the approval when the parent stopped accepting the route after the request, and keeps it pending (defect: written, routing nothing)', async () => {
    harness = await startHarness({ gateway: true });
    seedParents(harness, [{ parentRef: GATEWAY, accepted: 'True' }]);
    const canary = harness.replica();
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok, request.ok ? '' : request.error);
    // The Gateway's allowedRoutes were narrowed: Istio now reports the route not accepted.
    const current = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as KubeObject & { status: { parents: { conditions: Record<string, unknown>[] }[] } };
    const parents = current.status.parents.map((parent) => ({ ...parent, conditions: parent.conditions.map((condition) => (condition['type'] === 'Accepted' ? { ...condition, status: 'False', reason: 'NotAllowedByListeners', message: 'namespace "bookinfo" is not allowed by the parent' } : condition)) }));
    harness.api.put({ ...current, status: { parents } } as KubeObject);
    const decided = await canary.decide(request.value.id, 'U0BOB', 'approve');
    assert.equal(decided.ok, false, decided.ok ? decided.value.request.outcome?.message : '');
    assert.match(decided.ok ? '' : decided.error, /No parent of HTTPRoute bookinfo\/reviews accepts it any more \(Gateway istio-ingress\/bookinfo-gateway: Accepted False \(NotAllowedByListeners\)/);
    assert.equal((await canary.get(request.value.id))?.state, 'pending');
    assert.deepEqual(routeWeights(harness.api), [90, 10]);
  });

  it('says so in status, and on the card when another parent accepted it (defect: nothing told the route was not in effect there)', async () => {
    harness = await startHarness({ gateway: true });
    seedParents(harness, [{ parentRef: { group: '', kind: 'Service', name: 'reviews', port: 9080 }, accepted: 'True' }, { parentRef: GATEWAY, accepted: 'False' }]);
    const canary = harness.replica();
    const inspected = await canary.inspect('bookinfo', 'reviews');
    assert.ok(inspected.ok, inspected.ok ? '' : inspected.error);
    const line = /Gateway istio-ingress\/bookinfo-gateway did not accept HTTPRoute bookinfo\/reviews \(Accepted False \(NotAllowedByListeners\): .*\): its rules are not in effect there/;
    assert.ok(inspected.value.notes.some((note) => line.test(note)), inspected.value.notes.join('\n'));
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    assert.ok(prepared.value.notes.some((note) => line.test(note)), prepared.value.notes.join('\n'));
  });
});
