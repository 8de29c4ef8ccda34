// README Digests + docs/reference slack.md: a digest must still post and never fail silently. Slack's limit on the
// blocks' total is undocumented (`msg_blocks_too_long` seen around 12-13k characters), and it refuses blocks it will
// not render (`invalid_blocks`). Such an answer is final — the message was not posted — yet the scheduled digest only
// failed, was retried with the same blocks within the grace period, and the channel got nothing, every morning.
// Now the channel gets the verdict line, with the whole digest in its thread, and the baseline stays, so the next
// digest shows what this one could not.

import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, it } from 'node:test';
import { WebClient } from '@slack/web-api';
import type { CommandDeps } from '../../src/command.ts';
import type { ClusterConfig } from '../../src/config.ts';
import { baselineRecordName } from '../../src/mesh/digest/baseline.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { realClock } from '../../src/schedule/clock.ts';
import { runScheduledDigest } from '../../src/schedule/digests.ts';
import type { RunFence } from '../../src/schedule/scheduler.ts';
import { scheduledPostOptions } from '../../src/server.ts';
import { createChannelPoster } from '../../src/slack/poster.ts';
import { BOT_NAMESPACE, digestDeps, putIstiod, putRootCert } from '../mesh/digest/harness.ts';

const CLUSTER: ClusterConfig = { name: 'default', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };
const DIGEST = { channel: 'C0OPS', schedule: '0 9 * * 1-5', timezone: 'Europe/Berlin' };
const FIRED = new Date('2025-06-02T07:00:00Z');
const fence: RunFence = { signal: new AbortController().signal, commit: async (effect) => effect() };

let slack: FakeSlack;
let api: FakeKubeApi;
before(async () => {
  slack = await startFakeSlack();
});
after(() => slack.close());
beforeEach(async () => {
  api = await startFakeKubeApi();
  putIstiod(api, { restarts: 0 });
  putRootCert(api);
});
afterEach(() => api.close());

async function deps(): Promise<CommandDeps> {
  const base = await digestDeps(api, { version: '1.24.2' }, FIRED);
  return { ...base, config: { ...base.config, digests: [DIGEST] } };
}

for (const answer of ['msg_blocks_too_long', 'invalid_blocks']) {
  it(`Slack answers ${answer}: the channel still gets the digest's verdict, told the full digest could not be posted, and the whole digest is in its thread`, async () => {
    const channel = `C0${answer.replace(/_/g, '').toUpperCase()}`;
    const poster = createChannelPoster(new WebClient('xoxb-test', scheduledPostOptions(slack.apiUrl)), realClock);
    slack.failNext('chat.postMessage', answer);
    await runScheduledDigest(await deps(), poster, { ...DIGEST, channel }, FIRED, fence);
    const posted = slack.messages(channel).filter((candidate) => candidate.threadTs === undefined);
    assert.equal(posted.length, 1, 'one message in the channel');
    const [message] = posted;
    const [thread, ...more] = slack.threadReplies(channel, message?.ts ?? '');
    assert.equal(more.length, 0, 'one reply in its thread');
    assert.match(thread?.text ?? '', /^The whole digest of default, Mon 2 Jun 2025, 09:00 Europe\/Berlin \(GMT\+2\), every list in full/);
    assert.match(JSON.stringify(thread?.blocks ?? []), /Control plane: istiod 1\/1 ready/, 'the sections Slack refused are in the thread');
    assert.match(message?.text ?? '', /^Mesh digest default, Mon 2 Jun 2025, 09:00 Europe\/Berlin \(GMT\+2\): critical: /);
    assert.match(JSON.stringify(message?.blocks ?? []), new RegExp(`Slack refused the full digest \\(${answer}\\)`));
    assert.equal(api.get('v1', 'ConfigMap', BOT_NAMESPACE, baselineRecordName(CLUSTER.name, channel, undefined)), undefined, 'the sections were not seen: the next digest compares with the same baseline');
  });
}
