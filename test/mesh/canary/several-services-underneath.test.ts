// The --host rollback's promise under another writer: someone edits the other service's route between mesh-bot's
// read and its weight patch. The patch's fences (resourceVersion, each changed route as read) refuse the stale
// write; the rollback reads again and lowers ratings' canary on the VirtualService as it is then, leaving the
// reviews route exactly as the other writer left it.
import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import type { IstioObjects } from '../../../src/kube/istio-objects.ts';
import { ingressWeights, seedIngress } from '../../review-host/world.ts';
import { VS_API } from '../../breaker-canary/world.ts';
import { startHarness, type Harness } from './harness.ts';

let harness: Harness;
afterEach(() => harness.close());

it('rollback --host ratings with the reviews route changed underneath: ratings goes back, reviews keeps the other writer\'s weights', async () => {
  let edited = false;
  let writes = 0;
  const otherWriter = (real: IstioObjects): IstioObjects => ({
    ...real,
    async patchVirtualService(namespace, name, version, ops, options) {
      if (!options.dryRun) writes += 1;
      if (!options.dryRun && !edited) {
        edited = true;
        // kubectl edit by someone else: reviews 90/10 → 70/30, after mesh-bot read the object.
        const vs = harness.api.get(VS_API, 'VirtualService', 'bookinfo', 'bookinfo') as { spec: { http: { route: { weight: number }[] }[] } };
        const [reviews] = vs.spec.http;
        if (reviews?.route[0] && reviews.route[1]) [reviews.route[0].weight, reviews.route[1].weight] = [70, 30];
        harness.api.put(vs as never);
      }
      return real.patchVirtualService(namespace, name, version, ops, options);
    },
  });
  harness = await startHarness({ istio: otherWriter });
  seedIngress(harness.api, { reviews: [90, 10], ratings: [60, 40] });
  const rolled = await harness.replica().rollback('bookinfo', 'bookinfo', 'U0DAVE', { to: 'v1', host: 'ratings' });
  assert.ok(rolled.ok, rolled.ok ? '' : rolled.error);
  assert.ok(edited, 'the other writer changed the object between read and write');
  assert.equal(writes, 2, 'the stale write was refused by its fence and sent again on a fresh read');
  assert.deepEqual(ingressWeights(harness.api), [['v1=70', 'v2=30'], ['v1=100', 'v2=0']]);
});
