import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { App, LogLevel } from '@slack/bolt';
import type { Logger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { startFakeSlack } from '../../src/sandbox/slack-api.ts';
import type { FakeSlack } from '../../src/sandbox/slack-api.ts';
import { sendBlockAction, sendSlashCommand, signSlackRequest } from '../../src/sandbox/slack-requests.ts';

const BOT_TOKEN = 'xoxb-test-token-not-real';

function clientFor(fake: FakeSlack): WebClient {
  return new WebClient(BOT_TOKEN, {
    slackApiUrl: fake.apiUrl,
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 10 },
  });
}

/** Bolt logs every rejected request; tests assert on status codes instead, so the log stays empty. */
const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

describe('signSlackRequest', () => {
  test("reproduces Slack's official signature test vector", () => {
    // The body exactly as in Slack's "verifying requests" doc (no extra fields: any change breaks the vector).
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
      '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
      '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
      '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    assert.equal(
      signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body),
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });
});

describe('fake Slack Web API', () => {
  let fake: FakeSlack;
  let client: WebClient;

  before(async () => {
    fake = await startFakeSlack({ usergroups: { S0SRE: ['U0ALICE', 'U0BOB'] } });
    client = clientFor(fake);
  });
  beforeEach(() => fake.reset());
  after(() => fake.close());

  test('serves an API URL ending in /api/ on the loopback interface', () => {
    assert.match(fake.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  test('auth.test identifies the bot and the team', async () => {
    const result = await client.auth.test();
    assert.equal(result.user_id, fake.botUserId);
    assert.equal(result.bot_id, fake.botId);
    assert.equal(result.team_id, fake.teamId);
  });

  test('chat.postMessage records parsed blocks and only the token prefix, and stores the message', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*3 proxies* stale' } }];
    const first = await client.chat.postMessage({ channel: 'C0OPS', text: '3 proxies stale', blocks });
    const second = await client.chat.postMessage({ channel: 'C0OPS', text: 'second' });

    assert.match(String(first.ts), /^\d{10}\.\d{6}$/);
    assert.ok(String(first.ts) < String(second.ts), 'ts increases');
    assert.equal(first.channel, 'C0OPS');
    assert.deepEqual(first.message?.blocks, blocks);

    const [call] = fake.callsTo('chat.postMessage');
    assert.deepEqual(call?.args.blocks, blocks);
    assert.equal(call?.args.text, '3 proxies stale');
    assert.deepEqual(call?.token, { present: true, prefix: 'xoxb-' });
    assert.ok(!JSON.stringify(fake.calls).includes(BOT_TOKEN), 'the token value is never recorded');

    assert.deepEqual(
      fake.messages('C0OPS').map((m) => m.text),
      ['3 proxies stale', 'second'],
    );
  });

  test('accepts JSON bodies as well as form bodies', async () => {
    const response = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${BOT_TOKEN}` },
      body: JSON.stringify({ channel: 'C0OPS', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    assert.equal(((await response.json()) as { ok: boolean }).ok, true);
    assert.deepEqual(fake.messages('C0OPS')[0]?.blocks, [{ type: 'divider' }]);
  });

  test('chat.update rewrites the message in place and refuses unknown ts', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0REL', text: 'Promote reviews to 50%?' });
    const ts = String(posted.ts);
    await client.chat.update({ channel: 'C0REL', ts, text: 'Approved by <@U0BOB>', blocks: [] });

    assert.equal(fake.messages('C0REL').length, 1);
    assert.equal(fake.message('C0REL', ts)?.text, 'Approved by <@U0BOB>');
    assert.equal(fake.message('C0REL', ts)?.updates, 1);

    await assert.rejects(client.chat.update({ channel: 'C0REL', ts: '1.000000', text: 'x' }), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'message_not_found', response_metadata: {} },
    });
  });

  test('stores thread replies and ephemeral messages with their user', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0OPS', text: 'digest' });
    await client.chat.postMessage({ channel: 'C0OPS', text: 'details', thread_ts: String(parent.ts) });
    const ephemeral = await client.chat.postEphemeral({ channel: 'C0OPS', user: 'U0ALICE', text: 'working…' });

    assert.deepEqual(
      fake.threadReplies('C0OPS', String(parent.ts)).map((m) => m.text),
      ['details'],
    );
    assert.equal(fake.message('C0OPS', String(ephemeral.message_ts))?.ephemeralTo, 'U0ALICE');
  });

  test('chat.getPermalink and conversations.info answer for known messages and channels', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0OPS', text: 'x' });
    const link = await client.chat.getPermalink({ channel: 'C0OPS', message_ts: String(posted.ts) });
    assert.equal(link.permalink, `${fake.baseUrl}/archives/C0OPS/p${String(posted.ts).replace('.', '')}`);
    const info = await client.conversations.info({ channel: 'C0OPS' });
    assert.equal(info.channel?.id, 'C0OPS');
  });

  test('files.uploadV2 goes through the real two-step upload and shares the file in the thread', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0OPS', text: 'status' });
    await client.files.uploadV2({
      channel_id: 'C0OPS',
      thread_ts: String(parent.ts),
      initial_comment: 'Full proxy list',
      title: 'proxies.txt',
      filename: 'proxies.txt',
      content: 'reviews-v1.default SYNCED\n',
    });

    assert.deepEqual(
      fake.calls.map((c) => c.method),
      ['chat.postMessage', 'files.getUploadURLExternal', 'files.completeUploadExternal'],
    );
    const complete = fake.callsTo('files.completeUploadExternal')[0];
    assert.equal(complete?.args.channel_id, 'C0OPS');
    assert.equal(complete?.args.thread_ts, parent.ts);
    assert.equal(complete?.args.initial_comment, 'Full proxy list');

    const [file] = fake.files;
    assert.equal(file?.content?.toString('utf8'), 'reviews-v1.default SYNCED\n');
    assert.equal(file?.title, 'proxies.txt');
    assert.equal(file?.completed, true);
    const [reply] = fake.threadReplies('C0OPS', String(parent.ts));
    assert.equal(reply?.text, 'Full proxy list');
    assert.deepEqual(reply?.files, [{ id: file?.id, name: 'proxies.txt', title: 'proxies.txt' }]);
  });

  test('usergroups.users.list answers members and unknown groups', async () => {
    const result = await client.usergroups.users.list({ usergroup: 'S0SRE' });
    assert.deepEqual(result.users, ['U0ALICE', 'U0BOB']);
    fake.setUsergroupMembers('S0SRE', ['U0CAROL']);
    assert.deepEqual((await client.usergroups.users.list({ usergroup: 'S0SRE' })).users, ['U0CAROL']);
    await assert.rejects(client.usergroups.users.list({ usergroup: 'S0NONE' }), { data: { ok: false, error: 'no_such_subteam', response_metadata: {} } });
  });

  test('a free workspace answers plan_upgrade_required for user groups', async () => {
    const free = await startFakeSlack({ plan: 'free', usergroups: { S0SRE: ['U0ALICE'] } });
    try {
      await assert.rejects(clientFor(free).usergroups.users.list({ usergroup: 'S0SRE' }), {
        data: { ok: false, error: 'plan_upgrade_required', response_metadata: {} },
      });
    } finally {
      await free.close();
    }
  });

  test('an injected rate limit is retried by WebClient after Retry-After and then succeeds', async () => {
    fake.rateLimitNext('chat.postMessage', { retryAfterSeconds: 1, times: 1 });
    const result = await client.chat.postMessage({ channel: 'C0OPS', text: 'after the limit' });

    assert.equal(result.ok, true);
    const attempts = fake.callsTo('chat.postMessage');
    assert.deepEqual(
      attempts.map((c) => [c.status, c.error]),
      [
        [429, 'ratelimited'],
        [200, undefined],
      ],
    );
    assert.equal(fake.messages('C0OPS').length, 1, 'only the successful attempt is stored');
  });

  test('an injected error fails the next calls only', async () => {
    fake.failNext('chat.update', 'msg_blocks_too_long', 1);
    const posted = await client.chat.postMessage({ channel: 'C0OPS', text: 'x' });
    await assert.rejects(client.chat.update({ channel: 'C0OPS', ts: String(posted.ts), text: 'y' }), {
      data: { ok: false, error: 'msg_blocks_too_long', response_metadata: {} },
    });
    await client.chat.update({ channel: 'C0OPS', ts: String(posted.ts), text: 'y' });
    assert.equal(fake.message('C0OPS', String(posted.ts))?.text, 'y');
  });

  test('unknown methods and missing tokens are refused like Slack does', async () => {
    for (const method of ['chat.doesNotExist', 'toString']) {
      await assert.rejects(client.apiCall(method), { data: { ok: false, error: 'unknown_method', response_metadata: {} } });
    }
    const anonymous = new WebClient(undefined, { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR });
    await assert.rejects(anonymous.auth.test(), { data: { ok: false, error: 'not_authed', response_metadata: {} } });
    assert.deepEqual(fake.calls.at(-1)?.token, { present: false, prefix: undefined });
  });

  test('response_url posts are ephemeral by default, in channel on request, and replace their original', async () => {
    const url = fake.responseUrl('cmd-1', { channel: 'C0OPS', user: 'U0ALICE' });
    const post = (body: object): Promise<Response> =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    assert.equal((await post({ text: 'working…' })).status, 200);
    const [working] = fake.messages('C0OPS');
    assert.equal(working?.ephemeralTo, 'U0ALICE');

    await post({ text: 'status: all synced', replace_original: true });
    assert.equal(fake.messages('C0OPS').length, 1);
    assert.equal(fake.messages('C0OPS')[0]?.text, 'status: all synced');

    await post({ text: 'for everyone', response_type: 'in_channel' });
    assert.equal(fake.messages('C0OPS')[1]?.ephemeralTo, undefined);
    assert.deepEqual(
      fake.responses.map((r) => r.id),
      ['cmd-1', 'cmd-1', 'cmd-1'],
    );
  });

  test('a response_url refuses posts beyond its allowed uses', async () => {
    const url = fake.responseUrl(undefined, { channel: 'C0OPS', user: 'U0ALICE' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 404]);
  });

  test('waitFor resolves when a later call satisfies the predicate', async () => {
    const waiting = fake.waitFor((f) => f.messages('C0OPS').find((m) => m.text === 'late'));
    await client.chat.postMessage({ channel: 'C0OPS', text: 'early' });
    await client.chat.postMessage({ channel: 'C0OPS', text: 'late' });
    assert.equal((await waiting).text, 'late');
  });

  test('waitFor rejects on timeout naming the calls seen so far', async () => {
    await client.auth.test();
    await assert.rejects(
      fake.waitFor((f) => f.callsTo('chat.update')[0], { timeoutMs: 50 }),
      /timed out after 50 ms; calls seen: auth\.test/,
    );
  });

  test('emits call and change events for observers', async () => {
    const events: string[] = [];
    const onCall = (call: { method: string }): void => {
      events.push(`call:${call.method}`);
    };
    const onChange = (change: { kind: string }): void => {
      events.push(`change:${change.kind}`);
    };
    fake.on('call', onCall);
    fake.on('change', onChange);
    try {
      await client.chat.postMessage({ channel: 'C0OPS', text: 'x' });
    } finally {
      fake.off('call', onCall);
      fake.off('change', onChange);
    }
    assert.deepEqual(events, ['change:message.posted', 'call:chat.postMessage']);
  });
});

describe('signed requests to a real Bolt HTTP receiver', () => {
  const signingSecret = 'test-signing-secret';
  let fake: FakeSlack;
  let app: App;
  let baseUrl: string;
  const commandsSeen: string[] = [];
  const clicksSeen: string[] = [];

  before(async () => {
    fake = await startFakeSlack();
    app = new App({
      signingSecret,
      token: BOT_TOKEN,
      botId: fake.botId,
      botUserId: fake.botUserId,
      processBeforeResponse: true,
      logger: silentLogger,
      clientOptions: { slackApiUrl: fake.apiUrl },
    });
    app.command('/mesh', async ({ ack, command, respond }) => {
      await ack();
      commandsSeen.push(`${command.user_id}:${command.text}`);
      await respond({ text: `ran ${command.text}` });
    });
    app.action('canary_approve', async ({ ack, body }) => {
      await ack();
      clicksSeen.push(body.user.id);
    });
    const server = (await app.start(0)) as Server;
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app.stop();
    await fake.close();
  });

  const slash = (overrides: Partial<Parameters<typeof sendSlashCommand>[2]> = {}) =>
    sendSlashCommand(baseUrl, signingSecret, {
      text: 'status -n checkout',
      userId: 'U0ALICE',
      channelId: 'C0OPS',
      responseUrl: fake.responseUrl(undefined, { channel: 'C0OPS', user: 'U0ALICE' }),
      ...overrides,
    });

  test('a correctly signed slash command is accepted and its listener runs', async () => {
    commandsSeen.length = 0;
    const response = await slash();
    assert.equal(response.status, 200);
    assert.deepEqual(commandsSeen, ['U0ALICE:status -n checkout']);
    const reply = await fake.waitFor((f) => f.messages('C0OPS').find((m) => m.via === 'response_url'));
    assert.equal(reply.text, 'ran status -n checkout');
    assert.equal(reply.ephemeralTo, 'U0ALICE');
  });

  test('a correctly signed button click reaches the action listener with the clicking user', async () => {
    clicksSeen.length = 0;
    const response = await sendBlockAction(baseUrl, signingSecret, {
      userId: 'U0BOB',
      channelId: 'C0REL',
      actionId: 'canary_approve',
      value: 'req-1',
      messageTs: '1731000000.000100',
      responseUrl: fake.responseUrl(undefined, { channel: 'C0REL', user: 'U0BOB', messageTs: '1731000000.000100' }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(clicksSeen, ['U0BOB']);
  });

  test('a forged signature is rejected with 401 before any listener runs', async () => {
    commandsSeen.length = 0;
    const response = await slash({ signatureOverride: `v0=${'0'.repeat(64)}` });
    assert.equal(response.status, 401);
    assert.deepEqual(commandsSeen, []);
  });

  test('a timestamp older than five minutes is rejected with 401', async () => {
    commandsSeen.length = 0;
    const response = await slash({ timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    assert.equal(response.status, 401);
    assert.deepEqual(commandsSeen, []);
  });

  test('a form body with a charset in its content type is rejected with 400 (Bolt 5 compares the header exactly)', async () => {
    commandsSeen.length = 0;
    const response = await slash({ contentType: 'application/x-www-form-urlencoded; charset=UTF-8' });
    assert.equal(response.status, 400);
    assert.deepEqual(commandsSeen, []);
  });
});
