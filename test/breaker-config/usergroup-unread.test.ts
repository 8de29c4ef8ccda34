// README "Access and audit": roles come from user ids and user groups; a refusal says who may do it. When Slack
// cannot list a group's members (an error, a group deleted or disabled since the config was written), the
// member of that group who asks must not be told "Ask one of them, or have an admin add you" — they are one of
// them. The refusal says the group could not be read, and what to do.

import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import nock from 'nock';
import { startBot, type Bot } from '../support/bot.ts';
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
