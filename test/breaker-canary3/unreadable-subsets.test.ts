/**
 * Outside review 3: the pre-flight could not read the DestinationRules (403 in a namespace-scoped install, 429 or
 * 500 during an incident). Telling the requester to create a DestinationRule that exists sends them the wrong way.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { seedReviews } from '../support/bookinfo.ts';
import { startHarness, type Harness } from '../mesh/canary/harness.ts';

describe('DestinationRules that cannot be read at the pre-flight', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  for (const [status, said] of [
    [403, /mesh-bot may not list DestinationRules in bookinfo in cluster prod-eu \(403 Forbidden\)/],
    [500, /failed to list DestinationRules in bookinfo \(500/],
    [429, /throttling requests \(429\) while trying to list DestinationRules in bookinfo/],
  ] as const) {
    it(`says the DestinationRules could not be read (${status}), not "Create one first" (defect)`, async () => {
      harness = await startHarness();
      seedReviews(harness.api);
      harness.api.failNext({ method: 'GET', pathPattern: /destinationrules$/, status });
      const prepared = await harness.replica().prepare('bookinfo', 'reviews', 50, undefined);
      assert.equal(prepared.ok, false);
      const error = prepared.ok ? '' : prepared.error;
      assert.doesNotMatch(error, /No DestinationRule defines subsets|Create one first/);
      assert.match(error, /^mesh-bot could not check the subsets of reviews, so nothing was asked: /);
      assert.match(error, said);
    });
  }
});
