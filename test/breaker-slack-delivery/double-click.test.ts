// A "Show all findings" button gives no sign of progress while istioctl runs, so people click it twice (or two
// people click it together). Slack delivers both clicks; the thread must get the list once.

import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { buttons } from '../support/blocks.ts';

let api: FakeKubeApi;
let bot: Bot | undefined;
before(async () => {
  api = await startFakeKubeApi({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }] });
});
after(() => api.close());
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

it('a double click on "Show all findings" posts the list in the thread once, and tells the second clicker it is on its way', async () => {
  bot = await startBot({ istioctl: { version: '1.28.1', delayMs: 300 }, kubeConfig: () => api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot' } });
  await bot.slash('analyze -n default');
  const answer = await bot.answer('C0OPS');
  const button = buttons(answer.blocks).find((element) => element.action_id === 'analyze_show_findings');
  assert.ok(button?.value);
  const clicks = await Promise.all([
    bot.click({ actionId: 'analyze_show_findings', value: button.value, messageTs: answer.ts, userId: 'U0ALICE' }),
    bot.click({ actionId: 'analyze_show_findings', value: button.value, messageTs: answer.ts, userId: 'U0BOB' }),
  ]);
  assert.deepEqual(clicks.map((click) => click.status), [200, 200]);
  await bot.slack.waitFor((fake) => fake.threadReplies('C0OPS', answer.ts).length > 0, { timeoutMs: 15_000 });
  const told = await bot.slack.waitFor((fake) => fake.responses.find((response) => /already/i.test(String(response.body['text'] ?? ''))), { timeoutMs: 15_000 });
  assert.equal(told.body['response_type'], 'ephemeral');
  // Both clicks' work would have ended together (one shared istioctl run): give a second post time to land.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.equal(bot.slack.threadReplies('C0OPS', answer.ts).length, 1, 'one list in the thread');
});
