// README "Access and audit": roles come from user ids and user groups; a refusal says who may do it. When Slack
// cannot list a group's members (an error, a group deleted or disabled since the config was written), the
// member of that group who asks must not be told "Ask one of them, or have an admin add you" — they are one of
// them. The refusal says the group could not be read, and what to do.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it, mock } from 'node:test';
import nock from 'nock';
import { createAccessPolicy } from '../../src/access.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { quietLogger } from '../support/quiet.ts';
import { nockKubeConfig } from '../support/kube-nock.ts';

before(() => nock.enableNetConnect(/127\.0\.0\.1/));

const CONFIG = 'access:\n  operators: { users: [U0ALICE], usergroups: [S0SRE] }\n  approvers: { users: [U0AARON] }\n';

async function refusal(bot: Bot, userId: string): Promise<string> {
  const { http } = await bot.slash('canary promote reviews --weight 50 -n bookinfo', { userId });
  const ack = (JSON.parse(http.body) as { text: string }).text;
  if (ack.startsWith(':no_entry:')) return ack;
  const late = await bot.slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'response_url' && message.text.startsWith(':no_entry:')));
  return late.text;
}

describe('a user-group lookup that Slack does not answer', () => {
  let bot: Bot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('tells a member of the group that membership could not be read and to try again, not to ask to be added', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2' }, kubeConfig: nockKubeConfig, configYaml: CONFIG, slack: { usergroups: { S0SRE: ['U0CAROL'] } } });
    bot.slack.failNext('usergroups.users.list', 'fatal_error');
    const text = await refusal(bot, 'U0CAROL');
    assert.equal(
      text,
      ':no_entry: Only operators may run `/mesh canary promote`: <@U0ALICE>, <!subteam^S0SRE>. mesh-bot could not read the members of <!subteam^S0SRE> (fatal_error) from Slack, so it could not tell whether you are one of them; try again in a minute, or ask one of them.',
    );
    assert.doesNotMatch(text, /have an admin add you/);
  });

  it('a group Slack no longer knows: names it and points at the config instead of a retry', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2' }, kubeConfig: nockKubeConfig, configYaml: CONFIG, slack: { usergroups: {} } });
    const text = await refusal(bot, 'U0CAROL');
    assert.match(text, /could not read the members of <!subteam\^S0SRE> \(no_such_subteam\) from Slack.*ask an admin to check the user groups in access\.operators\.$/);
  });

  it('a group read fine still refuses a non-member with who may do it', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2' }, kubeConfig: nockKubeConfig, configYaml: CONFIG, slack: { usergroups: { S0SRE: ['U0CAROL'] } } });
    const text = await refusal(bot, 'U0VERA');
    assert.equal(text, ':no_entry: Only operators may run `/mesh canary promote`: <@U0ALICE>, <!subteam^S0SRE>. Ask one of them, or have an admin add you to access.operators.');
  });
});

describe('a user-group lookup Slack answers only after a long rate-limit wait', () => {
  after(() => mock.timers.reset());

  it('decides within 10 s, saying the group could not be read, and the late answer serves the next click', { timeout: 5_000 }, async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    let answer: (users: readonly string[]) => void = () => undefined;
    let lookups = 0;
    const policy = createAccessPolicy({
      access: { channels: [], operators: { users: [], usergroups: [] }, approvers: { users: ['U0BOB'], usergroups: ['S0LEADS'] } },
      logger: quietLogger(),
      usergroupMembers: () => {
        lookups += 1;
        // The Web API client is waiting out Retry-After: 60 before it answers.
        return new Promise((resolve) => (answer = resolve));
      },
    });
    let decided = false;
    const first = policy.role('U0CAROL', 'approver', 'approve promotions').then((decision) => ((decided = true), decision));
    mock.timers.tick(9_999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(decided, false);
    mock.timers.tick(1);
    const refused = await first;
    assert.equal(refused.allowed, false);
    assert.equal(
      refused.reason,
      'Only approvers may approve promotions: <@U0BOB>, <!subteam^S0LEADS>. mesh-bot could not read the members of <!subteam^S0LEADS> (no answer within 10 s) from Slack, so it could not tell whether you are one of them; try again in a minute, or ask one of them.',
    );
    answer(['U0CAROL']);
    assert.equal((await policy.role('U0CAROL', 'approver', 'approve promotions')).allowed, true);
    assert.equal(lookups, 1, 'the late answer is the one the retry uses');
  });
});

describe('a role nobody holds (approvers removed from the config after a card was posted)', () => {
  it('says no approvers are configured and who has to change that, not "Ask one of them: nobody"', async () => {
    const policy = createAccessPolicy({
      access: { channels: [], operators: { users: ['U0ALICE'], usergroups: [] }, approvers: { users: [], usergroups: [] } },
      logger: quietLogger(),
      usergroupMembers: async () => [],
    });
    const refused = await policy.role('U0BOB', 'approver', 'approve promotions');
    assert.equal(refused.allowed, false);
    assert.equal(refused.reason, "Nobody may approve promotions: no approvers are configured. An admin has to add user ids or user groups to access.approvers in mesh-bot's config file (MESH_BOT_CONFIG) and restart it.");
  });
});
