import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planWeights } from '../../../src/mesh/canary/plan.ts';
import { virtualServiceSchema, type VirtualService } from '../../../src/mesh/canary/virtual-service.ts';

function vs(http: unknown[], resourceVersion = '42'): VirtualService {
  return virtualServiceSchema.parse({ metadata: { name: 'reviews', namespace: 'shop', resourceVersion }, spec: { hosts: ['reviews'], http } });
}

const split = (stable: number | undefined, canary: number | undefined, name = 'primary') => ({
  name,
  route: [
    { destination: { host: 'reviews', subset: 'v1' }, ...(stable === undefined ? {} : { weight: stable }) },
    { destination: { host: 'reviews', subset: 'v2' }, ...(canary === undefined ? {} : { weight: canary }) },
  ],
});

function refusal(result: ReturnType<typeof planWeights>): string {
  assert.equal(result.ok, false, 'expected a refusal');
  return result.ok ? '' : result.error;
}

describe('canary plan', () => {
  it('takes the minority subset as the canary and gives the stable side 100 − N', () => {
    const plan = planWeights(vs([split(90, 10)]), { weight: 50 });
    assert.ok(plan.ok);
    assert.equal(plan.value.canarySubset, 'v2');
    assert.equal(plan.value.stableSubset, 'v1');
    assert.equal(plan.value.currentWeight, 10);
    assert.deepEqual(plan.value.changes[0]?.after.map((destination) => [destination.subset, destination.weight]), [['v1', 50], ['v2', 50]]);
  });

  it('writes a patch that tests which traffic the VirtualService applies to and the whole route as read at its position (match, destinations, weights), then adds the new weights', () => {
    const read = { ...split(90, 10), match: [{ uri: { prefix: '/api' } }] };
    const plan = planWeights(vs([{ name: 'canary-testers', match: [{ headers: { x: { exact: '1' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }, read]), { weight: 25 });
    assert.ok(plan.ok);
    assert.deepEqual(plan.value.patch, [
      // hosts as read; gateways and exportTo absent (mesh sidecars, every namespace): null tests their absence.
      { op: 'test', path: '/spec/hosts', value: ['reviews'] },
      { op: 'test', path: '/spec/gateways', value: null },
      { op: 'test', path: '/spec/exportTo', value: null },
      { op: 'test', path: '/spec/http/1', value: read },
      { op: 'add', path: '/spec/http/1/route/0/weight', value: 75 },
      { op: 'add', path: '/spec/http/1/route/1/weight', value: 25 },
    ]);
  });

  it('uses add for weights, so a canary whose weight of 0 was omitted still gets one', () => {
    const plan = planWeights(vs([split(100, undefined)]), { weight: 10 });
    assert.ok(plan.ok);
    assert.equal(plan.value.canarySubset, 'v2');
    assert.deepEqual(plan.value.patch.filter((op) => op.op === 'add').map((op) => op.value), [90, 10]);
  });

  it('changes every route that splits between the same two subsets', () => {
    const plan = planWeights(vs([split(80, 20, 'api'), split(80, 20, 'web')]), { weight: 40 });
    assert.ok(plan.ok);
    assert.deepEqual(plan.value.changes.map((change) => change.name), ['api', 'web']);
  });

  it('asks for --subset when the split is 50/50, and honours it', () => {
    assert.match(refusal(planWeights(vs([split(50, 50)]), { weight: 80 })), /cannot tell which is the canary; say it with --subset/);
    const plan = planWeights(vs([split(50, 50)]), { weight: 80, canarySubset: 'v1' });
    assert.ok(plan.ok);
    assert.deepEqual(plan.value.changes[0]?.after.map((destination) => [destination.subset, destination.weight]), [['v1', 80], ['v2', 20]]);
  });

  it('keeps the remembered canary after a full promotion flipped the majority', () => {
    const plan = planWeights(vs([split(0, 100)]), { weight: 0, remembered: { stableSubset: 'v1', canarySubset: 'v2' } });
    assert.ok(plan.ok);
    assert.deepEqual(plan.value.changes[0]?.after.map((destination) => [destination.subset, destination.weight]), [['v1', 100], ['v2', 0]]);
  });

  it('refuses shapes it cannot shift safely, saying why', () => {
    assert.match(refusal(planWeights(vs([]), { weight: 10 })), /has no HTTP routes/);
    assert.match(refusal(planWeights(vs([{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }]), { weight: 10 })), /no route that splits traffic between two subsets/);
    assert.match(
      refusal(planWeights(vs([{ name: 'three', route: [{ destination: { host: 'r', subset: 'a' }, weight: 50 }, { destination: { host: 'r', subset: 'b' }, weight: 25 }, { destination: { host: 'r', subset: 'c' }, weight: 25 }] }]), { weight: 10 })),
      /route "three" .* across 3 destinations/,
    );
    assert.match(refusal(planWeights(vs([{ route: [{ destination: { host: 'a', subset: 'v1' }, weight: 90 }, { destination: { host: 'b', subset: 'v1' }, weight: 10 }] }]), { weight: 10 })), /between two hosts/);
    assert.match(refusal(planWeights(vs([split(90, 20)]), { weight: 50 })), /add up to 110, not 100/);
    assert.match(refusal(planWeights(vs([split(90, 10)]), { weight: 10 })), /already sends 10% to v2/);
    assert.match(refusal(planWeights(vs([split(90, 10)]), { weight: 50, canarySubset: 'v3' })), /subset "v3" is not a destination/);
    assert.match(refusal(planWeights(vs([split(90, 10)]), { weight: 101 })), /whole percentage from 0 to 100/);
  });

  it('asks for --subset when routes split between different pairs of subsets', () => {
    const other = { name: 'other', route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v3' }, weight: 10 }] };
    assert.match(refusal(planWeights(vs([split(90, 10), other]), { weight: 50 })), /different subsets .* with --subset/);
    const plan = planWeights(vs([split(90, 10), other]), { weight: 50, canarySubset: 'v3' });
    assert.ok(plan.ok);
    assert.deepEqual(plan.value.changes.map((change) => change.name), ['other']);
  });
});
