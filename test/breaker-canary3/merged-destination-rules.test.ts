/**
 * Outside review 3: the subsets of one host spread over two DestinationRules in one namespace (each version's
 * chart brings its own). Istio merges DestinationRules of the same host in a namespace (pilot's
 * mergeDestinationRule: subsets of the later one are added unless their names clash), so both subsets route.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { seedReviews } from '../support/bookinfo.ts';
import { startHarness, type Harness } from '../mesh/canary/harness.ts';

const VS_API = 'networking.istio.io/v1';

describe('subsets defined by two DestinationRules of one host', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  function splitRules(harness: Harness, canarySubset = 'v2'): void {
    seedReviews(harness.api);
    harness.api.put({ apiVersion: VS_API, kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'bookinfo', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] } } as never);
    harness.api.put({ apiVersion: VS_API, kind: 'DestinationRule', metadata: { name: 'reviews-canary', namespace: 'bookinfo', creationTimestamp: '2026-02-01T00:00:00Z' }, spec: { host: 'reviews.bookinfo.svc.cluster.local', subsets: [{ name: canarySubset, labels: { version: canarySubset } }] } } as never);
  }

  it('plans a promotion onto a subset the second DestinationRule defines (defect: "Subset v2 is not defined")', async () => {
    harness = await startHarness();
    splitRules(harness);
    const prepared = await harness.replica().prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    assert.ok(prepared.value.notes.includes('Subset v2: 1 running pod'), prepared.value.notes.join('\n'));
  });

  it('still refuses a subset neither DestinationRule defines', async () => {
    harness = await startHarness();
    splitRules(harness, 'v3');
    const prepared = await harness.replica().prepare('bookinfo', 'reviews', 50, undefined);
    assert.equal(prepared.ok, false);
    assert.match(prepared.ok ? '' : prepared.error, /^Subset v2 is not defined in DestinationRule bookinfo\/reviews\. Add it before shifting traffic to it\./);
  });
});
