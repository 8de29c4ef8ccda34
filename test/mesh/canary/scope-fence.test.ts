/**
 * Finding F11 and its VirtualService twin: an approved split lands only on the traffic the approver saw. Which
 * traffic a route object's rules apply to is decided outside the rules (an HTTPRoute's parentRefs and hostnames,
 * a VirtualService's hosts, gateways and exportTo); another writer changing them between the request and the
 * approval makes the approval write nothing and say why, on the card and in its thread.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { APPROVE_ACTION, renderCard } from '../../../commands/canary.render.ts';
import type { IstioObjects } from '../../../src/kube/istio-objects.ts';
import { promotionRequestSchema } from '../../../src/mesh/canary/request.ts';
import type { FakeKubeApi, KubeObject } from '../../../src/sandbox/kube-api.ts';
import { reviewsWeights, seedReviews } from '../../support/bookinfo.ts';
import { blockText } from '../../support/blocks.ts';
import { setupRequest } from '../../support/faults-run.ts';
import { CARD_CHANNEL, World } from '../../support/faults-world.ts';
import { annotationsOfReviews, startHarness, weightWrites, type Harness } from './harness.ts';
import { ROUTE_API, acceptingController, routeAnnotations, routeWeights, seedReviewsRoute } from './http-route-seed.ts';

const VS_API = 'networking.istio.io/v1';
const INGRESS_PARENT = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'bookinfo-gateway', namespace: 'istio-ingress' };

/** Another writer (kubectl, a GitOps sync) changes the spec, keeping mesh-bot's annotations. */
function rewriteSpec(api: FakeKubeApi, apiVersion: string, kind: string, change: (spec: Record<string, unknown>) => Record<string, unknown>): void {
  const current = api.get(apiVersion, kind, 'bookinfo', 'reviews');
  assert.ok(current, `${kind} bookinfo/reviews exists`);
  api.put({ ...current, spec: change(structuredClone(current.spec) as Record<string, unknown>) } as KubeObject);
}

function specOf(api: FakeKubeApi, apiVersion: string, kind: string): Record<string, unknown> {
  return (api.get(apiVersion, kind, 'bookinfo', 'reviews')?.spec ?? {}) as Record<string, unknown>;
}

/** The JSON Patch ops of the last real (not dry-run) write of reviews' weights. */
function lastWeightPatch(api: FakeKubeApi, resource: string): { op: string; path: string; value?: unknown }[] {
  const writes = api.requests.filter((request) => request.method === 'PATCH' && request.path.endsWith(`/${resource}/reviews`) && request.query['dryRun'] === undefined && JSON.stringify(request.body).includes('/weight'));
  return (writes.at(-1)?.body ?? []) as { op: string; path: string; value?: unknown }[];
}

