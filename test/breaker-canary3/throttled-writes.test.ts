/**
 * Outside review 3: the API server's priority and fairness (429 Too Many Requests, Retry-After) during the writes
 * that matter most in an incident: the approved weight patch and the rollback. A 429 says the request was not
 * processed, so nothing was written and trying again after Retry-After is safe.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { reviewsWeights } from '../support/bookinfo.ts';
import { annotationsOfReviews, pendingRequest, startHarness, type Harness } from '../mesh/canary/harness.ts';

describe('a throttled API server (429) during the weight writes', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('applies an approval whose weight patch met one 429, instead of failing a request nobody can approve again (defect)', async () => {
    harness = await startHarness();
    const { canary, request } = await pendingRequest(harness);
    harness.api.failNext({ method: 'PATCH', pathPattern: /virtualservices\/reviews$/, status: 429, headers: { 'Retry-After': '2' } });
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok, decided.ok ? '' : decided.error);
    assert.equal(decided.value.request.state, 'applied', decided.value.request.outcome?.message);
    assert.deepEqual(reviewsWeights(harness.api), [50, 50]);
    assert.equal(annotationsOfReviews(harness.api)['mesh-bot/applied-request'], request.id);
    assert.equal(annotationsOfReviews(harness.api)['mesh-bot/owner'], undefined);
  });

  it('gives up on an approval the API server keeps throttling, saying what to do (not "try again in 1 second", which no click can do)', async () => {
    harness = await startHarness();
    const { canary, request } = await pendingRequest(harness);
    harness.api.failNext({ method: 'PATCH', pathPattern: /virtualservices\/reviews$/, status: 429, times: 20 });
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok);
    assert.equal(decided.value.request.state, 'failed');
    assert.match(decided.value.request.outcome?.message ?? '', /kept throttling mesh-bot \(429\) .*nothing was written\. Ask again with `\/mesh canary promote` once the API server recovers\./);
    assert.doesNotMatch(decided.value.request.outcome?.message ?? '', /Try again in/);
    assert.deepEqual(reviewsWeights(harness.api), [90, 10]);
  });

  it('rolls back through one 429 (the safety exit must not need a second try during an incident) (defect)', async () => {
    harness = await startHarness();
    const { canary, request } = await pendingRequest(harness);
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok && decided.value.applied);
    harness.api.failNext({ method: 'PATCH', pathPattern: /virtualservices\/reviews$/, status: 429 });
    const rolled = await canary.rollback('bookinfo', 'reviews', 'U0DAVE');
    assert.ok(rolled.ok, rolled.ok ? '' : rolled.error);
    assert.deepEqual(reviewsWeights(harness.api), [100, 0]);
  });
});
