/**
 * Outside review 3: `/mesh canary promote` typed in the bot's direct message (App Home) with no approvals.channel
 * configured. The card goes "to the channel the request was typed in": a DM between the requester and the bot,
 * where no approver can see or click it. The request then sits pending, holding the VirtualService's lock, until
 * it expires.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import type { FakeSlack } from '../../src/sandbox/slack-api.ts';
import type { Bot } from '../support/bot.ts';
import { putService, putVirtualService, route, slackWorldPerTest, slashAnswer } from '../breaker-canary/world.ts';

const NO_APPROVALS_CHANNEL = `
access:
  operators: { users: [U0ALICE, U0DAVE] }
  approvers: { users: [U0BOB, U0CAROL] }
approvals:
  ttl: 30m
  propagationTimeout: 200ms
  propagationInterval: 50ms
`;

describe('a promotion asked for in a direct message', () => {
  const world = slackWorldPerTest(NO_APPROVALS_CHANNEL);
  let api: FakeKubeApi;
  let slack: FakeSlack;
  let bot: Bot;
  beforeEach(() => {
    ({ api, slack, bot } = world());
    putService(api, 'reviews', { v1: 1, v2: 1 });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])]);
  });

  it('is refused with where to ask instead, and nothing stays pending (defect: a card no approver can see held the lock for the TTL)', async () => {
    const { http, responseUrl } = await bot.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'D0ALICEDM' });
    assert.equal(http.status, 200);
    const id = decodeURIComponent(responseUrl.slice(responseUrl.lastIndexOf('/') + 1));
    const answer = await slack.waitFor((fake) => fake.responses.find((response) => response.id === id && /Approval requested|:no_entry:/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
    assert.match(String(answer.body['text']), /:no_entry: .*direct message.*no approver can see.*Ask in a channel the approvers are in, or set approvals\.channel/);
    assert.equal(slack.messages('D0ALICEDM').filter((message) => message.via === 'api').length, 0, 'no card in the DM');
    // Nothing holds the VirtualService: the same request in a channel goes through.
    const again = await slashAnswer(slack, bot, 'canary promote reviews --weight 50 -n bookinfo', /Approval requested|:no_entry:/, 'U0ALICE');
    assert.match(again, /Approval requested for bookinfo\/reviews/);
  });
});
