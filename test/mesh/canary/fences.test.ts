/**
 * Regression tests of issue #9's canary defects 1, 3, 5, 6, 10 and its two canary suspicions (an unclear patch
 * answer, a propagation proof from before istiod pushed), through createCanaryService and the in-process API.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { IstioObjects } from '../../../src/kube/istio-objects.ts';
import { recordName } from '../../../src/kube/state-store.ts';
import { lockSchema } from '../../../src/mesh/canary/request.ts';
import { reviewsWeights, seedReviews } from '../../support/bookinfo.ts';
import { annotationsOfReviews, cluster, dieOnWeightPatch, pendingRequest, startHarness, weightWrites, type Harness } from './harness.ts';

const unavailable = { kind: 'unavailable', status: null, message: 'the Kubernetes API of cluster prod-eu did not answer (connection reset)', serverMessage: '' } as const;

/** The weight patch reaches the API server and lands, but the answer is lost (timeout, connection reset). */
function answerLost(real: IstioObjects): IstioObjects {
  return {
    ...real,
    async patchVirtualService(namespace, name, version, ops, options) {
      const written = await real.patchVirtualService(namespace, name, version, ops, options);
      const weights = ops.some((op) => op.op === 'add' && op.path.startsWith('/spec/http/'));
      return weights && !options.dryRun && written.ok ? { ok: false, error: unavailable } : written;
    },
  };
}

/** The weight patch never reaches the API server, and the answer is a connection reset. */
function neverSent(real: IstioObjects): IstioObjects {
  return {
    ...real,
    async patchVirtualService(namespace, name, version, ops, options) {
      const weights = ops.some((op) => op.op === 'add' && op.path.startsWith('/spec/http/'));
      return weights && !options.dryRun ? { ok: false, error: unavailable } : real.patchVirtualService(namespace, name, version, ops, options);
    },
  };
}

/** reviews with the given routes in bookinfo (DestinationRule and pods as in seedReviews). */
function seedRoutes(harness: Harness, http: unknown[]): void {
  seedReviews(harness.api);
  harness.api.put({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'bookinfo' }, spec: { hosts: ['reviews'], http } });
}

function routesOfReviews(harness: Harness): { match?: unknown; route?: { destination: { subset?: string }; weight?: number }[] }[] {
  const vs = harness.api.get('networking.istio.io/v1', 'VirtualService', 'bookinfo', 'reviews') as { spec?: { http?: { route?: { destination: { subset?: string }; weight?: number }[] }[] } } | undefined;
  return vs?.spec?.http ?? [];
}

const split = (stable: number, canary: number) => [
  { destination: { host: 'reviews', subset: 'v1' }, weight: stable },
  { destination: { host: 'reviews', subset: 'v2' }, weight: canary },
];

