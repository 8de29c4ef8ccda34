/**
 * Outside review 3: a replica that dies during a rollback's propagation proof (up to approvals.propagationTimeout,
 * 60 s: a rolling deploy during an incident). The weights are back already; what the rollback undid and which
 * pending requests it made obsolete must be on record by then, or no sweep can ever repair their cards.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { reviewsWeights } from '../support/bookinfo.ts';
import { startHarness, type Harness } from '../mesh/canary/harness.ts';
import { seedReviews } from '../support/bookinfo.ts';

describe('a replica dies while proving a rollback', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('has already recorded the undone promotion as rolled back and cancelled the obsolete request (defect: both stayed as they were)', async () => {
    let dying = false;
    harness = await startHarness({
      proxyStatus: () => {
        if (dying) throw new Error('replica stopped');
        return { format: 'xds-table', proxies: [], istiods: [] };
      },
    });
    seedReviews(harness.api);
    const canary = harness.replica();
    const first = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(first.ok);
    const applied = await canary.createRequest(first.value, 'U0ALICE', 'C0OPS');
    assert.ok(applied.ok);
    const decided = await canary.decide(applied.value.id, 'U0BOB', 'approve');
    assert.ok(decided.ok && decided.value.applied);
    const next = await canary.prepare('bookinfo', 'reviews', 80, undefined);
    assert.ok(next.ok, next.ok ? '' : next.error);
    const pending = await canary.createRequest(next.value, 'U0ALICE', 'C0OPS');
    assert.ok(pending.ok, pending.ok ? '' : pending.error);

    dying = true;
    await assert.rejects(canary.rollback('bookinfo', 'reviews', 'U0DAVE'));
    assert.deepEqual(reviewsWeights(harness.api), [100, 0], 'the rollback itself landed');
    assert.equal((await harness.stored(applied.value.id))?.rolledBack?.by, 'U0DAVE', 'the undone promotion is on record as rolled back');
    const obsolete = await harness.stored(pending.value.id);
    assert.equal(obsolete?.state, 'cancelled');
    assert.match(obsolete?.outcome?.message ?? '', /was rolled back by <@U0DAVE>/);
  });
});
