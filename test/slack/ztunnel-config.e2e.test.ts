// `/mesh ztunnel-config` and `/mesh status` in an ambient mesh, through signed Slack requests, for every istioctl
// version of the corpus (the simulated istioctl replays the ztunnel-config goldens per version).

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { blockText, findButton } from '../support/blocks.ts';
import { CORPUS_VERSIONS, startAmbientApi } from '../support/ambient-api.ts';
import type { FakeKubeApi } from '../../src/sandbox/kube-api.ts';

describe('/mesh ztunnel-config end to end through the Bolt HTTP receiver', () => {
  let bot: Bot | undefined;
  let api: FakeKubeApi | undefined;
  afterEach(async () => {
    await bot?.close();
    await api?.close();
    bot = undefined;
    api = undefined;
  });

  async function ambientBot(version: string, ztunnelsReady = 3): Promise<Bot> {
    const started = await startAmbientApi({ ztunnelsReady });
    api = started;
    return startBot({ istioctl: { version, scenario: 'ambient' }, kubeConfig: () => started.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot' } });
  }

  for (const version of CORPUS_VERSIONS) {
    const minor = Number(version.split('.')[1]);
    it(`${version}: \`/mesh zc workloads\` ${minor < 22 ? 'names the istioctl version that has the command' : 'puts the pod that is not captured first, with its waypoint'}`, async () => {
      bot = await ambientBot(version);
      await bot.slash('zc workloads');
      const answer = await bot.answer('C0OPS');
      if (minor < 22) {
        assert.match(answer.text, new RegExp(`istioctl ${version.replace(/\./g, '\\.')} has no \`ztunnel-config\` command: it arrived in istioctl 1\\.22 \\(as \`istioctl x ztunnel-config\`\\)`));
        assert.equal((await bot.istioctlInvocations()).filter((argv) => argv.includes('ztunnel-config')).length, 0);
        return;
      }
      assert.match(answer.text, /^default: ztunnel-config workloads of ztunnel-n5bg2 \(node ambient-control-plane\) — 27 workloads, 1 pod in ambient namespaces NOT captured \(as of \d\d:\d\d:\d\d UTC\)$/);
      const text = blockText(answer.blocks);
      assert.match(text, /^:large_yellow_circle: /m);
      assert.match(text, /\*Not captured \(1\)\*\n• httpbin-7447985f87-t8hv7\.default on ambient-worker: NOT captured \(protocol TCP in an ambient namespace\), waypoint none/);
      assert.match(text, /• bookinfo \(ambient\): 8 workloads \(6 HBONE, 2 TCP\), waypoint namespace-istio-waypoint, bookinfo-productpage-istio-waypoint/);
      assert.ok((answer.blocks?.length ?? 0) <= 50);
      const expected = minor === 22 ? ['experimental', 'ztunnel-config', 'workload', 'ztunnel-n5bg2.istio-system'] : ['ztunnel-config', 'workload', 'ztunnel-n5bg2.istio-system'];
      assert.deepEqual((await bot.istioctlInvocations()).find((argv) => argv.includes('ztunnel-config')), expected);
    });
  }

  it('1.28: a pod labelled istio.io/dataplane-mode=none is shown apart as opted out, and is not a problem', async () => {
    bot = await ambientBot('1.28.10');
    // The corpus's one TCP pod of an ambient namespace, now kept out of the mesh on purpose.
    api?.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'httpbin-7447985f87-t8hv7', namespace: 'default', labels: { app: 'httpbin', 'istio.io/dataplane-mode': 'none' } },
      spec: { nodeName: 'ambient-worker', containers: [{ name: 'app', image: 'app' }] },
      status: { phase: 'Running' },
    });
    await bot.slash('zc workloads');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /— 27 workloads, every pod in an ambient namespace captured but 1 opted out \(istio\.io\/dataplane-mode=none\) \(as of /);
    const text = blockText(answer.blocks);
    assert.match(text, /^:large_green_circle: /m);
    assert.doesNotMatch(text, /Not captured/);
    assert.match(text, /\*Opted out \(istio\.io\/dataplane-mode=none\): 1, not a problem\*\n• httpbin-7447985f87-t8hv7\.default on ambient-worker: opted out on purpose \(istio\.io\/dataplane-mode=none\), protocol TCP, waypoint none/);
    assert.match(text, /• default \(ambient\): 8 workloads \(7 HBONE, 1 TCP, 1 opted out\)/);
  });

  it('1.28: certificates of every ztunnel, "Show all" uploads every row into the thread', async () => {
    bot = await ambientBot('1.28.10');
    await bot.slash('ztunnel-config certificates');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /ztunnel-config certificates of 3 of 3 ztunnels — certificates of 3 of 3 ztunnels read, earliest NOT AFTER 2022-03-18T13:04:49Z, 9 not Available/);
    const text = blockText(answer.blocks);
    assert.match(text, /^:red_circle: /m, 'an expired Root is red');
    assert.match(text, /• ztunnel-qk2pp \(node ambient-worker2\): 5 certificates, earliest NOT AFTER 2022-03-18T13:04:49Z \(expired \d+ days ago\), 3 not Available \(Initializing, Unavailable\), CRITICAL/);
    assert.match(text, /…and 2 more \(Show all\)/, '12 rows need attention, 10 on the card');
    const button = findButton(answer.blocks, 'zc_show_all');
    assert.ok(button?.value);
    await bot.click({ actionId: 'zc_show_all', value: button.value, messageTs: answer.ts });
    const file = await bot.slack.waitFor((fake) => fake.files.find((candidate) => candidate.completed));
    const content = file.content?.toString('utf8') ?? '';
    assert.equal(content.match(/: spiffe:\/\/cluster\.local\/ns\/istio-system\/sa\/another-sa \(NA\): Unavailable — not Available/g)?.length, 3, 'one row per ztunnel in the file');
    assert.match(content, /^ztunnel-config certificates: 3 of 3 ztunnels \(default\)/);
  });

  it('refuses bad input before anything runs, with the usage line', async () => {
    bot = await ambientBot('1.28.10');
    const reply = async (text: string) => (JSON.parse((await bot!.slash(text)).http.body) as { text: string }).text;
    assert.match(await reply('zc secrets'), /unknown TYPE "secrets" \(one of workloads, services, certificates, policies, connections, all\)/);
    assert.match(await reply('zc workloads httpbin --node ambient-worker'), /give a POD or --node NODE, not both/);
    assert.match(await reply('zc workloads --node Bad_Node'), /Usage: `\/mesh ztunnel-config TYPE \[POD\[\.NAMESPACE\] \| --node NODE\] \[-n NAMESPACE\] \[--cluster NAME\]`/);
    assert.equal((await bot.istioctlInvocations()).filter((argv) => argv.includes('ztunnel-config')).length, 0);
  });

  for (const version of ['1.21.6', '1.24.6', '1.28.10', '1.30.3']) {
    it(`${version}: /mesh status counts proxies by kind and says how many ztunnels are ready`, async () => {
      bot = await ambientBot(version, 2);
      await bot.slash('status');
      const answer = await bot.answer('C0OPS');
      assert.match(answer.text, /^default: degraded — 6 proxies, all in sync — istiod 1\/1 ready/);
      const text = blockText(answer.blocks);
      assert.match(text, /\*Proxies by kind\*\n1 sidecar · 1 waypoint · 3 ztunnels · 1 gateway/);
      assert.match(text, /\*Ambient\*\n• ztunnels 2\/3 ready \(DaemonSet ztunnel, one per node\) — 1 node without a ready ztunnel\n• istio-cni node agent 3\/3 ready\n• 3 ztunnels connected to istiod: /);
      // Only the three Envoy proxies count in the Envoy types: a ztunnel's IGNORED columns are not states.
      assert.match(text, /\n• CDS: 3 SYNCED\n/);
    });
  }
});