describe('canary writes are fenced and recorded on the VirtualService (issue #9)', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  describe('defect 1: rollback never sends traffic to the canary', () => {
    it('refuses without a stable/canary record or --to, naming the flag, and writes nothing', async () => {
      harness = await startHarness();
      seedReviews(harness.api, { weights: [30, 70] });
      const rolled = await harness.replica().rollback('bookinfo', 'reviews', 'U0DAVE');
      assert.equal(rolled.ok, false);
      assert.match(rolled.ok ? '' : rolled.error, /no record of which subset of bookinfo\/reviews is stable .* --to, e\.g\. `canary rollback reviews -n bookinfo --to v1` \(subsets: v1, v2\)/);
      assert.deepEqual(reviewsWeights(harness.api), [30, 70]);
    });

    it('uses the record written with the weights even after every request record is gone', async () => {
      harness = await startHarness();
      const { canary, request } = await pendingRequest(harness, 70);
      const decided = await canary.decide(request.id, 'U0BOB', 'approve');
      assert.ok(decided.ok && decided.value.applied);
      assert.deepEqual(reviewsWeights(harness.api), [30, 70]);
      assert.equal(annotationsOfReviews(harness.api)['mesh-bot/stable-subset'], 'v1');
      assert.equal(annotationsOfReviews(harness.api)['mesh-bot/canary-subset'], 'v2');
      const inspected = await canary.inspect('bookinfo', 'reviews');
      assert.deepEqual(inspected.ok ? inspected.value.roles : null, { stableSubset: 'v1', canarySubset: 'v2', host: 'reviews' }, '`canary status` shows the record, with the service whose subsets it names');
      // The sweep deletes week-old requests; the stable/canary record stays on the VirtualService.
      await harness.store.remove(`mesh-bot-promo-${request.id}`);
      const rolled = await canary.rollback('bookinfo', 'reviews', 'U0DAVE');
      assert.ok(rolled.ok, rolled.ok ? '' : rolled.error);
      assert.deepEqual(reviewsWeights(harness.api), [100, 0]);
    });

    it('refuses a --to that names the recorded canary, which would raise the canary, and writes nothing', async () => {
      harness = await startHarness();
      const { canary, request } = await pendingRequest(harness, 70);
      const decided = await canary.decide(request.id, 'U0BOB', 'approve');
      assert.ok(decided.ok && decided.value.applied);
      assert.deepEqual(reviewsWeights(harness.api), [30, 70]);
      const rolled = await canary.rollback('bookinfo', 'reviews', 'U0DAVE', { to: 'v2' });
      assert.equal(rolled.ok, false);
      assert.match(rolled.ok ? '' : rolled.error, /--to v2 names the canary .*stable subset is v1/);
      assert.deepEqual(reviewsWeights(harness.api), [30, 70]);
    });

    it('sends 100 % to the subset named by --to, whatever the shares', async () => {
      harness = await startHarness();
      seedReviews(harness.api, { weights: [30, 70] });
      const rolled = await harness.replica().rollback('bookinfo', 'reviews', 'U0DAVE', { to: 'v1' });
      assert.ok(rolled.ok, rolled.ok ? '' : rolled.error);
      assert.deepEqual(reviewsWeights(harness.api), [100, 0]);
      assert.equal(annotationsOfReviews(harness.api)['mesh-bot/stable-subset'], 'v1', 'the rollback records the roles too');
    });
  });

  it('defect 3: a patch of an approval the leader already settled as failed never lands', async () => {
    harness = await startHarness();
    const { request } = await pendingRequest(harness);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached: () => void = () => undefined;
    const atPatch = new Promise<void>((resolve) => {
      reached = resolve;
    });
    // A replica whose weight patch is held back (Slack retries on the card update, a slow network)...
    const slow = harness.replica({
      istio: (real) => ({
        ...real,
        async patchVirtualService(namespace, name, version, ops, options) {
          if (!options.dryRun && ops.some((op) => op.op === 'add' && op.path.startsWith('/spec/http/'))) {
            reached();
            await held;
          }
          return real.patchVirtualService(namespace, name, version, ops, options);
        },
      }),
    });
    const decision = slow.decide(request.id, 'U0BOB', 'approve');
    await atPatch;
    // ...while the leader's sweep, six minutes on, settles the approval as interrupted.
    harness.advance(6 * 60_000);
    const settled = await harness.replica().sweepExpired();
    assert.deepEqual(settled.map((entry) => entry.state), ['failed']);
    release();
    const decided = await decision;
    assert.ok(decided.ok);
    assert.equal(decided.value.request.state, 'failed');
    assert.deepEqual(reviewsWeights(harness.api), [90, 10], 'the late patch was refused by the fence');
    assert.equal((await harness.stored(request.id))?.state, 'failed');
  });

  it('defect 5: a route inserted above the approved unnamed route makes the change land nowhere, and says why', async () => {
    harness = await startHarness();
    seedRoutes(harness, [{ route: split(90, 10) }]);
    const canary = harness.replica();
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const created = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(created.ok);
    // Someone inserts a header route with the same destinations above it (keeping mesh-bot's annotation).
    const current = harness.api.get('networking.istio.io/v1', 'VirtualService', 'bookinfo', 'reviews') as { metadata: Record<string, unknown>; spec: { http: unknown[] } };
    harness.api.put({ ...current, spec: { ...current.spec, http: [{ match: [{ headers: { 'x-beta': { exact: '1' } } }], route: split(90, 10) }, ...current.spec.http] } });

    const decided = await canary.decide(created.value.id, 'U0BOB', 'approve');
    assert.ok(decided.ok);
    assert.equal(decided.value.request.state, 'failed');
    assert.match(decided.value.request.outcome?.message ?? '', /route #1 moved to position 2 \(a route was added or removed above it\), so nothing was written/);
    assert.deepEqual(routesOfReviews(harness).map((route) => route.route?.map((destination) => destination.weight)), [[90, 10], [90, 10]]);
  });

  describe('defect 6: the lock of an interrupted approval is always freed', () => {
    it('fails the request and frees the lock when the VirtualService was deleted, so a recreated one can be promoted', async () => {
      harness = await startHarness();
      const { request } = await pendingRequest(harness);
      const dying = dieOnWeightPatch(false);
      void harness.replica({ istio: dying.istio }).decide(request.id, 'U0BOB', 'approve');
      await dying.reached;
      const deleted = await fetch(`${harness.api.url}/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/reviews`, { method: 'DELETE' });
      assert.equal(deleted.status, 200);
      harness.advance(6 * 60_000);
      const leader = harness.replica();
      assert.deepEqual((await leader.sweepExpired()).map((entry) => entry.state), ['failed']);
      seedReviews(harness.api);
      const again = await leader.prepare('bookinfo', 'reviews', 50, undefined);
      assert.ok(again.ok, again.ok ? '' : again.error);
      const next = await leader.createRequest(again.value, 'U0ALICE', 'C0OPS');
      assert.ok(next.ok, next.ok ? '' : next.error);
    });

    it('leaves it for the next minute when the VirtualService cannot be reached, then settles it', async () => {
      harness = await startHarness();
      const { request } = await pendingRequest(harness);
      const dying = dieOnWeightPatch(false);
      void harness.replica({ istio: dying.istio }).decide(request.id, 'U0BOB', 'approve');
      await dying.reached;
      harness.advance(6 * 60_000);
      const leader = harness.replica();
      harness.api.failNext({ pathPattern: /virtualservices\/reviews$/, status: 500 });
      assert.deepEqual(await leader.sweepExpired(), []);
      assert.equal((await harness.stored(request.id))?.state, 'approved');
      harness.advance(60_000);
      assert.deepEqual((await leader.sweepExpired()).map((entry) => entry.state), ['failed']);
      const locks = await harness.store.list('mesh-bot/kind=lock', lockSchema);
      assert.ok(locks.ok);
      assert.deepEqual(locks.value, [], 'the lock is freed');
    });
  });

  describe('defect 10: one pending request per VirtualService', () => {
    it('does not take the lock over when its holder cannot be read', async () => {
      harness = await startHarness();
      const { canary, prepared, request } = await pendingRequest(harness);
      harness.api.failNext({ method: 'GET', pathPattern: new RegExp(`configmaps/mesh-bot-promo-${request.id}$`), status: 500 });
      const second = await canary.createRequest(prepared, 'U0DAVE', 'C0OPS');
      assert.equal(second.ok, false);
      assert.match(second.ok ? '' : second.error, /could not tell whether the earlier promotion of bookinfo\/reviews is finished/);
      assert.equal((await harness.stored(request.id))?.state, 'pending');
    });

    it('takes over the lock of a request that was never created, and that request can no longer appear', async () => {
      harness = await startHarness();
      seedReviews(harness.api);
      const canary = harness.replica();
      const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
      assert.ok(prepared.ok);
      // A replica created the lock for pr-aaaaaaaaaaaa and stopped before it created the request.
      const lock = await harness.store.create(recordName('mesh-bot-lock', cluster.name, 'bookinfo', 'reviews'), { requestId: 'pr-aaaaaaaaaaaa', since: harness.now.toISOString() }, { 'mesh-bot/kind': 'lock' });
      assert.ok(lock.ok);

      const second = await canary.createRequest(prepared.value, 'U0DAVE', 'C0OPS');
      assert.ok(second.ok, second.ok ? '' : second.error);
      const late = await harness.store.create('mesh-bot-promo-pr-aaaaaaaaaaaa', { late: true });
      assert.equal(late.ok ? 'created' : late.error.kind, 'exists', 'the absent holder was claimed, so it cannot be created late');
    });
  });

  describe('a patch whose answer is unclear is settled from the VirtualService, not guessed', () => {
    it('reports applied when the write landed', async () => {
      harness = await startHarness({ istio: answerLost });
      const { canary, request } = await pendingRequest(harness);
      const decided = await canary.decide(request.id, 'U0BOB', 'approve');
      assert.ok(decided.ok);
      assert.equal(decided.value.request.state, 'applied');
      assert.match(decided.value.request.outcome?.message ?? '', /confirmed by reading the VirtualService after an unclear answer/);
      assert.deepEqual(reviewsWeights(harness.api), [50, 50]);
    });

    it('reports not applied only after making sure the write can no longer land', async () => {
      harness = await startHarness({ istio: neverSent });
      const { canary, request } = await pendingRequest(harness);
      const decided = await canary.decide(request.id, 'U0BOB', 'approve');
      assert.ok(decided.ok);
      assert.equal(decided.value.request.state, 'failed');
      assert.equal(annotationsOfReviews(harness.api)['mesh-bot/owner'], undefined, 'the fence was won: a delayed write would fail its test');
      assert.deepEqual(reviewsWeights(harness.api), [90, 10]);
    });
  });

  it('counts proxies in sync only from a poll taken once istiod can have pushed (10 s after the write)', async () => {
    const synced = { name: 'reviews-v1-5fd6d4f8f8-abcde.bookinfo', namespace: 'bookinfo', cluster: 'Kubernetes', istiod: 'istiod-1', version: '1.24.2', states: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' }, rawStates: {} } as const;
    harness = await startHarness({ proxyStatus: () => ({ format: 'xds-table', proxies: [synced], istiods: [] }), propagation: { timeoutMs: 60_000, intervalMs: 3_000 } });
    const { canary, request } = await pendingRequest(harness);
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok);
    const propagation = decided.value.request.outcome?.propagation;
    assert.equal(propagation?.complete, true);
    assert.ok((propagation?.seconds ?? 0) >= 10, `proof taken ${propagation?.seconds} s after the write`);
    assert.equal(weightWrites(harness.api), 1);
  });

  it('a cancel that meets a request already approved on another replica leaves its fence and lock alone', async () => {
    harness = await startHarness();
    const { canary, request } = await pendingRequest(harness);
    // The card was posted and clicked at once, while this replica failed to record where the card is and cancels.
    const dying = dieOnWeightPatch(false);
    void harness.replica({ istio: dying.istio }).decide(request.id, 'U0BOB', 'approve');
    await dying.reached;
    const answer = await canary.cancel(request.id, 'mesh-bot could not record where its approval card is.');
    assert.equal(answer?.state, 'approved');
    assert.equal((await harness.stored(request.id))?.state, 'approved');
    assert.equal(annotationsOfReviews(harness.api)['mesh-bot/owner'], request.id, 'the approval still owns the VirtualService');
    const locks = await harness.store.list('mesh-bot/kind=lock', lockSchema);
    assert.deepEqual(locks.ok ? locks.value.map((lock) => lock.value.requestId) : locks, [request.id], 'the lock still names the approved request');
  });
});
