import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack, type StoredMessage } from '../../src/sandbox/slack-api.ts';
import { routeAnnotations, routeWeights, seedReviewsRoute } from '../mesh/canary/http-route-seed.ts';
import { blockText, buttons } from '../support/blocks.ts';
import { seedReviews } from '../support/bookinfo.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { cli } from '../support/cli.ts';

const CONFIG = `
access:
  operators: { users: [U0ALICE, U0DAVE] }
  approvers: { users: [U0BOB, U0CAROL] }
approvals:
  ttl: 30m
  channel: C0REL
  propagationTimeout: 1s
  propagationInterval: 100ms
`;

describe('canary promotion of an HTTPRoute through signed Slack requests', () => {
  let api: FakeKubeApi;
  let slack: FakeSlack;
  const bots: Bot[] = [];
  const bot = async () => {
    const started = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), sharedSlack: slack, configYaml: CONFIG });
    bots.push(started);
    return started;
  };

  before(async () => {
    slack = await startFakeSlack();
  });
  after(() => slack.close());
  beforeEach(async () => {
    slack.reset();
    api = await startFakeKubeApi();
    seedReviewsRoute(api);
  });
  afterEach(async () => {
    for (const running of bots.splice(0)) await running.close();
    await api.close();
  });

  async function requestPromotion(target: Bot, text: string): Promise<{ card: StoredMessage; id: string }> {
    const { http } = await target.slash(text, { userId: 'U0ALICE', channelId: 'C0OPS' });
    assert.equal(http.status, 200);
    const card = await slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.via === 'api' && message.threadTs === undefined), { timeoutMs: 10_000 });
    const id = buttons(card?.blocks).find((element) => element.action_id === 'canary_approve')?.value;
    assert.ok(id, 'the card has an Approve button carrying the request id');
    return { card, id };
  }

  const cardSaying = (ts: string, pattern: RegExp) =>
    slack.waitFor((fake) => {
      const card = fake.message('C0REL', ts);
      return card && pattern.test(blockText(card.blocks)) ? card : undefined;
    }, { timeoutMs: 10_000 });

  it('asks for approval with the backend Services and applies the split when a second person approves; Roll back restores the stable Service', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first, 'canary promote reviews --weight 50 -n bookinfo');
    assert.match(card.text, /^Canary promotion of bookinfo\/reviews on default reviews-v1 90% \/ reviews-v2 10% → reviews-v1 50% \/ reviews-v2 50%: waiting for approval/);
    assert.match(blockText(card.blocks), /Dry run passed/);
    assert.deepEqual(routeWeights(api), [90, 10], 'nothing is written before approval');

    await first.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    const applied = await cardSaying(card.ts, /parents accepted the change/);
    // Nothing plays Istio's controller here: the route's status still speaks of generation 1, and the card says so.
    assert.match(blockText(applied.blocks), /0\/1 parents accepted the change after \d+ s; still waiting: Service reviews: Accepted not observed for generation 2 yet/);
    assert.deepEqual(routeWeights(api), [50, 50]);
    assert.equal(routeAnnotations(api)['mesh-bot/stable-subset'], 'reviews-v1');

    const rollback = buttons(applied.blocks).find((element) => element.action_id === 'canary_rollback');
    assert.ok(rollback?.value);
    await first.click({ actionId: 'canary_rollback', value: rollback.value, userId: 'U0DAVE', channelId: 'C0REL', messageTs: card.ts });
    await slack.waitFor(() => (routeWeights(api)[1] === 0 ? true : undefined), { timeoutMs: 10_000 });
    assert.deepEqual(routeWeights(api), [100, 0]);
  });

  it('refuses when a VirtualService shares the name and names the flag; --kind httproute picks the route', async () => {
    seedReviews(api);
    const first = await bot();
    const { http } = await first.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
    const acked = String((JSON.parse(http.body || '{}') as { text?: unknown }).text ?? '');
    const refusal = /--kind/.test(acked)
      ? acked
      : String((await slack.waitFor((fake) => fake.responses.find((response) => /--kind/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 })).body['text']);
    assert.match(refusal, /Both a VirtualService and an HTTPRoute are named bookinfo\/reviews; say which one to use with --kind virtualservice or --kind httproute\./);
    const { card } = await requestPromotion(first, 'canary promote reviews --kind httproute --weight 30 -n bookinfo');
    assert.match(card.text, /reviews-v1 90% \/ reviews-v2 10% → reviews-v1 70% \/ reviews-v2 30%/);
  });
});

describe('canary on an HTTPRoute in the terminal', () => {
  let api: FakeKubeApi;
  const env = { POD_NAMESPACE: 'mesh-bot' };
  const istioctl = { version: '1.24.2', scenario: 'healthy' } as const;
  before(async () => {
    api = await startFakeKubeApi();
    seedReviewsRoute(api, { weights: [2, 3] });
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-cli-httproute-'));
    await writeFile(join(dir, 'config'), api.kubeConfigYaml());
    process.env['KUBECONFIG'] = join(dir, 'config');
  });
  after(() => api.close());

  it('canary status -o json: kind HTTPRoute, host = backend Service, subset null, relative weights as percentages', async () => {
    const run = await cli(['canary', 'status', 'reviews', '-n', 'bookinfo', '-o', 'json'], istioctl, env);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { kind: string; routes: unknown[] };
    assert.equal(json.kind, 'HTTPRoute');
    assert.deepEqual(json.routes, [{ name: null, destinations: [{ host: 'reviews-v1', subset: null, weight: 40 }, { host: 'reviews-v2', subset: null, weight: 60 }] }]);
  });

  it('canary promote -o json prints the plan with kind and writes nothing', async () => {
    const run = await cli(['canary', 'promote', 'reviews', '--kind', 'httproute', '--subset', 'reviews-v2', '--weight', '25', '-n', 'bookinfo', '-o', 'json'], istioctl, env);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { kind: string; routes: unknown[]; planOnly: boolean; stableSubset: string; canarySubset: string };
    assert.equal(json.kind, 'HTTPRoute');
    assert.equal(json.planOnly, true);
    assert.deepEqual([json.stableSubset, json.canarySubset], ['reviews-v1', 'reviews-v2']);
    assert.deepEqual(json.routes, [{ name: null, destinations: [{ host: 'reviews-v1', subset: null, weight: 75 }, { host: 'reviews-v2', subset: null, weight: 25 }] }]);
    assert.deepEqual(routeWeights(api), [2, 3]);
    const writes = api.requests.filter((request) => request.method !== 'GET' && request.query['dryRun'] === undefined);
    assert.deepEqual(writes, [], 'only reads and the server-side dry run');
  });

  it('refuses an unknown --kind with the accepted values', async () => {
    const run = await cli(['canary', 'status', 'reviews', '--kind', 'ingress', '-n', 'bookinfo'], istioctl, env);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr + run.stdout, /--kind takes virtualservice or httproute, got "ingress"/);
  });
});
