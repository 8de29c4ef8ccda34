// The sandbox's stand-in for istiod's Gateway API controller: a changed HTTPRoute is accepted again for its new
// generation; one already acknowledged is left alone (no write, no new resourceVersion).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acknowledged } from '../../src/sandbox/route-status.ts';
import type { KubeObject } from '../../src/sandbox/kube-api.ts';

const route = (generation: number, observedGeneration: number): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'hotels', namespace: 'travel', generation },
  status: { parents: [{ parentRef: { kind: 'Service', name: 'hotels' }, conditions: ['Accepted', 'ResolvedRefs'].map((type) => ({ type, status: 'True', observedGeneration })) }] },
});

describe('HTTPRoute status stand-in', () => {
  test('reports every parent condition for the new generation after a spec change', () => {
    const next = acknowledged(route(2, 1), new Date('2026-12-06T23:00:00.123Z'));
    const conditions = (next?.['status'] as { parents: { conditions: { type: string; status: string; observedGeneration: number; lastTransitionTime: string }[] }[] }).parents[0]?.conditions;
    assert.deepEqual(conditions?.map((c) => [c.type, c.status, c.observedGeneration, c.lastTransitionTime]), [
      ['Accepted', 'True', 2, '2026-12-06T23:00:00Z'],
      ['ResolvedRefs', 'True', 2, '2026-12-06T23:00:00Z'],
    ]);
  });

  test('leaves a route whose status already speaks of its generation', () => {
    assert.equal(acknowledged(route(3, 3), new Date()), null);
  });
});
