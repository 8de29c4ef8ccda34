import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainAmbientFinding } from '../../src/mesh/analyze.ts';

const negative = (kind: string, type: string, reason: string, message: string) => ({
  code: 'IST0171',
  resource: { kind, namespace: 'default', name: 'x' },
  message: `A condition with a negative status is present: type=${type}, reason=${reason}, message=${message}.`,
});

describe('ambient findings in plain words', () => {
  it('a route whose Service has no waypoint (ConditionAnalyzer input: HTTPRoute Accepted False, WaypointNotBound)', () => {
    assert.equal(
      explainAmbientFinding(negative('HTTPRoute', 'Accepted', 'WaypointNotBound', 'Service is not bound to a waypoint')),
      'not applied: the Service it attaches to is not bound to a waypoint, and in ambient only a waypoint applies routes (Accepted — WaypointNotBound: Service is not bound to a waypoint)',
    );
  });

  it('a policy a waypoint accepts only in part (WaypointAccepted True, PartiallyInvalid)', () => {
    assert.match(explainAmbientFinding(negative('AuthorizationPolicy', 'WaypointAccepted', 'PartiallyInvalid', 'Invalid targetRefs: default/doesnt-exist')) ?? '', /^the waypoint enforces only part of this policy \(WaypointAccepted — PartiallyInvalid: Invalid targetRefs: default\/doesnt-exist\)$/);
  });

  it('a condition type it does not know is named, not guessed', () => {
    assert.match(explainAmbientFinding(negative('Service', 'example.com/Ready', 'Nope', 'not ready')) ?? '', /^condition example\.com\/Ready is negative/);
  });

  it('other codes, and a message no template matches (a newer istioctl), are left as istioctl wrote them', () => {
    assert.equal(explainAmbientFinding({ code: 'IST0101', resource: null, message: 'Referenced host not found: "x"' }), undefined);
    assert.equal(explainAmbientFinding({ code: 'IST0171', resource: null, message: 'Some new wording of the condition' }), undefined);
  });
});
