// An approval card deleted from the channel (an admin tidying up) while a client still shows it: the approver
// clicks Approve, the change is applied, and chat.update answers `message_not_found`. The card was the approver's
// only feedback; they must still learn what their click did.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { seedReviews, reviewsWeights } from '../support/bookinfo.ts';
import { buttons } from '../support/blocks.ts';

const CONFIG = `
access:
  operators: { users: [U0ALICE] }
  approvers: { users: [U0BOB] }
approvals:
  ttl: 30m
  channel: C0REL
  propagationTimeout: 1s
  propagationInterval: 100ms
`;

let api: FakeKubeApi;
let bot: Bot | undefined;
beforeEach(async () => {
  api = await startFakeKubeApi();
  seedReviews(api);
});
afterEach(async () => {
  await bot?.close();
  bot = undefined;
  await api.close();
});

it('an Approve click whose card can no longer be updated tells the approver the outcome', async () => {
  bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), configYaml: CONFIG });
  await bot.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
  const card = await bot.slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.via === 'api' && message.threadTs === undefined), { timeoutMs: 10_000 });
  const id = buttons(card.blocks).find((element) => element.action_id === 'canary_approve')?.value;
  assert.ok(id);
  // The card is gone: every chat.update of it answers message_not_found, and so does a reply in its thread.
  bot.slack.failNext('chat.update', 'message_not_found', 20);
  bot.slack.failNext('chat.postMessage', 'thread_not_found', 20);
  const responsesBefore = bot.slack.responses.length;
  await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
  const told = await bot.slack.waitFor((fake) => fake.responses.slice(responsesBefore).find((response) => /Approved by <@U0BOB>/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
  assert.deepEqual(reviewsWeights(api), [50, 50]);
  assert.equal(told.body['response_type'], 'ephemeral');
  assert.match(String(told.body['text']), /card could not be updated/);
});

it('a Roll back click whose card can no longer be updated tells the operator the outcome', async () => {
  bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), configYaml: CONFIG });
  await bot.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
  const card = await bot.slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.via === 'api' && message.threadTs === undefined), { timeoutMs: 10_000 });
  const id = buttons(card.blocks).find((element) => element.action_id === 'canary_approve')?.value;
  assert.ok(id);
  await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
  await bot.slack.waitFor((fake) => buttons(fake.message('C0REL', card.ts)?.blocks).some((element) => element.action_id === 'canary_rollback'), { timeoutMs: 10_000 });
  assert.deepEqual(reviewsWeights(api), [50, 50]);
  bot.slack.failNext('chat.update', 'message_not_found', 20);
  bot.slack.failNext('chat.postMessage', 'thread_not_found', 20);
  const responsesBefore = bot.slack.responses.length;
  await bot.click({ actionId: 'canary_rollback', value: id, userId: 'U0ALICE', channelId: 'C0REL', messageTs: card.ts });
  const told = await bot.slack.waitFor((fake) => fake.responses.slice(responsesBefore).find((response) => /Rolled back by <@U0ALICE>/.test(String(response.body['text'] ?? ''))), { timeoutMs: 10_000 });
  assert.deepEqual(reviewsWeights(api), [100, 0]);
  assert.equal(told.body['response_type'], 'ephemeral');
  assert.match(String(told.body['text']), /card could not be updated/);
});
