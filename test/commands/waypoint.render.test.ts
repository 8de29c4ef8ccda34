import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderWaypointJson, renderWaypointSlack, renderWaypointText } from '../../commands/waypoint.render.ts';
import { summarizeWaypoints, type Waypoint } from '../../src/mesh/waypoint.ts';
import { blockText } from '../support/blocks.ts';

const waypoint = (namespace: string, name: string, programmed: boolean): Waypoint => ({
  namespace,
  name,
  programmed,
  programmedStatus: programmed ? 'True' : 'False',
  trafficType: 'service',
  revision: 'default',
  reason: '',
  message: '',
});

describe('waypoint card of a large mesh', () => {
  it('keeps the not programmed waypoints on the card, says how many more there are, and stays inside Block Kit limits', () => {
    const many = Array.from({ length: 40 }, (_, index) => waypoint(`team-${String(index).padStart(2, '0')}`, 'waypoint', index !== 7 && index !== 33));
    const summary = summarizeWaypoints(many, [], { kind: 'all' });
    const message = renderWaypointSlack({ cluster: 'prod', scope: { kind: 'all' }, namespaceDefaulted: false, action: 'list', ran: 'list', note: null, asOf: new Date('2026-01-01T00:00:00Z'), errors: [], summary, istioctlVersion: '1.28.1' });
    const text = blockText(message.blocks);
    const lines = text.split('\n').filter((line) => /PROGRAMMED/.test(line));
    assert.equal(lines.length, 15);
    assert.deepEqual(lines.slice(0, 2), [':red_circle: team-07/waypoint — PROGRAMMED False · traffic type service · revision default', ':red_circle: team-33/waypoint — PROGRAMMED False · traffic type service · revision default']);
    assert.match(text, /…and 25 more \(`\/mesh waypoint -n NAMESPACE` lists one namespace\)/);
    assert.doesNotMatch(text, /Traffic type `none`/, 'the note is for `none` only');
    assert.ok(message.blocks.length <= 50);
    assert.equal(message.text, 'prod (all namespaces): 2 of 40 waypoints not programmed (as of 00:00:00 UTC)');
  });
});

describe('a Namespace labelled istio.io/use-waypoint', () => {
  const render = (services: Parameters<typeof summarizeWaypoints>[1]) => {
    const summary = summarizeWaypoints([waypoint('shop', 'cart-waypoint', true)], services, { kind: 'all' });
    const result = { cluster: 'prod', scope: { kind: 'all' as const }, namespaceDefaulted: false, action: 'list' as const, ran: 'list' as const, note: null, asOf: new Date('2026-01-01T00:00:00Z'), errors: [], summary, istioctlVersion: '1.28.1' };
    return { slack: blockText(renderWaypointSlack(result).blocks), text: renderWaypointText(result), json: renderWaypointJson(result) };
  };

  it('naming a waypoint that does not exist is a problem for every Service in it, and the card says so', () => {
    const out = render([
      { labelledOn: 'Namespace', namespace: 'shop', name: null, waypoint: 'shop-waypoint', waypointNamespace: 'shop' },
      { labelledOn: 'Service', namespace: 'shop', name: 'cart', waypoint: 'cart-waypoint', waypointNamespace: 'shop' },
    ]);
    assert.match(out.slack, /:red_circle: \*1 waypoint, all programmed; 1 Namespace with a missing or unprogrammed waypoint\*/);
    assert.match(out.slack, /\*Services labelled `istio\.io\/use-waypoint`\* \(1 Service and 1 Namespace in scope\)\n• Namespace shop \(its Services without a label of their own\): waypoint shop\/shop-waypoint does not exist/);
    assert.match(out.text, /\nLabelled istio\.io\/use-waypoint: 1 Service and 1 Namespace in scope, 1 problem\n {2}Namespace shop \(its Services without a label of their own\): waypoint shop\/shop-waypoint does not exist\n/);
    assert.deepEqual(out.json['services'], {
      labelled: 1,
      labelledNamespaces: 1,
      problems: [{ labelledOn: 'Namespace', namespace: 'shop', service: null, waypointNamespace: 'shop', waypoint: 'shop-waypoint', problem: 'missing' }],
    });
  });

  it('naming a programmed waypoint is no problem', () => {
    const out = render([{ labelledOn: 'Namespace', namespace: 'shop', name: null, waypoint: 'cart-waypoint', waypointNamespace: 'shop' }]);
    assert.match(out.slack, /0 Services and 1 Namespace labelled `istio\.io\/use-waypoint` in scope; every one names a programmed waypoint\./);
  });
});
