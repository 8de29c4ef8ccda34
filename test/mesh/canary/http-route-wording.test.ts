// An HTTPRoute has rules (spec.rules), not routes: every answer about one names an unnamed rule "rule #N".
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderCard, renderInspection } from '../../../commands/canary.render.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../../src/sandbox/kube-api.ts';
import { blockText } from '../../support/blocks.ts';
import { cli } from '../../support/cli.ts';
import { startHarness } from './harness.ts';
import { seedReviewsRoute } from './http-route-seed.ts';

describe('an HTTPRoute rule is called a rule', () => {
  let api: FakeKubeApi;
  const env = { POD_NAMESPACE: 'mesh-bot' };
  const istioctl = { version: '1.24.2', scenario: 'healthy' } as const;
  before(async () => {
    api = await startFakeKubeApi();
    seedReviewsRoute(api);
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-cli-rule-'));
    await writeFile(join(dir, 'config'), api.kubeConfigYaml());
    process.env['KUBECONFIG'] = join(dir, 'config');
  });
  after(() => api.close());

  it('in the terminal: canary status and the rollback plan', async () => {
    const status = await cli(['canary', 'status', 'reviews', '-n', 'bookinfo'], istioctl, env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^ {2}rule #1: reviews-v1 90% \/ reviews-v2 10%$/m);
    const plan = await cli(['canary', 'rollback', 'reviews', '-n', 'bookinfo', '--to', 'reviews-v1'], istioctl, env);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^ {2}rule #1: reviews-v1 100% \/ reviews-v2 0%$/m);
    assert.doesNotMatch(`${status.stdout}${plan.stdout}`, /route #/);
  });

  it('on the canary status card', async () => {
    const harness = await startHarness({ gateway: true });
    try {
      seedReviewsRoute(harness.api);
      const inspected = await harness.replica().inspect('bookinfo', 'reviews');
      assert.ok(inspected.ok, inspected.ok ? '' : inspected.error);
      const text = blockText(renderInspection(inspected.value, '', 'prod-eu').blocks);
      assert.match(text, /\*rule #1\*/);
      assert.doesNotMatch(text, /route #/);
    } finally {
      await harness.close();
    }
  });

  it('on the approval card: the canary is a backend Service and the changed rules are rules', async () => {
    const harness = await startHarness({ gateway: true });
    try {
      seedReviewsRoute(harness.api);
      const canary = harness.replica();
      const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
      assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
      const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
      assert.ok(request.ok, request.ok ? '' : request.error);
      const text = blockText(renderCard(request.value, harness.now).blocks);
      assert.match(text, /<@U0ALICE> asks to shift traffic of `reviews` in `prod-eu\/bookinfo` to backend Service `reviews-v2`\./);
      assert.match(text, /\*Rules changed\*\n#1/);
      assert.doesNotMatch(text, /subset|Routes changed/);
    } finally {
      await harness.close();
    }
  });
});
