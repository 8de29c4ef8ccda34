import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { AnalyzeFinding } from '../../../src/istioctl/parsers/analyze.ts';
import type { ApprovalCards } from '../../../src/mesh/canary/cards.ts';
import { lockSchema } from '../../../src/mesh/canary/request.ts';
import { reviewsWeights, seedReviews } from '../../support/bookinfo.ts';
import { annotationsOfReviews, dieOnWeightPatch, pendingRequest as pendingIn, requestRecord, startHarness, weightWrites, type Harness, type HarnessOptions } from './harness.ts';

describe('canary service against the Kubernetes API', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  async function service(options: HarnessOptions = {}) {
    harness = await startHarness(options);
    return harness.replica();
  }

  it('falls back to networking.istio.io/v1beta1 on meshes that do not serve v1, and patches there', async () => {
    const canary = await service({ istioVersions: ['v1beta1', 'v1alpha3'] });
    seedReviews(harness.api, { apiVersion: 'networking.istio.io/v1beta1' });
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok);
    assert.equal(request.value.apiVersion, 'v1beta1');
    const decided = await canary.decide(request.value.id, 'U0BOB', 'approve');
    assert.ok(decided.ok && decided.value.applied);
    const patch = harness.api.requests.find((entry) => entry.method === 'PATCH' && entry.query['dryRun'] === undefined);
    assert.equal(patch?.path, '/apis/networking.istio.io/v1beta1/namespaces/bookinfo/virtualservices/reviews');
    assert.deepEqual(reviewsWeights(harness.api, 'bookinfo', 'networking.istio.io/v1beta1'), [50, 50]);
  });

  it('shows istioctl analyze findings about the VirtualService and its DestinationRule on the card, without blocking', async () => {
    const finding = (code: string, kind: string, name: string): AnalyzeFinding => ({ code, level: 'Warning', message: `${kind} ${name} has a problem`, origin: `${kind} bookinfo/${name}`, resource: { kind, namespace: 'bookinfo', name } });
    const canary = await service({ findings: [finding('IST0173', 'DestinationRule', 'reviews'), finding('IST0118', 'Service', 'details'), finding('IST0128', 'VirtualService', 'ratings')] });
    seedReviews(harness.api);
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok);
    const analyzeNotes = prepared.value.notes.filter((note) => note.startsWith('istioctl analyze'));
    assert.deepEqual(analyzeNotes, ['istioctl analyze Warning IST0173 (DestinationRule reviews): DestinationRule reviews has a problem']);
  });

  it('says when analyze could not run, and still prepares the request', async () => {
    const canary = await service({ findings: 'broken' });
    seedReviews(harness.api);
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok);
    assert.ok(prepared.value.notes.some((note) => /istioctl analyze unavailable: istioctl analyze timed out/.test(note)));
  });

  async function pendingRequest(options: HarnessOptions = {}) {
    harness = await startHarness(options);
    return pendingIn(harness);
  }

  /** A request approved by a replica that died right after its weight patch (`landed`) or right before it. */
  async function interruptedApproval(landed: boolean) {
    const { request } = await pendingRequest();
    const dying = dieOnWeightPatch(landed);
    void harness.replica({ istio: dying.istio }).decide(request.id, 'U0BOB', 'approve');
    await dying.reached;
    return harness.replica();
  }

  it('names a VirtualService that does not exist', async () => {
    const canary = await service();
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.equal(prepared.ok ? '' : prepared.error, 'VirtualService bookinfo/reviews does not exist in cluster prod-eu. Check `kubectl -n bookinfo get virtualservices`.');
  });

  for (const [status, expected] of [
    [429, /throttling requests \(429\) .* Try again in 1 second\./],
    [500, /failed to read VirtualService bookinfo\/reviews \(500/],
  ] as const) {
    it(`explains a ${status} from the API server while reading the VirtualService`, async () => {
      const canary = await service();
      seedReviews(harness.api);
      harness.api.failNext({ method: 'GET', pathPattern: /virtualservices\/reviews$/, status });
      const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
      assert.match(prepared.ok ? '' : prepared.error, expected);
    });
  }

  it('fails the approved request with a clear reason when RBAC forbids the patch, and writes nothing', async () => {
    const { canary, request } = await pendingRequest();
    harness.api.failNext({ method: 'PATCH', pathPattern: /virtualservices\/reviews$/, status: 403 });
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok);
    assert.equal(decided.value.request.state, 'failed');
    assert.match(decided.value.request.outcome?.message ?? '', /mesh-bot may not patch VirtualService bookinfo\/reviews in cluster prod-eu \(403 Forbidden\)/);
    // A chart install grants canary writes with a value, not by applying deploy/.
    assert.match(decided.value.request.outcome?.message ?? '', /Grant it with the Role in deploy\/ \(installed with the Helm chart: set rbac\.canary=true\)/);
    assert.deepEqual(reviewsWeights(harness.api), [90, 10]);
    assert.equal(weightWrites(harness.api), 1, 'the one attempt the API server refused');
  });

  it('expires overdue requests, frees the VirtualService for a new one, and deletes week-old decided requests', async () => {
    const { canary, prepared, request: first } = await pendingRequest();
    harness.now = new Date('2026-11-21T10:31:00Z');
    const expired = await canary.sweepExpired();
    assert.deepEqual(expired.map((request) => [request.id, request.state]), [[first.id, 'expired']]);
    const second = await canary.createRequest(prepared, 'U0DAVE', 'C0OPS');
    assert.ok(second.ok, 'the lock of the expired request no longer blocks');

    harness.now = new Date('2026-11-29T10:00:00Z');
    await canary.sweepExpired();
    assert.equal(await canary.get(first.id), null, 'a decided request older than a week is deleted');
  });

  it('settles an approval whose replica died mid-apply from the VirtualService itself, and frees the lock', async () => {
    const canary = await interruptedApproval(true);
    harness.now = new Date('2026-11-21T10:06:00Z');
    const settled = await canary.sweepExpired();
    assert.deepEqual(settled.map((request) => request.state), ['applied']);
    assert.match(settled[0]?.outcome?.message ?? '', /confirmed after mesh-bot restarted while applying/);
    const next = await canary.prepare('bookinfo', 'reviews', 80, undefined);
    assert.ok(next.ok);
    assert.ok((await canary.createRequest(next.value, 'U0DAVE', 'C0OPS')).ok, 'the lock was freed');
  });

  it('fails an interrupted approval whose patch never landed, saying nothing was changed', async () => {
    const canary = await interruptedApproval(false);
    harness.now = new Date('2026-11-21T10:04:00Z');
    assert.deepEqual(await canary.sweepExpired(), [], 'four minutes is still "being applied"');
    harness.now = new Date('2026-11-21T10:06:00Z');
    const settled = await canary.sweepExpired();
    assert.deepEqual(settled.map((entry) => entry.state), ['failed']);
    assert.match(settled[0]?.outcome?.message ?? '', /stopped before the change was written; nothing was changed/);
  });

  it('cancels a pending request that never got a card after five minutes, and frees the VirtualService', async () => {
    const { canary, prepared, request } = await pendingRequest();
    harness.advance(4 * 60_000);
    assert.deepEqual(await canary.sweepExpired(), [], 'a card may still be on its way');
    harness.advance(2 * 60_000);
    const swept = await canary.sweepExpired();
    assert.deepEqual(swept.map((entry) => [entry.id, entry.state]), [[request.id, 'cancelled']]);
    assert.match(swept[0]?.outcome?.message ?? '', /No approval card was ever posted for this request/);
    assert.equal(annotationsOfReviews(harness.api)['mesh-bot/owner'], undefined, 'the VirtualService is released');
    assert.ok((await canary.createRequest(prepared, 'U0DAVE', 'C0OPS')).ok, 'and the lock is free');
  });

  it('frees a lock whose request is finished, or was never created, in the minute sweep', async () => {
    harness = await startHarness();
    const canary = harness.replica();
    const terminal = await harness.store.create('mesh-bot-promo-pr-bbbbbbbbbbbb', requestRecord({ id: 'pr-bbbbbbbbbbbb', state: 'rejected', decidedBy: 'U0BOB', decidedAt: harness.now.toISOString() }), { 'mesh-bot/kind': 'promotion' });
    assert.ok(terminal.ok);
    await harness.store.create('mesh-bot-lock-one', { requestId: 'pr-bbbbbbbbbbbb', since: harness.now.toISOString() }, { 'mesh-bot/kind': 'lock' });
    await harness.store.create('mesh-bot-lock-two', { requestId: 'pr-cccccccccccc', since: harness.now.toISOString() }, { 'mesh-bot/kind': 'lock' });
    await canary.sweepExpired();
    const names = async () => {
      const locks = await harness.store.list('mesh-bot/kind=lock', lockSchema);
      assert.ok(locks.ok);
      return locks.value.map((lock) => lock.name);
    };
    assert.deepEqual(await names(), ['mesh-bot-lock-two'], 'a lock on a request being created right now stays for a minute');
    harness.advance(2 * 60_000);
    await canary.sweepExpired();
    assert.deepEqual(await names(), []);
  });

  it('rolls back on a fresh read when the VirtualService changed between its read and its write', async () => {
    harness = await startHarness();
    seedReviews(harness.api, { weights: [60, 40] });
    harness.api.failNext({ method: 'PATCH', pathPattern: /virtualservices\/reviews$/, status: 422 });
    const rolled = await harness.replica().rollback('bookinfo', 'reviews', 'U0DAVE', { to: 'v1' });
    assert.ok(rolled.ok, rolled.ok ? '' : rolled.error);
    assert.deepEqual(reviewsWeights(harness.api), [100, 0]);
  });

  it('renders a card again in the next sweep when its update after a decision was lost, and then leaves it alone', async () => {
    const shown: string[] = [];
    let slackUp = false;
    const cards: ApprovalCards = {
      post: async () => ({ ok: true, value: { channel: 'C0REL', ts: '1.1' } }),
      update: async (request) => {
        if (slackUp) shown.push(request.state);
        return slackUp;
      },
      reply: async () => undefined,
    };
    const { canary, request } = await pendingRequest({ cards });
    await canary.attachCard(request.id, { channel: 'C0REL', ts: '1.1' }, request);
    const decided = await canary.decide(request.id, 'U0CAROL', 'reject', async (current) => {
      await canary.showCard(current);
    });
    assert.ok(decided.ok);
    assert.deepEqual(shown, [], 'Slack was down: the card still says "waiting for approval"');
    slackUp = true;
    await canary.sweepExpired();
    assert.deepEqual(shown, ['rejected'], 'the sweep noticed the card lagged and rendered it');
    await canary.sweepExpired();
    assert.deepEqual(shown, ['rejected'], 'a card that shows the truth is not rendered again');
  });

  it('renders an applied card once more when its 15-minute Roll back window closes, so the button goes', async () => {
    const shown: string[] = [];
    const cards: ApprovalCards = {
      post: async () => ({ ok: true, value: { channel: 'C0REL', ts: '1.1' } }),
      update: async (request) => {
        shown.push(`${request.state}${request.rolledBack ? '+rolled-back' : ''}`);
        return true;
      },
      reply: async () => undefined,
    };
    const { canary, request } = await pendingRequest({ cards });
    await canary.attachCard(request.id, { channel: 'C0REL', ts: '1.1' }, request);
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok && decided.value.applied);
    await canary.showCard(decided.value.request);
    shown.length = 0;
    harness.advance(14 * 60_000);
    await canary.sweepExpired();
    assert.deepEqual(shown, [], 'the window is still open');
    harness.advance(2 * 60_000);
    await canary.sweepExpired();
    assert.deepEqual(shown, ['applied'], 'rendered again without its Roll back button');
  });
});

