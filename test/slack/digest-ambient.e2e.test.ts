import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { BOT_NAMESPACE, putIstiod, putRootCert } from '../mesh/digest/harness.ts';
import { putAmbientMesh } from '../support/ambient-cluster.ts';
import { blockText } from '../support/blocks.ts';
import { startBot } from '../support/bot.ts';
import { cli } from '../support/cli.ts';

describe('digest of an ambient mesh, in Slack and in the terminal', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    putIstiod(api, { restarts: 0 });
    putRootCert(api);
    putAmbientMesh(api, 2);
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-kubeconfig-'));
    await writeFile(join(dir, 'config'), api.kubeConfigYaml());
    process.env['KUBECONFIG'] = join(dir, 'config');
  });
  after(() => api.close());

  it('/mesh digest now posts an Ambient section and names its problems in the verdict', async () => {
    const bot = await startBot({ istioctl: { version: '1.30.3' }, kubeConfig: () => api.kubeConfig(), env: { POD_NAMESPACE: BOT_NAMESPACE } });
    try {
      await bot.slash('digest now', { channelId: 'C0OPS' });
      const answer = await bot.slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'api' && message.threadTs === undefined), { timeoutMs: 20_000 });
      const text = blockText(answer.blocks);
      assert.match(text, /\*Ambient\*\nztunnels 2\/3 ready \(one per node\)\n/);
      assert.match(text, /waypoints: 2 of 6 not programmed\n• default\/bookinfo\n• default\/waypoint/);
      assert.match(text, /pods in ambient namespaces not captured: 1\n• default\/httpbin-7447985f87-t8hv7/);
      // The verdict line lists every reason (the notification line only the first three).
      // As status judges this mesh: no istio-cni DaemonSet, and the fake istioctl's proxy list holds no ztunnel.
      assert.match(text, /ztunnels 2\/3 ready, no istio-cni node agent, 2 ready ztunnels not connected to istiod, 9 ztunnel certificates not Available, 2 waypoints not programmed, 1 pod in ambient namespaces not captured/);
    } finally {
      await bot.close();
    }
  });

  it('mesh-bot digest -o json carries the ambient facts', async () => {
    const run = await cli(['digest', '-o', 'json'], { version: '1.24.6' }, { POD_NAMESPACE: BOT_NAMESPACE });
    const json = JSON.parse(run.stdout) as { ambient: { available: boolean; ztunnels: { ready: number; desired: number }; waypoints: { notProgrammed: string[] }; certificates: { available: boolean; sampled: string[] } } };
    assert.equal(json.ambient.available, true);
    assert.deepEqual(json.ambient.ztunnels, { ready: 2, desired: 3 });
    // 1.22-1.26 combined-gateway golden: the default namespace waypoint is named `waypoint` and not programmed.
    assert.deepEqual(json.ambient.waypoints.notProgrammed, ['default/bookinfo', 'default/waypoint']);
    assert.equal(json.ambient.certificates.sampled.length, 3);
  });
});
