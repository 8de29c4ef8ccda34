import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import nock from 'nock';
import { startBot, type Bot } from '../support/bot.ts';
import { NOCK_KUBE_URL, nockIstiods, nockKubeConfig } from '../support/kube-nock.ts';

/** `/mesh …` typed in the Slack client, through the real Bolt receiver: what the typist reads back. */
before(() => nock.enableNetConnect(/127\.0\.0\.1/));
afterEach(() => nock.cleanAll());
after(() => nock.restore());

describe('/mesh grammar as the Slack client sends it', () => {
  let bot: Bot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('an en dash before n (what smart punctuation makes of a dash) is -n: the command runs in that namespace', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.24.2' }]);
    nock(NOCK_KUBE_URL).persist().get('/api/v1/namespaces/quiet').reply(200, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'quiet' } });
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'multi-pilot' }, kubeConfig: nockKubeConfig });
    const { http } = await bot.slash('status \u2013n quiet');
    assert.match(JSON.parse(http.body).text, /Running `status` on cluster `default`/);
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /quiet/);
  });

  it('a namespace given twice differently is refused before anything runs, with both values and the usage line', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2' }, kubeConfig: nockKubeConfig });
    const reply = JSON.parse((await bot.slash('canary promote reviews --weight 20 -n shop -n payments')).http.body) as { text: string; response_type: string };
    assert.equal(reply.response_type, 'ephemeral');
    assert.match(reply.text, /^:x: --namespace is given twice \("shop" and "payments"\); give it once\.\nUsage: `\/mesh canary /);
    assert.deepEqual(await bot.istioctlInvocations(), []);
  });

  it('a canary error shows the usage line of its own action, not all three', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2' }, kubeConfig: nockKubeConfig });
    const promote = (JSON.parse((await bot.slash('canary promote reviews -n shop')).http.body) as { text: string }).text;
    assert.match(promote, /\nUsage: `\/mesh canary promote VIRTUALSERVICE\|HTTPROUTE --weight PERCENT /);
    assert.doesNotMatch(promote, /--to SUBSET|status\|promote/);
    const rollback = (JSON.parse((await bot.slash('canary -n shop rollback')).http.body) as { text: string }).text;
    assert.match(rollback, /\nUsage: `\/mesh canary rollback VIRTUALSERVICE\|HTTPROUTE \[--to SUBSET\] /);
    assert.doesNotMatch(rollback, /--weight/);
    // No action to go by: all three forms.
    const unknown = (JSON.parse((await bot.slash('canary frob reviews')).http.body) as { text: string }).text;
    assert.match(unknown, /\nUsage: `\/mesh canary status\|promote\|rollback /);
  });
});
