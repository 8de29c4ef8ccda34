import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { blockText, buttons } from '../support/blocks.ts';
import { reviewsWeights, seedReviews } from '../support/bookinfo.ts';
import { startBot, type Bot } from '../support/bot.ts';

/** The config file example of the README's Configuration section, exactly as a new user would copy it. */
async function readmeConfig(): Promise<{ yaml: string; context: string }> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Configuration\n'));
  const yaml = section?.match(/Config file \(`MESH_BOT_CONFIG`[\s\S]*?```yaml\n([\s\S]*?)```/)?.[1];
  assert.ok(yaml, 'the README has a config example in its Configuration section');
  const context = yaml.match(/^\s+context: (\S+)/m)?.[1];
  assert.ok(context, 'the example names a kubeconfig context');
  return { yaml, context };
}

describe("the README's example config, end to end", () => {
  let api: FakeKubeApi;
  let bot: Bot;
  before(async () => {
    api = await startFakeKubeApi();
    seedReviews(api);
    const { yaml, context } = await readmeConfig();
    // The example's cluster is reached through its own kubeconfig context name.
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(context), configYaml: yaml });
  });
  after(async () => {
    await bot.close();
    await api.close();
  });

  it('lets the operator ask in the ops channel and the approver approve on the card in the approvals channel', async () => {
    const { http } = await bot.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0123OPS' });
    assert.equal(http.status, 200);
    const card = await bot.slack.waitFor((fake) => fake.messages('C0123REL').find((message) => message.via === 'api' && message.threadTs === undefined), { timeoutMs: 10_000 });
    const id = buttons(card.blocks).find((element) => element.action_id === 'canary_approve')?.value;
    assert.ok(id, 'the card in C0123REL has an Approve button');

    await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0123REL', messageTs: card.ts });
    const decided = await bot.slack.waitFor((fake) => {
      const current = fake.message('C0123REL', card.ts);
      return current && /proxies in sync|not applied|Rejected|Expired/.test(blockText(current.blocks)) ? current : undefined;
    }, { timeoutMs: 20_000 });
    assert.match(blockText(decided.blocks), /Approved\* by <@U0BOB>/);
    assert.deepEqual(reviewsWeights(api), [50, 50]);
    assert.ok(!bot.slack.responses.some((response) => /not enabled in this channel/.test(String(response.body['text'] ?? ''))), 'no click was refused for its channel');
  });

  it('still refuses commands in a channel outside access.channels', async () => {
    const { http } = await bot.slash('status', { userId: 'U0BOB', channelId: 'C0123REL' });
    assert.match(JSON.parse(http.body).text, /not enabled in this channel/);
  });
});
