import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { eventually } from '../support/eventually.ts';
import { seedReviews, reviewsWeights } from '../support/bookinfo.ts';
import { weightWrites } from '../mesh/canary/harness.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack, type StoredMessage } from '../../src/sandbox/slack-api.ts';
import { blockText, buttons } from '../support/blocks.ts';

const CONFIG = `
access:
  operators: { users: [U0ALICE, U0DAVE] }
  approvers: { users: [U0BOB, U0CAROL, U0ALICE] }
approvals:
  ttl: 30m
  channel: C0REL
  propagationTimeout: 1s
  propagationInterval: 100ms
`;

describe('approval-gated canary promotion end to end', () => {
  let api: FakeKubeApi;
  let slack: FakeSlack;
  const bots: Bot[] = [];
  const bot = async (configYaml = CONFIG) => {
    const started = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), sharedSlack: slack, configYaml });
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
    seedReviews(api);
  });
  afterEach(async () => {
    for (const running of bots.splice(0)) await running.close();
    await api.close();
  });

  async function requestPromotion(target: Bot, text = 'canary promote reviews --weight 50 -n bookinfo', userId = 'U0ALICE'): Promise<{ card: StoredMessage; id: string }> {
    const { http } = await target.slash(text, { userId, channelId: 'C0OPS' });
    assert.equal(http.status, 200);
    const card = await slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.via === 'api' && message.threadTs === undefined), { timeoutMs: 10_000 });
    const id = buttons(card?.blocks).find((element) => element.action_id === 'canary_approve')?.value;
    assert.ok(id, 'the card has an Approve button carrying the request id');
    return { card, id };
  }

  const finalCard = (ts: string) => slack.waitFor((fake) => {
    const card = fake.message('C0REL', ts);
    return card && /proxies in sync|not applied|Rejected|Expired/.test(blockText(card?.blocks)) ? card : undefined;
  }, { timeoutMs: 10_000 });

  const ephemeralTo = (user: string, pattern: RegExp) => slack.waitFor((fake) => fake.responses.find((response) => pattern.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 }).then((response) => {
    assert.equal(response.body['response_type'], 'ephemeral', `the message for ${user} is ephemeral`);
    return String(response.body['text']);
  });

  /** A refusal of a slash command: in the ack when the role is known at once, else through response_url. */
  async function slashRefusal(target: Bot, text: string, userId: string, pattern: RegExp): Promise<string> {
    const { http } = await target.slash(text, { userId, channelId: 'C0OPS' });
    const acked = String((JSON.parse(http.body || '{}') as { text?: unknown }).text ?? '');
    return pattern.test(acked) ? acked : ephemeralTo(userId, pattern);
  }

  it('posts a card, refuses self-approval, and applies the change exactly once when a second person approves', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first);
    // The approvers are mentioned in the top-level text, so Slack notifies them.
    assert.match(card.text, /^Canary promotion of bookinfo\/reviews on default v1 90% \/ v2 10% → v1 50% \/ v2 50%: waiting for approval \(requested by <@U0ALICE>\) — approvers: <@U0BOB> <@U0CAROL> <@U0ALICE>$/);
    assert.match(blockText(card?.blocks), /Dry run passed/);
    assert.equal(weightWrites(api), 0, 'no weight is written before approval (only the owner annotation)');

    await first.click({ actionId: 'canary_approve', value: id, userId: 'U0ALICE', channelId: 'C0REL', messageTs: card.ts });
    assert.match(await ephemeralTo('U0ALICE', /cannot approve it/), /You asked for this promotion, so you cannot approve it/);
    assert.deepEqual(reviewsWeights(api), [90, 10]);

    await first.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    const updated = await finalCard(card.ts);
    assert.deepEqual(reviewsWeights(api), [50, 50]);
    assert.equal(weightWrites(api), 1);
    const text = blockText(updated?.blocks);
    assert.match(text, /Approved\* by <@U0BOB>/);
    assert.match(text, /Weights changed: v1 90% \/ v2 10% → v1 50% \/ v2 50%/);
    // The fake istioctl's healthy mesh has 5 proxies in bookinfo, all SYNCED.
    assert.match(text, /5\/5 proxies in sync after \d+ s/);
    assert.equal(buttons(updated?.blocks).find((element) => element.action_id === 'canary_rollback')?.value, id, 'a Roll back button follows the promotion and names its request (issue #9 defect 1)');
    assert.ok(!buttons(updated?.blocks).some((element) => element.action_id === 'canary_approve'), 'the decision buttons are gone');

    const events = api.list('v1', 'Event', 'bookinfo') as { message?: string; involvedObject?: { kind?: string; name?: string } }[];
    assert.ok(events.some((event) => event.involvedObject?.kind === 'VirtualService' && event.message === 'weights v1 90% / v2 10% → v1 50% / v2 50% requested by <@U0ALICE>, approved by <@U0BOB> via mesh-bot'));
    const reply = await slack.waitFor((fake) => fake.threadReplies('C0REL', card.ts)[0]);
    assert.match(reply.text, /Approved by <@U0BOB>/);
    const approvals = () => first.logLines.filter((line) => (line['audit'] as { command?: string } | undefined)?.command === 'canary_approve').map((line) => line['audit'] as { outcome: string; user: string });
    await eventually(() => (approvals().length === 2 ? true : undefined));
    assert.deepEqual(approvals().map((entry) => [entry.user, entry.outcome]), [['U0ALICE', 'refused'], ['U0BOB', 'ok']]);
  });

  it('applies once when the same approval is double-clicked', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first);
    await Promise.all([
      first.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts }),
      first.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts }),
    ]);
    await finalCard(card.ts);
    assert.match(await ephemeralTo('U0BOB', /already approved/), /already approved by <@U0BOB>/);
    assert.equal(weightWrites(api), 1);
    assert.deepEqual(reviewsWeights(api), [50, 50]);
  });

  it('applies once when two replicas receive two approvals at the same moment', async () => {
    const one = await bot();
    const two = await bot();
    const { card, id } = await requestPromotion(one);
    await Promise.all([
      one.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts }),
      two.click({ actionId: 'canary_approve', value: id, userId: 'U0CAROL', channelId: 'C0REL', messageTs: card.ts }),
    ]);
    await finalCard(card.ts);
    await ephemeralTo('loser', /already approved/);
    assert.equal(weightWrites(api), 1);
    assert.deepEqual(reviewsWeights(api), [50, 50]);
  });

  it('still approves correctly after a restart between request and approval', async () => {
    const before = await bot();
    const { card, id } = await requestPromotion(before);
    await before.close();
    bots.splice(bots.indexOf(before), 1);
    const after = await bot();
    await after.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    await finalCard(card.ts);
    assert.deepEqual(reviewsWeights(api), [50, 50]);
  });

  it('refuses an expired request and changes nothing', async () => {
    const first = await bot(CONFIG.replace('ttl: 30m', 'ttl: 1s'));
    const { card, id } = await requestPromotion(first);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await first.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    assert.match(await ephemeralTo('U0BOB', /expired/), /expired at \d\d:\d\d UTC; nothing was changed/);
    const updated = await finalCard(card.ts);
    assert.match(blockText(updated?.blocks), /\*Expired\* at/, 'the late click rewrites the card, not only the sweep');
    assert.deepEqual(buttons(updated?.blocks), []);
    assert.equal(weightWrites(api), 0);
    assert.deepEqual(reviewsWeights(api), [90, 10]);
  });

  it('writes nothing when the VirtualService changed between request and approval, and the card says so', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first);
    seedReviews(api, { weights: [80, 20] });
    await first.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    const updated = await finalCard(card.ts);
    assert.match(blockText(updated?.blocks), /not applied\*: VirtualService bookinfo\/reviews changed since the request was made: route "reviews-route" is no longer the route that was approved \(its match, destinations or weights changed\), so nothing was written/);
    assert.deepEqual(reviewsWeights(api), [80, 20]);
  });

  it('lets an approver reject, and changes nothing', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first);
    await first.click({ actionId: 'canary_reject', value: id, userId: 'U0CAROL', channelId: 'C0REL', messageTs: card.ts });
    const updated = await finalCard(card.ts);
    assert.match(blockText(updated?.blocks), /Rejected\* by <@U0CAROL>/);
    assert.equal(weightWrites(api), 0);
  });

  it('refuses approval from someone who is not an approver, naming who may', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first);
    await first.click({ actionId: 'canary_approve', value: id, userId: 'U0MALLORY', channelId: 'C0REL', messageTs: card.ts });
    assert.match(await ephemeralTo('U0MALLORY', /Only approvers/), /Only approvers may approve promotions: <@U0BOB>, <@U0CAROL>, <@U0ALICE>/);
    assert.equal(weightWrites(api), 0);
  });

  it('allows one pending promotion per VirtualService', async () => {
    const first = await bot();
    await requestPromotion(first);
    await first.slash('canary promote reviews --weight 30 -n bookinfo', { userId: 'U0DAVE', channelId: 'C0OPS' });
    const refusal = await slack.waitFor((fake) => fake.responses.find((response) => /already pending/.test(String(response.body['text'] ?? ''))));
    assert.equal(refusal.body['response_type'], 'ephemeral');
    // Who holds the request is a live mention on the card, not `<@U…>` shown as text.
    assert.match(JSON.stringify(refusal.body['blocks']), /by <@U0[A-Z]+>/);
    assert.doesNotMatch(JSON.stringify(refusal.body['blocks']), /&lt;@/);
  });

  for (const [label, metadata, seedExtra, expected] of [
    ['Flagger', { ownerReferences: [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'reviews', uid: 'c1' }] }, undefined, /Flagger manages VirtualService bookinfo\/reviews/],
    ['Argo CD', { annotations: { 'argocd.argoproj.io/tracking-id': 'bookinfo:networking.istio.io/VirtualService:bookinfo/reviews' } }, undefined, /Argo CD manages VirtualService bookinfo\/reviews \(Argo CD application bookinfo tracks it\)/],
    ['Flux', { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }, undefined, /Flux manages VirtualService/],
    ['Argo Rollouts', {}, 'rollout', /Argo Rollouts manages VirtualService bookinfo\/reviews .*kubectl argo rollouts promote reviews -n bookinfo/],
  ] as const) {
    it(`refuses to patch a VirtualService that ${label} manages, and writes nothing`, async () => {
      seedReviews(api, { metadata: metadata as Record<string, unknown> });
      if (seedExtra === 'rollout') {
        api.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'reviews', namespace: 'bookinfo' }, spec: { strategy: { canary: { trafficRouting: { istio: { virtualService: { name: 'reviews' } } } } } } });
      }
      const first = await bot();
      await first.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
      const refusal = await slack.waitFor((fake) => fake.responses.find((response) => /manages VirtualService/.test(String(response.body['text'] ?? ''))));
      assert.match(String(refusal.body['text']), expected);
      assert.equal(api.requests.filter((request) => request.method === 'PATCH').length, 0, 'not even a dry run');
      assert.equal(slack.messages('C0REL').length, 0, 'no card');
    });
  }

  it('refuses promotions when no approvers are configured, saying how to configure them', async () => {
    const first = await bot('access:\n  operators: { users: [U0ALICE] }\n');
    await first.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
    const refusal = await slack.waitFor((fake) => fake.responses.find((response) => /no approvers are configured/.test(String(response.body['text'] ?? ''))));
    assert.match(String(refusal.body['text']), /Add access.approvers.users or access.approvers.usergroups/);
  });

  it('refuses a promotion request from someone who is not an operator', async () => {
    const first = await bot();
    assert.match(await slashRefusal(first, 'canary promote reviews --weight 50 -n bookinfo', 'U0MALLORY', /Only operators/), /Only operators may run `\/mesh canary promote`: <@U0ALICE>, <@U0DAVE>/);
  });

  it('refuses a canary subset that selects no pods, before asking anyone', async () => {
    const first = await bot();
    await first.slash('canary promote reviews --weight 50 --subset v3 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
    const refusal = await slack.waitFor((fake) => fake.responses.find((response) => /v3/.test(String(response.body['text'] ?? ''))));
    assert.match(String(refusal.body['text']), /subset "v3" is not a destination of any weighted route/);
  });

  it('shows Istio validation refusals from the dry run and writes nothing', async () => {
    const first = await bot();
    api.failNext({ method: 'PATCH', pathPattern: /virtualservices\/reviews$/, status: 400, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'admission webhook "validation.istio.io" denied the request: configuration is invalid: weight -5 < 0', code: 400 } });
    await first.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
    const refusal = await slack.waitFor((fake) => fake.responses.find((response) => /validation/.test(String(response.body['text'] ?? ''))));
    assert.match(String(refusal.body['text']), /Istio's validation refused the change to bookinfo\/reviews: admission webhook "validation.istio.io" denied the request/);
    assert.equal(weightWrites(api), 0);
  });

  it('rolls back from the card within 15 minutes, and from the command without a second approval', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first);
    await first.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    await finalCard(card.ts);
    await first.click({ actionId: 'canary_rollback', value: id, userId: 'U0DAVE', channelId: 'C0REL', messageTs: card.ts });
    const rolled = await slack.waitFor((fake) => {
      const current = fake.message('C0REL', card.ts);
      return /Rolled back\* by <@U0DAVE>/.test(blockText(current?.blocks)) ? current : undefined;
    }, { timeoutMs: 10_000 });
    assert.ok(!buttons(rolled?.blocks).some((element) => element.action_id === 'canary_rollback'));
    assert.deepEqual(reviewsWeights(api), [100, 0]);
    assert.ok((api.list('v1', 'Event', 'bookinfo') as { reason?: string }[]).some((event) => event.reason === 'WeightsRolledBack'));

    // Someone moves traffic with kubectl; the stable/canary record on the VirtualService stays.
    setReviewsWeights(api, [60, 40]);
    await first.slash('canary rollback reviews -n bookinfo', { userId: 'U0DAVE', channelId: 'C0OPS' });
    const answer = await slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'response_url' && /Rolled back/.test(message.text)), { timeoutMs: 10_000 });
    assert.match(answer.text, /Rolled back bookinfo\/reviews on default: v1 60% \/ v2 40% → v1 100% \/ v2 0% by <@U0DAVE>/);
    assert.deepEqual(reviewsWeights(api), [100, 0]);
  });

  it('rolls back to the stable subset on record, never to the majority, and refuses without a record or --to', async () => {
    seedReviews(api, { weights: [30, 70] });
    const first = await bot();
    await first.slash('canary rollback reviews -n bookinfo', { userId: 'U0DAVE', channelId: 'C0OPS' });
    const refusal = await slack.waitFor((fake) => fake.responses.find((response) => /no record of which subset/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
    assert.match(String(refusal.body['text']), /Say which subset gets 100 % with --to, e\.g\. `canary rollback reviews -n bookinfo --to v1`/);
    assert.deepEqual(reviewsWeights(api), [30, 70]);
    await first.slash('canary rollback reviews -n bookinfo --to v1', { userId: 'U0DAVE', channelId: 'C0OPS' });
    await slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'response_url' && /Rolled back/.test(message.text)), { timeoutMs: 10_000 });
    assert.deepEqual(reviewsWeights(api), [100, 0]);
  });

  it('keeps the approved card true after a rollback from the command line: state, weights, buttons, thread', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first);
    await first.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    const approved = blockText((await finalCard(card.ts))?.blocks);
    assert.match(approved, /<@U0ALICE> asked to shift traffic/);
    assert.doesNotMatch(approved, /asks to shift|expires at|\*Current\*/);
    assert.match(approved, /\*Before\*\nv1 90% \/ v2 10%\n\*Now\*\nv1 50% \/ v2 50%/);

    await first.slash('canary rollback reviews -n bookinfo', { userId: 'U0DAVE', channelId: 'C0OPS' });
    const updated = await slack.waitFor((fake) => {
      const current = fake.message('C0REL', card.ts);
      return /Rolled back\* by <@U0DAVE>/.test(blockText(current?.blocks)) ? current : undefined;
    }, { timeoutMs: 10_000 });
    assert.match(updated.text, /applied, then rolled back by <@U0DAVE>/);
    assert.match(blockText(updated.blocks), /\*Applied, then rolled back\*/);
    assert.ok(!buttons(updated.blocks).some((element) => element.action_id === 'canary_rollback'), 'no Roll back button on a rolled-back card');
    const reply = await slack.waitFor((fake) => fake.threadReplies('C0REL', card.ts).find((message) => /Rolled back by <@U0DAVE> with `\/mesh canary rollback`/.test(message.text)), { timeoutMs: 10_000 });
    assert.match(reply.text, /v1 50% \/ v2 50% → v1 100% \/ v2 0%/);
  });

  it('marks an earlier promotion superseded when a later one is applied: its card stops claiming "Now" and loses Roll back', async () => {
    const first = await bot();
    const earlier = await requestPromotion(first);
    await first.click({ actionId: 'canary_approve', value: earlier.id, userId: 'U0BOB', channelId: 'C0REL', messageTs: earlier.card.ts });
    await finalCard(earlier.card.ts);
    await first.slash('canary promote reviews --weight 80 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
    const later = await slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.via === 'api' && message.threadTs === undefined && message.ts !== earlier.card.ts), { timeoutMs: 10_000 });
    const laterId = buttons(later.blocks).find((element) => element.action_id === 'canary_approve')?.value ?? '';
    await first.click({ actionId: 'canary_approve', value: laterId, userId: 'U0CAROL', channelId: 'C0REL', messageTs: later.ts });
    const old = await slack.waitFor((fake) => {
      const current = fake.message('C0REL', earlier.card.ts);
      return /Superseded/.test(blockText(current?.blocks)) ? current : undefined;
    }, { timeoutMs: 10_000 });
    assert.match(blockText(old.blocks), new RegExp(`\\*Applied, then superseded\\*\\nv1 50% / v2 50%[\\s\\S]*\\*Superseded\\* at \\d\\d:\\d\\d:\\d\\d UTC by request ${laterId}`));
    assert.ok(!buttons(old.blocks).some((element) => element.action_id === 'canary_rollback'));
    await slack.waitFor((fake) => fake.threadReplies('C0REL', earlier.card.ts).find((message) => message.text.startsWith(`Superseded: request ${laterId}`)), { timeoutMs: 10_000 });
    assert.deepEqual(reviewsWeights(api), [20, 80]);
  });

  it('cancels a pending request that a rollback made obsolete, and its card and thread say so', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first);
    await first.slash('canary rollback reviews -n bookinfo --to v1', { userId: 'U0DAVE', channelId: 'C0OPS' });
    const updated = await slack.waitFor((fake) => {
      const current = fake.message('C0REL', card.ts);
      return /Cancelled/.test(blockText(current?.blocks)) ? current : undefined;
    }, { timeoutMs: 10_000 });
    assert.match(blockText(updated.blocks), /\*Cancelled\*: VirtualService bookinfo\/reviews was rolled back by <@U0DAVE> after this request was made/);
    assert.deepEqual(buttons(updated.blocks), [], 'no Approve or Reject on an obsolete request');
    await slack.waitFor((fake) => fake.threadReplies('C0REL', card.ts).find((message) => /^Cancelled: VirtualService bookinfo\/reviews was rolled back/.test(message.text)), { timeoutMs: 10_000 });
    await first.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    assert.match(await ephemeralTo('U0BOB', /was cancelled/), /This promotion request was cancelled/);
    assert.deepEqual(reviewsWeights(api), [100, 0]);
  });

  it('applies one rule to who may roll back: an approver who is not an operator is refused on the card and on the command', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first);
    await first.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    await finalCard(card.ts);
    await first.click({ actionId: 'canary_rollback', value: id, userId: 'U0CAROL', channelId: 'C0REL', messageTs: card.ts });
    assert.match(await ephemeralTo('U0CAROL', /Only operators may roll back canaries/), /<@U0ALICE>, <@U0DAVE>/);
    assert.match(await slashRefusal(first, 'canary rollback reviews -n bookinfo', 'U0CAROL', /Only operators may run `\/mesh canary rollback`/), /<@U0ALICE>, <@U0DAVE>/);
    assert.deepEqual(reviewsWeights(api), [50, 50]);
  });

  it('answers a Roll back click on a canary already at 0 % as a harmless no-op, without ⛔', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first);
    await first.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
    await finalCard(card.ts);
    setReviewsWeights(api, [100, 0]);
    await first.click({ actionId: 'canary_rollback', value: id, userId: 'U0DAVE', channelId: 'C0REL', messageTs: card.ts });
    const said = await ephemeralTo('U0DAVE', /nothing to change/);
    assert.equal(said, ':information_source: reviews already sends 0% to v2; nothing to change');
  });

  it('reads "withdrawn" when the requester rejects their own request', async () => {
    const first = await bot();
    const { card, id } = await requestPromotion(first);
    await first.click({ actionId: 'canary_reject', value: id, userId: 'U0ALICE', channelId: 'C0REL', messageTs: card.ts });
    const updated = await slack.waitFor((fake) => {
      const current = fake.message('C0REL', card.ts);
      return /Withdrawn/.test(blockText(current?.blocks)) ? current : undefined;
    }, { timeoutMs: 10_000 });
    assert.match(blockText(updated.blocks), /\*Withdrawn\* by <@U0ALICE> at \d\d:\d\d:\d\d UTC\. Nothing was changed\./);
    assert.doesNotMatch(blockText(updated.blocks), /Rejected|expires at/);
    assert.match(updated.text, /withdrawn by the requester$/);
  });

  it('leaves nothing pending when the card cannot be posted, so asking again after inviting the bot works', async () => {
    const first = await bot();
    slack.failNext('chat.postMessage', 'not_in_channel');
    await first.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
    const refusal = await slack.waitFor((fake) => fake.responses.find((response) => /could not be posted/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
    assert.match(String(refusal.body['text']), /the request was cancelled and nothing is pending: mesh-bot cannot post in <#C0REL> \(not_in_channel\); invite it with `\/invite @mesh-bot`/);
    const { card } = await requestPromotion(first);
    assert.match(card.text, /waiting for approval/);
  });

  it('names Slack\'s answer when the card is refused for another reason, without telling anyone to invite the bot', async () => {
    const first = await bot();
    slack.failNext('chat.postMessage', 'ratelimited');
    await first.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
    const refusal = await slack.waitFor((fake) => fake.responses.find((response) => /could not be posted/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
    assert.match(String(refusal.body['text']), /the request was cancelled and nothing is pending: Slack answered `ratelimited`\. Then ask again\./);
    assert.doesNotMatch(String(refusal.body['text']), /invite/i);
  });

  it('answers the requester alone when the card goes to the channel of the request (no second message there)', async () => {
    const first = await bot(CONFIG.replace('  channel: C0REL\n', ''));
    await first.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
    const card = await slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'api' && message.threadTs === undefined), { timeoutMs: 10_000 });
    assert.match(card.text, /approvers: <@U0BOB>/);
    const answer = await slack.waitFor((fake) => fake.responses.find((response) => /Approval requested .* The card is in <#C0OPS>/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
    assert.equal(answer.body['response_type'], 'ephemeral');
    assert.deepEqual(slack.messages('C0OPS').filter((message) => message.ephemeralTo === undefined && /Approval requested|promotion requested/i.test(message.text)), [], 'no second message in the channel');
  });

  it('shows routes with weights, subsets with their pods, the owner and pending requests in canary status', async () => {
    const first = await bot();
    await requestPromotion(first);
    await first.slash('canary status reviews -n bookinfo', { userId: 'U0EVE', channelId: 'C0OPS' });
    const answer = await slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'response_url' && message.text.startsWith('default/bookinfo/reviews')));
    assert.equal(answer.text, 'default/bookinfo/reviews: v1 90% / v2 10%');
    const text = blockText(answer?.blocks);
    assert.match(text, /█████████░ 90%` v1/);
    assert.match(text, /v1: 1 running pod/);
    assert.match(text, /v3: \*selects no running pods\*/);
    assert.match(text, /Nobody else drives these weights/);
    assert.match(text, /\*Stable \/ canary\*\nnot recorded yet: `canary rollback` needs --to STABLE_SUBSET until mesh-bot has changed the weights once/);
    assert.match(text, /pr-[0-9a-f]{12} by <@U0ALICE>: v1 90% \/ v2 10% → v1 50% \/ v2 50%/);
    assert.match(text, /5\/5 in sync/);
  });
});

/** Changes the weights the way `kubectl edit` would: the rest of the object, annotations included, stays. */
function setReviewsWeights(api: FakeKubeApi, [stable, canary]: [number, number]): void {
  const current = api.get('networking.istio.io/v1', 'VirtualService', 'bookinfo', 'reviews') as { spec: { http: { route: { weight?: number }[] }[] } } & Record<string, unknown>;
  const route = current.spec.http[0]?.route ?? [];
  api.put({ ...current, spec: { ...current.spec, http: [{ ...current.spec.http[0], route: [{ ...route[0], weight: stable }, { ...route[1], weight: canary }] }] } });
}
