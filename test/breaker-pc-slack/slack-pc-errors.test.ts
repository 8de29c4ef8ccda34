// istioctl's error text reaches Slack in `/mesh pc` answers: it is istioctl's (and the cluster's) text, so no
// mention or link in it may become live (README "Slack escaping"), and every answer is a post Slack takes.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nock from 'nock';
import { blockText } from '../support/blocks.ts';
import { nockKubeConfig } from '../support/kube-nock.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { standIn } from '../breaker-ambient/support/harness.ts';
import { blockKitViolations, liveMarkup } from './support/block-kit.ts';

before(() => nock.enableNetConnect(/127\.0\.0\.1/));
after(() => nock.restore());

const HOSTILE = 'Error: unexpected answer from the admin port: <!channel> read <https://evil.example/login|the runbook> &amp; <@U0ADMIN>\n';

describe('/mesh pc when istioctl\'s error carries mrkdwn', () => {
  let bot: Bot | undefined;
  before(async () => {
    const istioctl = await standIn('1.28.1', [{ when: ['proxy-config'], stderr: HOSTILE, exit: 1 }]);
    bot = await startBot({ kubeConfig: nockKubeConfig, env: { ISTIOCTL: istioctl.path } });
  });
  after(() => bot?.close());

  for (const type of ['clusters', 'secret', 'log']) {
    it(`pc ${type}: the error is shown as typed, nothing notifies or links`, async () => {
      bot!.slack.reset();
      await bot!.slash(`pc ${type} web-1.default`);
      const answer = await bot!.answer('C0OPS');
      assert.deepEqual(blockKitViolations(answer), []);
      assert.deepEqual(liveMarkup(`${answer.text}\n${blockText(answer.blocks)}`), []);
      assert.match(blockText(answer.blocks), /&lt;!channel&gt;/, 'istioctl\'s words are shown, escaped');
    });
  }
});
