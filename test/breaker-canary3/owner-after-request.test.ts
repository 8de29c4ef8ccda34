/**
 * Outside review 3: an owner that appears between the request and the click. The pre-flight refuses routes that
 * Argo CD, Flux, Argo Rollouts or Flagger drive, but the approval may come up to the TTL later, and the fenced patch
 * tests the routes and their scope, not who tracks the object: adopting the route into GitOps changes neither.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { startFakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack } from '../../src/sandbox/slack-api.ts';
import * as world from '../breaker-canary/world.ts';
import { blockText } from '../support/blocks.ts';
import { reviewsWeights } from '../support/bookinfo.ts';
import { startBot } from '../support/bot.ts';
import { annotationsOfReviews, pendingRequest, startHarness, type Harness } from '../mesh/canary/harness.ts';

const VS_API = 'networking.istio.io/v1';

describe('an owner that took the route over after the request', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('refuses the approval of a VirtualService Argo CD adopted meanwhile, and cancels the request (defect: patched, then Argo CD reverts it)', async () => {
    harness = await startHarness();
    const { canary, request } = await pendingRequest(harness);
    const vs = harness.api.get(VS_API, 'VirtualService', 'bookinfo', 'reviews') as { metadata: { annotations?: Record<string, string> } };
    harness.api.put({ ...vs, metadata: { ...vs.metadata, annotations: { ...vs.metadata.annotations, 'argocd.argoproj.io/tracking-id': 'shop:networking.istio.io/VirtualService:bookinfo/reviews' } } } as never);
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.equal(decided.ok, false);
    assert.match(decided.ok ? '' : decided.error, /Argo CD manages VirtualService bookinfo\/reviews \(Argo CD application shop tracks it\), so mesh-bot will not patch it\./);
    assert.deepEqual(reviewsWeights(harness.api), [90, 10]);
    const stored = await harness.stored(request.id);
    assert.equal(stored?.state, 'cancelled');
    assert.match(stored?.outcome?.message ?? '', /^Argo CD manages VirtualService bookinfo\/reviews .*\(Found when <@U0BOB> approved it\.\)$/, 'the card says why it was cancelled');
    assert.equal(annotationsOfReviews(harness.api)['mesh-bot/owner'], undefined, 'the route is released');
  });

  it('refuses the approval when an Argo Rollout in another namespace started routing through the VirtualService', async () => {
    harness = await startHarness();
    const { canary, request } = await pendingRequest(harness);
    harness.api.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'reviews', namespace: 'delivery' }, spec: { strategy: { canary: { trafficRouting: { istio: { virtualService: { name: 'reviews.bookinfo' } } } } } } } as never);
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.equal(decided.ok, false);
    assert.match(decided.ok ? '' : decided.error, /Argo Rollouts manages VirtualService bookinfo\/reviews \(Rollout delivery\/reviews routes traffic through it\)/);
    assert.deepEqual(reviewsWeights(harness.api), [90, 10]);
  });
});

describe('what the approver sees in Slack when the route got an owner after the request', () => {
  it('answers the click with the owner sentence and rewrites the card as cancelled, writing nothing', async () => {
    const slack = await startFakeSlack();
    const api = await startFakeKubeApi();
    const bot = await startBot({ istioctl: world.ISTIOCTL, kubeConfig: () => api.kubeConfig(), sharedSlack: slack, configYaml: world.CONFIG });
    try {
      world.putService(api, 'reviews', { v1: 1, v2: 1 });
      world.putVirtualService(api, [world.route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])]);
      const { card, id } = await world.requestCard(slack, bot, 'canary promote reviews --weight 50 -n bookinfo');
      const vs = api.get(VS_API, 'VirtualService', 'bookinfo', 'reviews') as { metadata: { annotations?: Record<string, string> } };
      api.put({ ...vs, metadata: { ...vs.metadata, labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } } } as never);
      await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
      const said = await slack.waitFor((fake) => fake.responses.find((response) => /Not approved/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
      assert.equal(said.body['response_type'], 'ephemeral');
      assert.match(String(said.body['text']), /Not approved: Flux manages VirtualService bookinfo\/reviews \(Flux Kustomization flux-system\/apps applies it\), so mesh-bot will not patch it\..*The request was cancelled; nothing was changed\./);
      const rewritten = await slack.waitFor((fake) => {
        const current = fake.message('C0REL', card.ts);
        return current && /Cancelled/.test(blockText(current.blocks)) ? current : undefined;
      }, { timeoutMs: 10_000 });
      assert.match(blockText(rewritten.blocks), /Flux manages VirtualService bookinfo\/reviews/);
      assert.deepEqual(world.vsWeights(api), [['v1=90', 'v2=10']]);
    } finally {
      await bot.close();
      await api.close();
      await slack.close();
    }
  });
});
