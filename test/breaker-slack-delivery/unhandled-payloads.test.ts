// Payloads Slack really sends to the app's one Request URL that mesh-bot has no listener for: a click on a button
// another mesh-bot version rendered (during a rolling update any replica may get any click), a modal submission,
// a global or message shortcut, an overflow menu. Slack shows the person an error unless each is acknowledged in
// 3 s; Bolt's receiver instead answers 404 after 3 s when no listener acks.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import nock from 'nock';
import { blockActionPayload, sendSignedRequest, sendSlashCommand } from '../../src/sandbox/slack-requests.ts';
import { nockKubeConfig } from '../support/kube-nock.ts';
import { SIGNING_SECRET, startBot, type Bot } from '../support/bot.ts';

before(() => nock.enableNetConnect(/127\.0\.0\.1/));
afterEach(() => nock.cleanAll());
after(() => nock.restore());

const signedPayload = (bot: Bot, payload: Record<string, unknown>) => sendSignedRequest(bot.url, SIGNING_SECRET, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());

describe('interactivity payloads mesh-bot does not handle', () => {
  let bot: Bot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('acks a click on a button it no longer knows and tells the person to run the command again', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
    const responseUrl = bot.slack.responseUrl(undefined, { channel: 'C0OPS', user: 'U0ALICE', messageTs: '1731000000.000100' });
    const payload = blockActionPayload({ userId: 'U0ALICE', channelId: 'C0OPS', actionId: 'status_show_everything_v9', value: '{}', messageTs: '1731000000.000100', responseUrl });
    const click = await signedPayload(bot, payload);
    assert.equal(click.status, 200, 'Slack shows an error icon on the button unless the click is acked');
    const told = await bot.slack.waitFor((fake) => fake.responses.find((response) => response.body['response_type'] === 'ephemeral'), { timeoutMs: 10_000 });
    assert.match(String(told.body['text']), /button/i);
    assert.match(String(told.body['text']), /\/mesh/);
    assert.equal(told.body['replace_original'], false, 'the card itself stays');
  });

  it('acks a modal submission, a closed modal, shortcuts and a menu selection without running anything', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
    const team = { id: 'T0MESHBOT', domain: 'mesh-bot-sandbox' };
    const user = { id: 'U0ALICE', username: 'alice', team_id: 'T0MESHBOT' };
    const view = { id: 'V0001', type: 'modal', callback_id: 'something_else', private_metadata: '', state: { values: {} }, hash: 'h', title: { type: 'plain_text', text: 'x' } };
    const responseUrl = bot.slack.responseUrl();
    const payloads: Record<string, unknown>[] = [
      { type: 'view_submission', team, user, api_app_id: 'A0MESHBOT', token: 't', trigger_id: '1.2.3', view, response_urls: [] },
      { type: 'view_closed', team, user, api_app_id: 'A0MESHBOT', token: 't', view, is_cleared: false },
      { type: 'shortcut', team, user, api_app_id: 'A0MESHBOT', token: 't', callback_id: 'mesh_status', trigger_id: '1.2.3', action_ts: '1731000000.1' },
      { type: 'message_action', team, user, api_app_id: 'A0MESHBOT', token: 't', callback_id: 'mesh_explain', trigger_id: '1.2.3', action_ts: '1731000000.1', message_ts: '1731000000.000100', channel: { id: 'C0OPS', name: 'ops' }, message: { type: 'message', text: 'hi', ts: '1731000000.000100' }, response_url: responseUrl },
      {
        ...blockActionPayload({ userId: 'U0ALICE', channelId: 'C0OPS', actionId: 'overflow_menu', value: 'x', messageTs: '1731000000.000100', responseUrl: bot.slack.responseUrl() }),
        actions: [{ type: 'overflow', action_id: 'overflow_menu', block_id: 'b', selected_option: { text: { type: 'plain_text', text: 'a' }, value: 'a' }, action_ts: '1731000000.2' }],
      },
    ];
    const answers = await Promise.all(payloads.map((payload) => signedPayload(bot!, payload)));
    assert.deepEqual(answers.map((answer) => answer.status), payloads.map(() => 200), 'every payload is acked (Bolt answers 404 after 3 s otherwise)');
    assert.equal((await bot.istioctlInvocations()).length, 0);
  });

  it('answers a slash command configured under another name (the manifest edited to /mesh-prod) instead of letting Slack time it out', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
    const renamed = await sendSlashCommand(bot.url, SIGNING_SECRET, { command: '/mesh-prod', text: 'status', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl: bot.slack.responseUrl() });
    assert.equal(renamed.status, 200, 'Slack shows operation_timeout and nothing else when a command is not acked');
    const ack = JSON.parse(renamed.body) as { response_type?: string; text?: string };
    assert.equal(ack.response_type, 'ephemeral');
    assert.match(String(ack.text), /\/mesh-prod/);
    assert.match(String(ack.text), /`\/mesh`/);
    assert.equal((await bot.istioctlInvocations()).length, 0);
  });
});
