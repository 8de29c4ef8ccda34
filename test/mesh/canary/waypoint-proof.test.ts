// An HTTPRoute promotion in an ambient mesh is proven only when its parents accepted the change AND the waypoint
// serving the route is SYNCED after istiod can have pushed; routes no waypoint serves are never said to have one.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { propagationLine } from '../../../commands/canary.render.ts';
import type { IstioctlError } from '../../../src/istioctl/errors.ts';
import type { ProxyStatusReport, ProxyStatusRow, SyncState } from '../../../src/istioctl/types.ts';
import type { Propagation } from '../../../src/mesh/canary/request.ts';
import { startHarness, type Harness, type HarnessOptions } from './harness.ts';
import { acceptingController, seedGateway, seedNamespace, seedParentService, seedReviewsRoute, setParentRefs } from './http-route-seed.ts';

const WRITTEN_AT = Date.parse('2026-11-21T10:00:00Z');
const WAYPOINT_POD = 'reviews-waypoint-6c9f8d7b5d-p4n7x';
const ENVOY_SYNCED: Record<string, SyncState> = { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED', WDS: 'IGNORED', WADS: 'IGNORED' };

function row(id: string, states: Record<string, SyncState> = ENVOY_SYNCED): ProxyStatusRow {
  return { name: id, namespace: id.slice(id.lastIndexOf('.') + 1), cluster: 'Kubernetes', istiod: 'istiod-7d4f74889d-mb5dh', version: '1.28.1', states, rawStates: states };
}

function report(...proxies: ProxyStatusRow[]): ProxyStatusReport {
  return { format: 'xds-table', proxies, istiods: [] };
}

/** A sidecar of the route's namespace that stays STALE: the waypoint proof must not wait for it. */
const staleSidecar = row('ratings-v1-9bd8c8595-hvc5b.bookinfo', { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'STALE' });

describe('HTTPRoute propagation proof in ambient: the waypoint that serves the route', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  async function start(proxyStatus: (asOf: Date) => ProxyStatusReport | IstioctlError, propagation: HarnessOptions['propagation'] = { timeoutMs: 60_000, intervalMs: 3_000 }) {
    harness = await startHarness({ proxyStatus, propagation });
    seedReviewsRoute(harness.api);
  }

  /** The reviews Service labelled to use waypoint reviews-waypoint, which runs one pod. */
  function labelledWaypoint(): void {
    seedParentService(harness.api, { 'istio.io/use-waypoint': 'reviews-waypoint' });
    seedGateway(harness.api, 'reviews-waypoint');
  }

  /** U0ALICE asks for 50/50, U0BOB approves: what the request records and what the card and the reply say. */
  async function promote(): Promise<{ propagation: Propagation; line: string }> {
    const canary = harness.replica({ gateway: acceptingController(harness.api) });
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok, request.ok ? '' : request.error);
    const decided = await canary.decide(request.value.id, 'U0BOB', 'approve');
    assert.ok(decided.ok && decided.value.applied, decided.ok ? decided.value.request.outcome?.message : decided.error);
    const propagation = decided.value.request.outcome?.propagation;
    assert.ok(propagation);
    return { propagation, line: propagationLine(propagation) };
  }

  it('finds the waypoint by the Service label and proves it SYNCED after istiod can have pushed, ignoring other proxies', async () => {
    await start(() => report(row(`${WAYPOINT_POD}.bookinfo`), staleSidecar));
    labelledWaypoint();
    const { propagation, line } = await promote();
    assert.equal(propagation.complete, true);
    assert.deepEqual(propagation.waypoints, [{ namespace: 'bookinfo', name: 'reviews-waypoint', via: 'Service bookinfo/reviews label', pods: 1, synced: 1, pending: [] }]);
    // Polls every 3 s; the first taken 10 s after the write (istiod's debounce) is the proof.
    assert.equal(line, '1/1 parents accepted the change (Accepted and ResolvedRefs True) and waypoint bookinfo/reviews-waypoint SYNCED (1/1 pods) after 12 s.');
  });

  it("finds the waypoint by the Namespace label, in the namespace istio.io/use-waypoint-namespace names", async () => {
    await start(() => report(row('shared-waypoint-7f8d9c6b5f-k2m4q.mesh-waypoints')));
    seedParentService(harness.api);
    seedNamespace(harness.api, 'bookinfo', { 'istio.io/use-waypoint': 'shared-waypoint', 'istio.io/use-waypoint-namespace': 'mesh-waypoints' });
    seedGateway(harness.api, 'shared-waypoint', { namespace: 'mesh-waypoints', pods: ['shared-waypoint-7f8d9c6b5f-k2m4q'] });
    const { propagation, line } = await promote();
    assert.equal(propagation.complete, true);
    assert.deepEqual(propagation.waypoints?.map((waypoint) => [`${waypoint.namespace}/${waypoint.name}`, waypoint.via]), [['mesh-waypoints/shared-waypoint', 'Namespace bookinfo label']]);
    assert.match(line, /and waypoint mesh-waypoints\/shared-waypoint SYNCED \(1\/1 pods\) after 12 s\.$/);
  });

  it('takes a Gateway parent of class istio-waypoint as the waypoint itself, and checks every one of its pods', async () => {
    const second = 'reviews-waypoint-6c9f8d7b5d-z9x8w';
    await start(() => report(row(`${WAYPOINT_POD}.bookinfo`), row(`${second}.bookinfo`, { ...ENVOY_SYNCED, RDS: 'NOT SENT' })));
    setParentRefs(harness.api, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'reviews-waypoint' }]);
    seedGateway(harness.api, 'reviews-waypoint', { pods: [WAYPOINT_POD, second] });
    const { propagation, line } = await promote();
    assert.equal(propagation.complete, true);
    assert.equal(propagation.waypoints?.[0]?.via, 'parentRef Gateway of class istio-waypoint');
    assert.match(line, /and waypoint bookinfo\/reviews-waypoint SYNCED \(2\/2 pods\) after 12 s\.$/);
  });

  it('claims no waypoint for a Service labelled istio.io/use-waypoint=none, even when its Namespace names one', async () => {
    await start(() => report(row(`${WAYPOINT_POD}.bookinfo`, { ...ENVOY_SYNCED, RDS: 'STALE' })));
    seedParentService(harness.api, { 'istio.io/use-waypoint': 'none' });
    seedNamespace(harness.api, 'bookinfo', { 'istio.io/use-waypoint': 'reviews-waypoint' });
    seedGateway(harness.api, 'reviews-waypoint');
    const { propagation, line } = await promote();
    assert.equal(propagation.complete, true);
    assert.deepEqual(propagation.waypoints, []);
    assert.equal(line, '1/1 parents accepted the change (Accepted and ResolvedRefs True) after 0 s.');
  });

  it('claims no waypoint for a route attached to an ingress Gateway: the parent status is the whole proof', async () => {
    await start(() => report(row(`${WAYPOINT_POD}.bookinfo`, { ...ENVOY_SYNCED, RDS: 'STALE' })));
    setParentRefs(harness.api, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'bookinfo-gateway', namespace: 'istio-ingress' }]);
    seedGateway(harness.api, 'bookinfo-gateway', { namespace: 'istio-ingress', className: 'istio' });
    seedNamespace(harness.api, 'bookinfo', { 'istio.io/use-waypoint': 'reviews-waypoint' });
    const { propagation, line } = await promote();
    assert.deepEqual(propagation.waypoints, []);
    assert.doesNotMatch(line, /waypoint/);
    assert.equal(propagation.complete, true);
  });

  it('waits while the waypoint is STALE and calls it proven once a later poll shows it SYNCED', async () => {
    await start((asOf) => report(row(`${WAYPOINT_POD}.bookinfo`, { ...ENVOY_SYNCED, RDS: asOf.getTime() < WRITTEN_AT + 15_000 ? 'STALE' : 'SYNCED' })));
    labelledWaypoint();
    const { propagation, line } = await promote();
    assert.equal(propagation.complete, true);
    assert.equal(line, '1/1 parents accepted the change (Accepted and ResolvedRefs True) and waypoint bookinfo/reviews-waypoint SYNCED (1/1 pods) after 15 s.');
  });

  it('regression: a waypoint still STALE at the deadline makes the answer say so, not "accepted" alone', async () => {
    await start((asOf) => report(row(`${WAYPOINT_POD}.bookinfo`, { ...ENVOY_SYNCED, RDS: asOf.getTime() < WRITTEN_AT + 15_000 ? 'STALE' : 'SYNCED' })), { timeoutMs: 12_000, intervalMs: 3_000 });
    labelledWaypoint();
    const { propagation, line } = await promote();
    assert.equal(propagation.complete, false);
    assert.equal(line, `1/1 parents accepted the change (Accepted and ResolvedRefs True), but after 12 s waypoint bookinfo/reviews-waypoint not SYNCED (0/1 pods): ${WAYPOINT_POD}.bookinfo: RDS STALE.`);
  });

  it('never calls a waypoint with no proxy connected to istiod SYNCED, and says why', async () => {
    await start(() => report(staleSidecar));
    labelledWaypoint();
    const { propagation, line } = await promote();
    assert.equal(propagation.complete, false);
    assert.equal(line, '1/1 parents accepted the change (Accepted and ResolvedRefs True), but after 60 s waypoint bookinfo/reviews-waypoint not SYNCED (0/1 pods): no proxy connected to istiod.');
  });

  it('says so when the waypoint the label names has no running pod', async () => {
    await start(() => report());
    seedParentService(harness.api, { 'istio.io/use-waypoint': 'reviews-waypoint' });
    seedGateway(harness.api, 'reviews-waypoint', { pods: [] });
    const { propagation, line } = await promote();
    assert.equal(propagation.complete, false);
    assert.match(line, /waypoint bookinfo\/reviews-waypoint not SYNCED \(0\/0 pods\): no running pod\.$/);
  });

  it('says proxy-status failed, keeping what the parents proved, and is not complete', async () => {
    await start(() => ({ kind: 'xds-unreachable', message: 'istiod did not answer on its xDS port (15012); check that istiod is running.', detail: '', exitCode: 1 }));
    labelledWaypoint();
    const { propagation, line } = await promote();
    assert.equal(propagation.complete, false);
    assert.equal(line, '1/1 parents accepted the change (Accepted and ResolvedRefs True), but could not check waypoint bookinfo/reviews-waypoint: istiod did not answer on its xDS port (15012); check that istiod is running.');
  });

  it('a rollback proves the waypoint too', async () => {
    await start(() => report(row(`${WAYPOINT_POD}.bookinfo`)));
    labelledWaypoint();
    const canary = harness.replica({ gateway: acceptingController(harness.api) });
    const rolled = await canary.rollback('bookinfo', 'reviews', 'U0OPS', { to: 'reviews-v1' });
    assert.ok(rolled.ok, rolled.ok ? '' : rolled.error);
    assert.equal(rolled.value.propagation.complete, true);
    assert.deepEqual(rolled.value.propagation.waypoints?.map((waypoint) => `${waypoint.namespace}/${waypoint.name} ${waypoint.synced}/${waypoint.pods}`), ['bookinfo/reviews-waypoint 1/1']);
  });
});
