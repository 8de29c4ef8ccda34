// Slack sends a slash command's text with &, < and > as HTML entities (&amp; &lt; &gt;), whatever should_escape
// says. Someone who types a usage placeholder literally (`/mesh proxy-config secret <pod>`) must be shown what they
// typed, not Slack's escaping of it escaped once more.

import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import nock from 'nock';
import { nockKubeConfig } from '../support/kube-nock.ts';
import { startBot } from '../support/bot.ts';

before(() => nock.enableNetConnect(/127\.0\.0\.1/));
afterEach(() => nock.cleanAll());
after(() => nock.restore());

it('quotes a typed <placeholder> and & back as the person typed them', async () => {
  const bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
  try {
    // As Slack sends `/mesh status -n <namespace>` and `/mesh status -n a&b`.
    const placeholder = JSON.parse((await bot.slash('status -n &lt;namespace&gt;')).http.body) as { text: string };
    // In mrkdwn `&lt;namespace&gt;` is what shows as <namespace>.
    assert.match(placeholder.text, /"&lt;namespace&gt;" is not a valid namespace name/);
    const ampersand = JSON.parse((await bot.slash('status -n a&amp;b')).http.body) as { text: string };
    assert.match(ampersand.text, /"a&amp;b" is not a valid namespace name/);
  } finally {
    await bot.close();
  }
});
