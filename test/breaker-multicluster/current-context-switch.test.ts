// A bot run where people also use kubectl (a workstation, a bastion VM sharing ~/.kube/config), with no `clusters:`
// in its config: its one cluster is "the current context". mesh-bot's Kubernetes clients are built at start on the
// context current then; istioctl was run without --context, so it read the file's current-context at each run. After
// `kubectl config use-context staging` in another terminal, `/mesh status` combined prod's istiod pods (API) with
// staging's proxies (istioctl) into one answer about "default". The bot now gives istioctl the context of its start.
// `npm start`'s process (src/main.ts) in a child process, reading KUBECONFIG as in production.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { sendSlashCommand } from '../../src/sandbox/slack-requests.ts';
import { namespace, proxyStatusJson, standIn, type StandIn } from '../breaker-ambient/support/harness.ts';
import { start } from '../breaker-config/support/start.ts';
import { ISTIOD, putIstiod } from '../mesh/digest/harness.ts';
import { kubeconfigYaml, tempDir } from './support.ts';

const SIGNING_SECRET = 'breaker-multicluster-signing-secret';

describe('the file\'s current-context switched while the bot runs', () => {
  let prod: FakeKubeApi;
  let staging: FakeKubeApi;
  let slack: FakeSlack;
  let istioctl: StandIn;
  let dir: string;
  const write = (current: 'prod' | 'staging') => {
    const entries = [{ name: 'prod', server: prod.url, user: { token: 'p' } }, { name: 'staging', server: staging.url, user: { token: 's' } }];
    return writeFile(join(dir, 'kubeconfig'), kubeconfigYaml(current === 'prod' ? entries : [...entries].reverse()));
  };
  before(async () => {
    prod = await startFakeKubeApi({ objects: [namespace('istio-system'), namespace('mesh-bot')] });
    staging = await startFakeKubeApi({ objects: [namespace('istio-system'), namespace('mesh-bot')] });
    putIstiod(prod, { restarts: 0, version: '1.30.3' });
    slack = await startFakeSlack();
    dir = await tempDir('switch');
    await write('prod');
    istioctl = await standIn('1.30.3', [{ when: ['proxy-status'], stdout: proxyStatusJson(ISTIOD, '1.30.3', [{ id: 'productpage-v1-1.bookinfo', version: '1.30.3', types: { CDS: 'SYNCED', LDS: 'SYNCED' } }]) }]);
  });
  after(async () => {
    await slack?.close();
    await prod?.close();
    await staging?.close();
  });

  it('runs istioctl against the context its Kubernetes reads use (defect: istioctl followed the file to staging)', async () => {
    const bot = await start(
      { HOME: dir, KUBECONFIG: join(dir, 'kubeconfig'), ISTIOCTL: istioctl.path, SLACK_BOT_TOKEN: 'xoxb-1-2-three', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', POD_NAMESPACE: 'mesh-bot' },
      true,
    );
    try {
      assert.equal(bot.result, 'serving', bot.lines.join('\n'));
      await write('staging');
      const responseUrl = slack.responseUrl(undefined, { channel: 'C0OPS', user: 'U0ALICE' });
      await sendSlashCommand(`http://127.0.0.1:${bot.port}`, SIGNING_SECRET, { text: 'status', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl });
      const id = decodeURIComponent(responseUrl.slice(responseUrl.lastIndexOf('/') + 1));
      await slack.waitFor((fake) => fake.responses.find((candidate) => candidate.id === id && !/^:hourglass/.test(String(candidate.body['text'] ?? ''))), { timeoutMs: 15_000 });
    } finally {
      await bot.stop();
    }
    const runs = (await istioctl.invocations()).filter((argv) => argv[0] === 'proxy-status');
    assert.ok(runs.length > 0);
    for (const argv of runs) assert.equal(argv[argv.indexOf('--context') + 1], 'prod', argv.join(' '));
    assert.ok(prod.requests.some((request) => request.path.includes('/namespaces/istio-system/pods')), 'the istiod pods were read in prod');
  });
});