describe('an approval writes only to the traffic the approver saw (F11)', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  async function pendingHttpRoute(seed: (api: FakeKubeApi) => void = (api) => seedReviewsRoute(api)) {
    harness = await startHarness({});
    const canary = harness.replica({ gateway: acceptingController(harness.api) });
    seed(harness.api);
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok, request.ok ? '' : request.error);
    return { canary, request: request.value };
  }

  async function pendingVirtualService(scope: Record<string, unknown> = {}) {
    harness = await startHarness();
    seedReviews(harness.api);
    rewriteSpec(harness.api, VS_API, 'VirtualService', (spec) => ({ ...spec, ...scope }));
    const canary = harness.replica();
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok, request.ok ? '' : request.error);
    return { canary, request: request.value };
  }

  it('HTTPRoute re-attached to the ingress Gateway after the request: nothing written, the card says its parentRefs changed', async () => {
    const { canary, request } = await pendingHttpRoute();
    rewriteSpec(harness.api, ROUTE_API, 'HTTPRoute', (spec) => ({ ...spec, parentRefs: [INGRESS_PARENT] }));
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok, decided.ok ? '' : decided.error);
    assert.equal(decided.value.applied, false);
    assert.equal(decided.value.request.state, 'failed');
    const why =
      'HTTPRoute bookinfo/reviews changed since the request was made: its parentRefs (which traffic it routes) changed, so nothing was written. Check where it applies now with `kubectl -n bookinfo get httproutes reviews -o yaml` and ask again if the change is still wanted.';
    assert.equal(decided.value.request.outcome?.message, why);
    assert.deepEqual(routeWeights(harness.api), [90, 10], 'the ingress traffic keeps its split');
    assert.deepEqual(specOf(harness.api, ROUTE_API, 'HTTPRoute')['parentRefs'], [INGRESS_PARENT]);
    assert.equal(routeAnnotations(harness.api)['mesh-bot/owner'], undefined, 'the request let go of the route');
    assert.equal(routeAnnotations(harness.api)['mesh-bot/applied-request'], undefined);
    assert.ok(blockText(renderCard(decided.value.request, harness.now).blocks).includes(`*Approved* by <@U0BOB> at 10:00:00 UTC but *not applied*: ${why}`), 'the card says why');
  });

  it('HTTPRoute given hostnames after the request: nothing written, the answer names hostnames', async () => {
    const { canary, request } = await pendingHttpRoute();
    rewriteSpec(harness.api, ROUTE_API, 'HTTPRoute', (spec) => ({ ...spec, hostnames: ['reviews.example.com'] }));
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok);
    assert.equal(decided.value.request.state, 'failed');
    assert.match(decided.value.request.outcome?.message ?? '', /^HTTPRoute bookinfo\/reviews changed since the request was made: its hostnames \(which traffic it routes\) changed, so nothing was written\./);
    assert.deepEqual(routeWeights(harness.api), [90, 10]);
  });

  it('VirtualService with its hosts changed and exportTo narrowed after the request: nothing written, both named', async () => {
    const { canary, request } = await pendingVirtualService();
    rewriteSpec(harness.api, VS_API, 'VirtualService', (spec) => ({ ...spec, hosts: ['reviews.bookinfo.svc.cluster.local', 'reviews.example.com'], exportTo: ['.'] }));
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok);
    assert.equal(decided.value.request.state, 'failed');
    assert.equal(
      decided.value.request.outcome?.message,
      'VirtualService bookinfo/reviews changed since the request was made: its hosts and exportTo (which traffic it routes) changed, so nothing was written. Check where it applies now with `kubectl -n bookinfo get virtualservices reviews -o yaml` and ask again if the change is still wanted.',
    );
    assert.deepEqual(reviewsWeights(harness.api), [90, 10]);
    assert.equal(weightWrites(harness.api), 1, 'one weight write was sent, and the API server refused it');
  });

  describe('fields that are absent, or present and unchanged, are fenced as read and the approval applies', () => {
    it('an HTTPRoute without hostnames (the GAMMA sample): its absence is tested with null', async () => {
      const { canary, request } = await pendingHttpRoute();
      assert.equal(specOf(harness.api, ROUTE_API, 'HTTPRoute')['hostnames'], undefined);
      const decided = await canary.decide(request.id, 'U0BOB', 'approve');
      assert.ok(decided.ok && decided.value.applied, decided.ok ? decided.value.request.outcome?.message : decided.error);
      assert.deepEqual(routeWeights(harness.api), [50, 50]);
      const tests = lastWeightPatch(harness.api, 'httproutes').filter((op) => op.op === 'test' && /^\/spec\/[a-zA-Z]+$/.test(op.path));
      assert.deepEqual(tests, [
        { op: 'test', path: '/spec/parentRefs', value: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }] },
        { op: 'test', path: '/spec/hostnames', value: null },
      ]);
    });

    it('a VirtualService without gateways or exportTo (mesh traffic, every namespace)', async () => {
      const { canary, request } = await pendingVirtualService();
      const decided = await canary.decide(request.id, 'U0BOB', 'approve');
      assert.ok(decided.ok && decided.value.applied, decided.ok ? decided.value.request.outcome?.message : decided.error);
      assert.deepEqual(reviewsWeights(harness.api), [50, 50]);
      const tests = lastWeightPatch(harness.api, 'virtualservices').filter((op) => op.op === 'test' && /^\/spec\/[a-zA-Z]+$/.test(op.path));
      assert.deepEqual(tests, [
        { op: 'test', path: '/spec/hosts', value: ['reviews'] },
        { op: 'test', path: '/spec/gateways', value: null },
        { op: 'test', path: '/spec/exportTo', value: null },
      ]);
    });

    it('a VirtualService bound to the mesh and a gateway, exported to its namespace', async () => {
      const { canary, request } = await pendingVirtualService({ gateways: ['mesh', 'istio-ingress/bookinfo-gateway'], exportTo: ['.'] });
      const decided = await canary.decide(request.id, 'U0BOB', 'approve');
      assert.ok(decided.ok && decided.value.applied, decided.ok ? decided.value.request.outcome?.message : decided.error);
      assert.deepEqual(reviewsWeights(harness.api), [50, 50]);
    });
  });

  it('a request made by an older mesh-bot (its plan tests no scope) is cancelled on approval, and nothing is written', async () => {
    const { canary, request } = await pendingVirtualService();
    // What a pending request of a mesh-bot from before the scope tests holds, met during a rolling upgrade.
    const stored = await harness.store.get(`mesh-bot-promo-${request.id}`, promotionRequestSchema);
    assert.ok(stored.ok && stored.value);
    const unscoped = stored.value.value.plan.patch.filter((op) => !(op.op === 'test' && /^\/spec\/[^/]+$/.test(op.path)));
    assert.ok(unscoped.length < stored.value.value.plan.patch.length, 'the plan had scope tests to take out');
    const replaced = await harness.store.replace(stored.value, { ...stored.value.value, plan: { ...stored.value.value.plan, patch: unscoped } });
    assert.ok(replaced.ok);

    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.equal(decided.ok, false);
    assert.equal(
      decided.ok ? '' : decided.error,
      'This promotion request was cancelled: It was made by an older mesh-bot, whose plan does not check which traffic the VirtualService applies to, so nothing was changed. Ask again with `/mesh canary promote`.',
    );
    assert.equal((await harness.stored(request.id))?.state, 'cancelled');
    assert.equal(weightWrites(harness.api), 0);
    assert.deepEqual(reviewsWeights(harness.api), [90, 10]);
    assert.equal(annotationsOfReviews(harness.api)['mesh-bot/owner'], undefined, 'the request let go of the VirtualService');
  });

  it('rollback tests the scope it read: a gateways change between its read and its write is refused, and the retry rolls back the route as it is now', async () => {
    harness = await startHarness();
    seedReviews(harness.api, { weights: [30, 70] });
    let changed = false;
    const otherWriterFirst = (real: IstioObjects): IstioObjects => ({
      ...real,
      async patchVirtualService(namespace, name, version, ops, options) {
        if (!changed && !options.dryRun && ops.some((op) => op.op === 'add' && op.path.endsWith('/weight'))) {
          changed = true;
          rewriteSpec(harness.api, VS_API, 'VirtualService', (spec) => ({ ...spec, gateways: ['istio-ingress/bookinfo-gateway'] }));
        }
        return real.patchVirtualService(namespace, name, version, ops, options);
      },
    });
    const rolled = await harness.replica({ istio: otherWriterFirst }).rollback('bookinfo', 'reviews', 'U0DAVE', { to: 'v1' });
    assert.ok(rolled.ok, rolled.ok ? '' : rolled.error);
    assert.deepEqual(reviewsWeights(harness.api), [100, 0]);
    assert.deepEqual(specOf(harness.api, VS_API, 'VirtualService')['gateways'], ['istio-ingress/bookinfo-gateway'], "the other writer's gateways stay");
    const writes = harness.api.requests.filter((request) => request.method === 'PATCH' && request.query['dryRun'] === undefined && JSON.stringify(request.body).includes('/weight'));
    assert.equal(writes.length, 2, 'the write planned on the old read was refused, then retried on a fresh read');
    assert.deepEqual(
      (writes[0]?.body as { op: string; path: string; value?: unknown }[]).find((op) => op.path === '/spec/gateways'),
      { op: 'test', path: '/spec/gateways', value: null },
    );
  });

});

