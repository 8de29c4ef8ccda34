/**
 * Outside review 3: a crash-like gap between step 6 (the weights landed) and step 7 (the request records
 * "applied"): the ConfigMap write of the outcome fails once. The request stays "approved" until the leader's sweep
 * settles it from the VirtualService, so its lock must stay too: a second promotion taken in between would move
 * `mesh-bot/applied-request` on, and the sweep would then record the first one as "nothing was changed".
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { IstioObjects } from '../../src/kube/istio-objects.ts';
import { reviewsWeights } from '../support/bookinfo.ts';
import { pendingRequest, startHarness, type Harness } from '../mesh/canary/harness.ts';

describe('the outcome of an applied promotion could not be recorded', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('keeps the route locked until the sweep records the landed weights as applied (defect: a second request got in, and the first was then called "nothing was changed")', async () => {
    harness = await startHarness();
    const { request, prepared } = await pendingRequest(harness);
    // Right after the weight patch lands, the next write of the request record fails (an API server blip).
    const blip = (real: IstioObjects): IstioObjects => ({
      ...real,
      async patchVirtualService(namespace, name, version, ops, options) {
        const patched = await real.patchVirtualService(namespace, name, version, ops, options);
        if (patched.ok && !options.dryRun && ops.some((op) => op.op === 'add' && op.path.startsWith('/spec/http/'))) {
          harness.api.failNext({ method: 'PUT', pathPattern: new RegExp(`configmaps/mesh-bot-promo-${request.id}$`), status: 500 });
        }
        return patched;
      },
    });
    const decided = await harness.replica({ istio: blip }).decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok);
    assert.deepEqual(reviewsWeights(harness.api), [50, 50]);
    assert.equal((await harness.stored(request.id))?.state, 'approved', 'the outcome was not recorded');

    const other = harness.replica();
    const second = await other.createRequest(prepared, 'U0DAVE', 'C0OPS');
    assert.equal(second.ok, false, 'no second promotion while the first one is unsettled');
    assert.match(second.ok ? '' : second.error, /already approved/);

    harness.advance(6 * 60_000);
    await other.sweepExpired();
    const settled = await harness.stored(request.id);
    assert.equal(settled?.state, 'applied');
    assert.match(settled?.outcome?.message ?? '', /Weights changed/);
    const replanned = await other.prepare('bookinfo', 'reviews', 70, undefined);
    assert.ok(replanned.ok, replanned.ok ? '' : replanned.error);
    const third = await other.createRequest(replanned.value, 'U0DAVE', 'C0OPS');
    assert.ok(third.ok, third.ok ? '' : third.error);
  });
});
