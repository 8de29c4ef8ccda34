/**
 * Outside review 3: approvals.channel may be a legacy private channel id (`G…`, accepted by the config). The
 * requester's confirmation linked the card's channel only for `C…` ids, so it read "The card is in <#G0PRIV>" as
 * literal text instead of a link to the channel.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockText } from '../support/blocks.ts';
import { putService, putVirtualService, route, slackWorldPerTest } from '../breaker-canary/world.ts';

const PRIVATE_APPROVALS = `
access:
  operators: { users: [U0ALICE] }
  approvers: { users: [U0BOB] }
approvals:
  ttl: 30m
  channel: G0PRIV
  propagationTimeout: 200ms
  propagationInterval: 50ms
`;

describe('the confirmation of a request whose card went to a private channel', () => {
  const world = slackWorldPerTest(PRIVATE_APPROVALS);

  it('links the G… channel the card is in (defect: shown as the text <#G0PRIV>)', async () => {
    const { api, slack, bot } = world();
    putService(api, 'reviews', { v1: 1, v2: 1 });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])]);
    const { responseUrl } = await bot.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
    const id = decodeURIComponent(responseUrl.slice(responseUrl.lastIndexOf('/') + 1));
    const answer = await slack.waitFor((fake) => fake.responses.find((response) => response.id === id && /Approval requested|:no_entry:/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
    const blocks = typeof answer.body['blocks'] === 'string' ? JSON.parse(answer.body['blocks']) : answer.body['blocks'];
    const text = blockText(blocks);
    assert.match(text, /The card is in <#G0PRIV>;/);
    assert.doesNotMatch(text, /&lt;#G0PRIV&gt;/);
  });
});
