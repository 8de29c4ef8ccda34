/**
 * Outside review 3: one 5xx (an etcd leader change, an API server restarting behind its load balancer) on the
 * approved weight patch. The patch is fenced by `mesh-bot/owner`, so sending it again can land at most once: the
 * approval should not end "not applied", which costs a new request and a second approver.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { IstioObjects } from '../../src/kube/istio-objects.ts';
import { reviewsWeights } from '../support/bookinfo.ts';
import { annotationsOfReviews, pendingRequest, startHarness, weightWrites, type Harness } from '../mesh/canary/harness.ts';

describe('a transient API server error on the approved weight patch', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  for (const status of [500, 503, 504]) {
    it(`applies the approval through one ${status} (defect: "not applied", ask again)`, async () => {
      harness = await startHarness();
      const { canary, request } = await pendingRequest(harness);
      harness.api.failNext({ method: 'PATCH', pathPattern: /virtualservices\/reviews$/, status });
      const decided = await canary.decide(request.id, 'U0BOB', 'approve');
      assert.ok(decided.ok, decided.ok ? '' : decided.error);
      assert.equal(decided.value.request.state, 'applied', decided.value.request.outcome?.message);
      assert.deepEqual(reviewsWeights(harness.api), [50, 50]);
      assert.equal(annotationsOfReviews(harness.api)['mesh-bot/applied-request'], request.id);
    });
  }

  it('lands the weights exactly once when the first answer was lost after the write landed', async () => {
    harness = await startHarness({
      istio: (real: IstioObjects): IstioObjects => {
        let lost = false;
        return {
          ...real,
          async patchVirtualService(namespace, name, version, ops, options) {
            const written = await real.patchVirtualService(namespace, name, version, ops, options);
            const weights = !options.dryRun && ops.some((op) => op.op === 'add' && op.path.startsWith('/spec/http/'));
            if (weights && written.ok && !lost) {
              lost = true;
              return { ok: false, error: { kind: 'unavailable', status: 503, message: 'The Kubernetes API of cluster prod-eu failed to patch VirtualService bookinfo/reviews (503).', serverMessage: '' } };
            }
            return written;
          },
        };
      },
    });
    const { canary, request } = await pendingRequest(harness);
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok);
    assert.equal(decided.value.request.state, 'applied');
    assert.deepEqual(reviewsWeights(harness.api), [50, 50]);
    assert.ok(weightWrites(harness.api) <= 2);
    assert.equal(annotationsOfReviews(harness.api)['mesh-bot/owner'], undefined);
  });
});
