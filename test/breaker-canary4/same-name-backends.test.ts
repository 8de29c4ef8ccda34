/**
 * Outside review 4: an HTTPRoute whose rules name backend Services of one name in two namespaces (the canary team's
 * reviews-v2 under a ReferenceGrant for their header, the local reviews-v2 for everyone). A promotion shifts both
 * rules; the approval's "still running?" check must look at both Services, not the first rule's.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { KubeObject } from '../../src/sandbox/kube-api.ts';
import { startHarness, type Harness } from '../mesh/canary/harness.ts';
import { putBackend } from '../breaker-canary/world.ts';

const ROUTE_API = 'gateway.networking.k8s.io/v1';

function seed(harness: Harness): void {
  putBackend(harness.api, 'reviews-v1', 1);
  putBackend(harness.api, 'reviews-v2', 1, 'canary-team');
  putBackend(harness.api, 'reviews-v2', 1);
  harness.api.put({
    apiVersion: ROUTE_API,
    kind: 'HTTPRoute',
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
      rules: [
        { matches: [{ headers: [{ name: 'x-team', value: 'canary' }] }], backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', namespace: 'canary-team', port: 9080, weight: 10 }] },
        { backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }] },
      ],
    },
  } as KubeObject);
}

describe('backend Services of one name in two namespaces', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('refuses the approval when the second rule\'s Service lost its pods after the request (defect: only the first rule\'s was checked)', async () => {
    harness = await startHarness({ gateway: true });
    seed(harness);
    const canary = harness.replica();
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok, request.ok ? '' : request.error);
    // The local reviews-v2 crashed; the canary team's still runs.
    const pod = harness.api.get('v1', 'Pod', 'bookinfo', 'reviews-v2-0') as KubeObject;
    harness.api.put({ ...pod, status: { phase: 'Failed' } } as KubeObject);
    const decided = await canary.decide(request.value.id, 'U0BOB', 'approve');
    assert.equal(decided.ok, false, decided.ok ? decided.value.request.outcome?.message : '');
    assert.match(decided.ok ? '' : decided.error, /Service bookinfo\/reviews-v2 no longer selects running pods or no longer exists \(checked at approval\)/);
    const route = harness.api.get(ROUTE_API, 'HTTPRoute', 'bookinfo', 'reviews') as { spec: { rules: { backendRefs: { weight: number }[] }[] } };
    assert.deepEqual(route.spec.rules.map((rule) => rule.backendRefs.map((ref) => ref.weight)), [[90, 10], [90, 10]]);
  });
});
