import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { advanceUntil, FakeClock } from '../support/fake-clock.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';

const digestEvery = (schedule: string) => `
digests:
  - channel: C0DIGEST
    schedule: "${schedule}"
    timezone: UTC
`;
const CONFIG = digestEvery('* * * * *');

describe('several replicas: scheduled work on the leader only', () => {
  let api: FakeKubeApi;
  let slack: FakeSlack;
  const bots: Bot[] = [];

  const replica = async (clock: FakeClock, configYaml = CONFIG) => {
    const bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), sharedSlack: slack, configYaml, clock });
    bots.push(bot);
    return bot;
  };
  const digests = () => slack.callsTo('chat.postMessage').filter((call) => call.args['channel'] === 'C0DIGEST' && call.status === 200 && call.error === undefined);
  const digestPosts = () => digests().length;
  /** The fire time each accepted digest names in its one-line text ("…, 09:01 UTC: …"). */
  const digestTimes = () => digests().map((call) => /, (\d\d:\d\d) UTC:/.exec(String(call.args['text']))?.[1] ?? String(call.args['text']));
  const lease = () => api.get('coordination.k8s.io/v1', 'Lease', 'mesh-bot', 'mesh-bot-leader') as { spec?: { holderIdentity?: string; leaseTransitions?: number } } | undefined;

  before(async () => {
    slack = await startFakeSlack();
  });
  after(() => slack.close());
  beforeEach(async () => {
    slack.reset();
    api = await startFakeKubeApi();
  });
  afterEach(async () => {
    for (const bot of bots.splice(0)) await bot.close();
    await api.close();
  });

  // Two fire times far enough apart that "posted once" cannot be confused with the next fire: on a digest every
  // minute, a first post that landed late under load (the fake istioctl runs in real time while virtual time moves
  // 1 s per step) was followed within the 10 s checked below by the next minute's digest, counted as a second post.
  it('posts each scheduled digest once, and the other replica takes over after the leader dies', async () => {
    const clockA = new FakeClock('2026-11-23T09:00:30Z');
    const clockB = new FakeClock('2026-11-23T09:00:30Z');
    const a = await replica(clockA, digestEvery('1,3 9 * * *'));
    const b = await replica(clockB, digestEvery('1,3 9 * * *'));
    await advanceUntil([clockA, clockB], () => a.isLeader() !== b.isLeader(), { limitMs: 20_000 });
    const [, follower, leaderClock, followerClock] = a.isLeader() ? [a, b, clockA, clockB] : [b, a, clockB, clockA];
    assert.equal(follower.isLeader(), false);

    // Generous virtual limits: the digest is gathered by a real (fake) istioctl process, slow under load.
    await advanceUntil([leaderClock, followerClock], () => digestPosts() === 1, { limitMs: 600_000 });
    await Promise.all([leaderClock.advance(10_000), followerClock.advance(10_000)]);
    assert.deepEqual(digestTimes(), ['09:01'], 'the 09:01 digest was posted once, by the leader');

    // The leader dies: its clock stops, so it neither renews the Lease nor fires schedules again.
    const before = lease()?.spec?.leaseTransitions ?? 0;
    await followerClock.advance(10_000);
    assert.equal(follower.isLeader(), false, 'the lease has not expired yet on the follower’s own clock');
    await advanceUntil([followerClock], () => follower.isLeader(), { limitMs: 20_000 });
    assert.equal((lease()?.spec?.leaseTransitions ?? 0) - before, 1);

    await advanceUntil([followerClock], () => digestPosts() === 2, { limitMs: 600_000 });
    assert.deepEqual(digestTimes(), ['09:01', '09:03'], 'the new leader posted the 09:03 digest, and 09:01 not again');
  });

  it('hands the lease over at once when the leader shuts down cleanly (SIGTERM)', async () => {
    const clockA = new FakeClock('2026-11-23T10:00:00Z');
    const clockB = new FakeClock('2026-11-23T10:00:00Z');
    const a = await replica(clockA);
    const b = await replica(clockB);
    await advanceUntil([clockA, clockB], () => a.isLeader() !== b.isLeader(), { limitMs: 20_000 });
    const [leader, follower, followerClock] = a.isLeader() ? [a, b, clockB] : [b, a, clockA];
    await leader.close();
    bots.splice(bots.indexOf(leader), 1);
    assert.equal(lease()?.spec?.holderIdentity ?? '', '', 'the lease was released');
    await advanceUntil([followerClock], () => follower.isLeader(), { stepMs: 500, limitMs: 5_000 });
  });

  it('waits for Retry-After when Slack rate-limits a digest post, and posts it once', async () => {
    const clock = new FakeClock('2026-11-23T11:00:40Z');
    const only = await replica(clock);
    await advanceUntil([clock], () => only.isLeader(), { limitMs: 20_000 });
    slack.rateLimitNext('chat.postMessage', { retryAfterSeconds: 1 });
    await advanceUntil([clock], () => digestPosts() === 1, { limitMs: 300_000 });
    const attempts = slack.callsTo('chat.postMessage').filter((call) => call.args['channel'] === 'C0DIGEST');
    assert.deepEqual(attempts.map((call) => call.status), [429, 200]);
  });
});
