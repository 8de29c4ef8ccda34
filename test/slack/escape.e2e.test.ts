import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { message, section } from '../../src/slack/blocks.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { findButton } from '../support/blocks.ts';

/** Text a cluster can put into istioctl's output (annotation values, hosts, error strings are not validated by us). */
const HOSTILE = '<!channel> <!here> <@U0ADMIN> <https://evil.example/login|reset your password> & co';
const LIVE = ['<!channel>', '<!here>', '<@U0ADMIN>', '<https://evil.example/login|reset your password>'];
const SHOWN = '&lt;!channel&gt; &lt;!here&gt; &lt;@U0ADMIN&gt; &lt;https://evil.example/login|reset your password&gt; &amp; co';

describe('istioctl and Kubernetes text reaches Slack escaped (mrkdwn)', () => {
  let api: FakeKubeApi;
  let bot: Bot | undefined;
  before(async () => {
    api = await startFakeKubeApi({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }] });
  });
  after(() => api.close());
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('in the answer, its notification text and the thread reply of "Show all findings"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-escape-'));
    const file = join(dir, 'analyze.json');
    const finding = { code: 'IST0101', documentationUrl: 'https://istio.io/v1.28/docs/reference/config/analysis/ist0101/?ref=istioctl-analyze', level: 'Error', message: `Referenced host not found: "${HOSTILE}"`, origin: 'VirtualService shop/reviews' };
    // Four findings of one code: the card quotes three, so it offers "Show all findings" for the rest.
    const findings = ['reviews', 'ratings', 'details', 'productpage'].map((name) => ({ ...finding, origin: `VirtualService shop/${name}` }));
    await writeFile(file, JSON.stringify(findings, null, '\t'));
    bot = await startBot({ istioctl: { version: '1.28.1', analyzeFile: file }, kubeConfig: () => api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot' } });

    await bot.slash('analyze -n shop');
    const answer = await bot.answer('C0OPS');
    const button = findButton(answer.blocks, 'analyze_show_findings');
    assert.ok(button?.value);
    await bot.click({ actionId: 'analyze_show_findings', value: button.value, messageTs: answer.ts });
    const reply = await bot.slack.waitFor((fake) => fake.threadReplies('C0OPS', answer.ts)[0]);

    const posted = JSON.stringify([bot.slack.calls, bot.slack.responses]);
    for (const live of LIVE) assert.ok(!posted.includes(live), `${live} reached Slack unescaped`);
    assert.ok(JSON.stringify(answer.blocks).includes(SHOWN), 'the card shows the text as typed');
    assert.ok(JSON.stringify(reply.blocks).includes(SHOWN), 'the thread reply shows the text as typed');
  });
});

describe('message()', () => {
  it('escapes the top-level text (what notifications show) but keeps the approver mentions a card carries on purpose', () => {
    const built = message(`Canary promotion of shop/reviews — approvers: <!subteam^S0APPROVE> <@U0ALICE> ${HOSTILE}`, [section('x')]);
    // Headlines hold our words and validated names, never istioctl free text (that goes into blocks, escaped by the
    // renderers): the safety net here lets person and group mentions through, never channel-wide ones or links.
    assert.equal(built.text, 'Canary promotion of shop/reviews — approvers: <!subteam^S0APPROVE> <@U0ALICE> &lt;!channel&gt; &lt;!here&gt; <@U0ADMIN> &lt;https://evil.example/login|reset your password&gt; &amp; co');
  });
});
