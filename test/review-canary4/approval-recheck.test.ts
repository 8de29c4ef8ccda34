/**
 * Review 4: the approval's re-check of an HTTPRoute's acceptance (breaker-canary4's 5b15915). The request stays
 * pending; the approver must be told what to fix and until when, not "once the canary runs again" (the canary runs).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { KubeObject } from '../../src/sandbox/kube-api.ts';
import { ROUTE_API, routeWeights, seedReviewsRoute } from '../mesh/canary/http-route-seed.ts';
import { startHarness, type Harness } from '../mesh/canary/harness.ts';

const GATEWAY = { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'istio-ingress', name: 'bookinfo-gateway' };

function setAccepted(harness: Harness, status: 'True' | 'False'): void {
  const route = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as KubeObject & { metadata: { generation?: number }; spec: Record<string, unknown> };
  const observedGeneration = route.metadata.generation ?? 1;
  const condition = status === 'True' ? { type: 'Accepted', status, reason: 'Accepted', observedGeneration, message: 'Route was valid' } : { type: 'Accepted', status, reason: 'NotAllowedByListeners', observedGeneration, message: 'namespace "bookinfo" is not allowed by the parent' };
  harness.api.put({ ...route, spec: { ...route.spec, parentRefs: [GATEWAY] }, status: { parents: [{ parentRef: GATEWAY, controllerName: 'istio.io/gateway-controller', conditions: [condition] }] } } as KubeObject);
}

describe('the approval re-checks acceptance', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('says what to fix and until when the request can still be approved, and it can be once the parent accepts the route again', async () => {
    harness = await startHarness({ gateway: true });
    seedReviewsRoute(harness.api);
    setAccepted(harness, 'True');
    const canary = harness.replica();
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok, request.ok ? '' : request.error);
    setAccepted(harness, 'False');
    const refused = await canary.decide(request.value.id, 'U0BOB', 'approve');
    const said = refused.ok ? '' : refused.error;
    assert.match(said, /No parent of HTTPRoute bookinfo\/reviews accepts it any more/);
    assert.doesNotMatch(said, /once the canary runs again/);
    assert.match(said, new RegExp(`stays pending until it expires at ${request.value.expiresAt.slice(11, 16)} UTC`));
    assert.equal((await canary.get(request.value.id))?.state, 'pending');
    setAccepted(harness, 'True');
    const approved = await canary.decide(request.value.id, 'U0BOB', 'approve');
    assert.ok(approved.ok && approved.value.applied, approved.ok ? approved.value.request.outcome?.message : approved.error);
    assert.deepEqual(routeWeights(harness.api), [50, 50]);
  });
});