describe('an approval writes only to the traffic the approver saw, through Slack (F11)', () => {
  it('a VirtualService bound to the ingress gateway after the request, then approved — the card and its thread say why, nothing written', async () => {
    const world = await World.start();
    try {
      const { requestId } = await setupRequest(world);
      assert.ok(requestId);
      world.putVirtualService(world.http() ?? [], undefined, { ...world.virtualServiceScope(), gateways: ['istio-ingress/bookinfo-gateway'] });
      const told = await world.click(world.actor('approver'), APPROVE_ACTION, requestId, 'U0BOB');
      assert.deepEqual(told, []);
      const card = world.cardOf(requestId);
      assert.ok(card);
      const sentence = 'its gateways (which traffic it routes) changed, so nothing was written';
      assert.match(blockText(card.blocks), new RegExp(sentence.replace(/[()]/g, '\\$&')));
      const thread = world.slack.messages(CARD_CHANNEL).filter((message) => message.threadTs === card.ts).map((message) => message.text);
      assert.ok(thread.some((text) => text.startsWith('Approved by <@U0BOB> but not applied: VirtualService bookinfo/reviews changed since the request was made: its gateways')), thread.join('\n'));
      const weights = (world.http() ?? [])[0]?.route.map((destination) => destination.weight);
      assert.deepEqual(weights, [90, 10]);
    } finally {
      await world.close();
    }
  });
});
