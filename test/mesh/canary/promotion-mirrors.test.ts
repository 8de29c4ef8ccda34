/**
 * A mirror to the canary sends it a copy of requests whatever the weights say: the approver of a promotion is told,
 * on the card and in the terminal's plan, as a rollback already says it (test/breaker-canary4/route-shapes.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../../src/sandbox/kube-api.ts';
import type { FakeSlack } from '../../../src/sandbox/slack-api.ts';
import { CONFIG, putBackend, putHttpRoute, putService, putVirtualService, requestCard, route, slackWorldPerTest, terminal, useKubeconfig } from '../../breaker-canary/world.ts';
import type { Bot } from '../../support/bot.ts';

function seedShadow(api: FakeKubeApi, namespace: string): void {
  putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace });
  putVirtualService(api, [
    route('shadow', [{ host: 'reviews', subset: 'v1' }], { match: [{ uri: { prefix: '/api' } }], mirror: { host: 'reviews', subset: 'v2' }, mirrorPercentage: { value: 25 } }),
    route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }]),
  ], { namespace });
}

describe('a promotion names the mirrors that send the canary copies of requests', () => {
  describe('in the terminal plan', () => {
    let api: FakeKubeApi;
    before(async () => {
      api = await startFakeKubeApi();
      await useKubeconfig(api);
    });
    after(() => api.close());

    it('names a VirtualService route that mirrors to the canary subset', async () => {
      seedShadow(api, 'mirror-promote');
      const run = await terminal('promote', 'reviews', '--weight', '50', '-n', 'mirror-promote');
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, /Route "shadow" also mirrors 25% of its requests to v2; this promotion leaves the mirror as it is\./);
    });

    it('names an HTTPRoute rule whose RequestMirror filter copies requests to the canary Service', async () => {
      const ns = 'mirror-promote-route';
      putBackend(api, 'reviews-v1', 1, ns);
      putBackend(api, 'reviews-v2', 1, ns);
      putHttpRoute(api, [
        { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v2', port: 9080 }, percent: 5 } }], backendRefs: [{ name: 'reviews-v1', port: 9080 }] },
        { backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }] },
      ], { namespace: ns });
      const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, /Rule #1 also mirrors 5% of its requests to reviews-v2; this promotion leaves the mirror as it is\./);
    });

    it('reads mirror shares as pilot does: an empty mirrorPercentage mirrors nothing, a bare mirrors[] entry everything', async () => {
      const ns = 'mirror-shares';
      putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
      putVirtualService(api, [
        route('empty', [{ host: 'reviews', subset: 'v1' }], { match: [{ uri: { prefix: '/a' } }], mirror: { host: 'reviews', subset: 'v2' }, mirrorPercentage: {} }),
        route('legacy', [{ host: 'reviews', subset: 'v1' }], { match: [{ uri: { prefix: '/b' } }], mirror: { host: 'reviews', subset: 'v2' }, mirrorPercent: 7 }),
        route('many', [{ host: 'reviews', subset: 'v1' }], { match: [{ uri: { prefix: '/c' } }], mirrors: [{ destination: { host: 'reviews', subset: 'v2' } }] }),
        route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }]),
      ], { namespace: ns });
      const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
      assert.equal(run.code, 0, run.out);
      assert.doesNotMatch(run.out, /Route "empty" also mirrors/);
      assert.match(run.out, /Route "legacy" also mirrors 7% of its requests to v2/);
      assert.match(run.out, /Route "many" also mirrors 100% of its requests to v2/);
    });

    it('says nothing of mirrors when none sends the canary a copy', async () => {
      const ns = 'mirror-elsewhere';
      putService(api, 'reviews', { v1: 1, v2: 1, v3: 1 }, { namespace: ns });
      putVirtualService(api, [
        route('shadow', [{ host: 'reviews', subset: 'v1' }], { mirror: { host: 'reviews', subset: 'v3' } }),
        route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }]),
      ], { namespace: ns });
      const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
      assert.equal(run.code, 0, run.out);
      assert.doesNotMatch(run.out, /mirrors/);
    });
  });

  describe('on the approval card', () => {
    const world = slackWorldPerTest(CONFIG);
    let api: FakeKubeApi;
    let slack: FakeSlack;
    let bot: Bot;
    beforeEach(() => ({ api, slack, bot } = world()));

    it('shows the mirror among the pre-flight results the approver reads', async () => {
      seedShadow(api, 'bookinfo');
      const { card } = await requestCard(slack, bot, 'canary promote reviews --weight 50 -n bookinfo');
      assert.match(JSON.stringify(card.blocks), /Route \\"shadow\\" also mirrors 25% of its requests to v2; this promotion leaves the mirror as it is\./);
    });
  });
});
