// One bot, two clusters, and west's API server gone: every istioctl run against west hangs until its timeout. The
// runner's concurrency limit (`istioctl.concurrency`) was one pool for all clusters, so west's hanging runs held every
// slot and `/mesh status --cluster east` waited behind them — a healthy cluster answered only when the dead one's
// runs timed out, or itself "did not finish" (the wait counts toward its timeout). The limit protects a cluster's API
// server and istiod from too many istioctl processes at once, so it is per cluster (kubeconfig context).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { namespace, proxyStatusJson, standIn, type StandIn } from '../breaker-ambient/support/harness.ts';
import { ISTIOD, putIstiod } from '../mesh/digest/harness.ts';
import { startBot, type Bot } from '../support/bot.ts';

const WEST_HANGS_MS = 6_000;

describe('west\'s istioctl runs hang; east is asked meanwhile', () => {
  let api: FakeKubeApi;
  let istioctl: StandIn;
  let bot: Bot;
  before(async () => {
    api = await startFakeKubeApi({ objects: [namespace('istio-system'), namespace('mesh-bot')] });
    putIstiod(api, { restarts: 0, version: '1.30.3' });
    istioctl = await standIn('1.30.3', [
      { when: ['--context', 'ctx-west'], holdMs: WEST_HANGS_MS, stderr: 'Error: context deadline exceeded\n', exit: 1 },
      { when: ['proxy-status'], stdout: proxyStatusJson(ISTIOD, '1.30.3', [{ id: 'productpage-v1-1.bookinfo', version: '1.30.3', types: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } }]) },
      { when: ['analyze'], stdout: '[]\n' },
    ]);
    // Both contexts reach the same fake API server: what differs is istioctl, which hangs for west only.
    const kubeConfig = () => {
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: [{ name: 'api', server: api.url, skipTLSVerify: true }],
        users: [{ name: 'u', token: 't' }],
        contexts: [{ name: 'ctx-east', cluster: 'api', user: 'u' }, { name: 'ctx-west', cluster: 'api', user: 'u' }],
        currentContext: 'ctx-east',
      });
      return config;
    };
    bot = await startBot({
      kubeConfig,
      env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path },
      configYaml: 'clusters:\n  - { name: east, context: ctx-east, default: true }\n  - { name: west, context: ctx-west }\nistioctl:\n  concurrency: 1\n',
    });
  });
  after(async () => {
    await bot?.close();
    await api?.close();
  });

  const answer = async (text: string): Promise<string> => {
    const { responseUrl } = await bot.slash(text);
    const id = decodeURIComponent(responseUrl.slice(responseUrl.lastIndexOf('/') + 1));
    const response = await bot.slack.waitFor((fake) => fake.responses.find((candidate) => candidate.id === id && !/^:hourglass/.test(String(candidate.body['text'] ?? ''))), { timeoutMs: 15_000 });
    return String(response.body['text']);
  };

  it('east answers while west\'s run still holds on (defect: east waited for west\'s slot)', async () => {
    const west = answer('analyze -A --cluster west');
    // West's run has started (the stand-in logs each run as it begins) before east is asked.
    await waitForRun(istioctl, 'ctx-west');
    const east = await answer('status --cluster east');
    assert.match(east, /^east: healthy/);
    assert.deepEqual(await istioctl.concurrency(), [], 'west\'s run had not ended when east answered');
    assert.match(await west, /west/);
  });
});

async function waitForRun(istioctl: StandIn, context: string): Promise<void> {
  for (let tries = 0; tries < 200; tries += 1) {
    if ((await istioctl.invocations()).some((argv) => argv.includes(context))) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`no istioctl run for ${context}`);
}
