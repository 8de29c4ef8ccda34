import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { proxyStatusArgs } from '../../src/istioctl/istioctl.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startBot } from '../support/bot.ts';

const withFile = (yaml: string) => loadConfig({ MESH_BOT_CONFIG: '/etc/mesh-bot.yaml' }, async () => yaml);

describe('clusters[].xdsAddress: an external istiod reached by istioctl --xds-address', () => {
  it('is read per cluster and absent by default', async () => {
    const loaded = await withFile('clusters:\n  - { name: central, xdsAddress: "istiod.mesh.example.com:15012" }\n  - { name: local }\n');
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
    assert.deepEqual(loaded.value.clusters.map((cluster) => [cluster.name, cluster.xdsAddress]), [['central', 'istiod.mesh.example.com:15012'], ['local', undefined]]);
  });

  for (const [address, problem] of [
    ['istiod.example.com', /must be host:port of istiod's xDS port/],
    ['--plaintext:15010', /must be host:port/],
    ['istiod:70000', /the port must be at most 65535/],
  ] as const) {
    it(`refuses ${address} at start, naming the setting`, async () => {
      const loaded = await withFile(`clusters:\n  - { name: central, xdsAddress: "${address}" }\n`);
      assert.equal(loaded.ok, false);
      if (!loaded.ok) assert.match(loaded.error.message, new RegExp(`clusters\\[0\\]\\.xdsAddress: ${problem.source}`));
    });
  }

  it('accepts IPv4 and bracketed IPv6 hosts', async () => {
    for (const address of ['127.0.0.1:15012', '[::1]:15012']) {
      const loaded = await withFile(`clusters:\n  - { name: central, xdsAddress: "${address}" }\n`);
      assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
    }
  });

  it('adds --xds-address to proxy-status on every version, after the namespace flag', () => {
    assert.deepEqual(proxyStatusArgs({ major: 1, minor: 24 }, 'istio-control', '10.0.0.1:15012'), ['proxy-status', '--istioNamespace', 'istio-control', '--xds-address', '10.0.0.1:15012']);
    assert.deepEqual(proxyStatusArgs(null, 'istio-system', 'istiod.example.com:15012'), ['proxy-status', '--xds-address', 'istiod.example.com:15012', '--output', 'json']);
  });

  describe('the bot', () => {
    let api: FakeKubeApi;
    before(async () => {
      api = await startFakeKubeApi();
    });
    after(() => api.close());

    it('passes the cluster\'s xdsAddress to the istioctl that answers /mesh status', async () => {
      const bot = await startBot({ istioctl: { version: '1.30.0', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), configYaml: 'clusters:\n  - { name: central, xdsAddress: "istiod.mesh.example.com:15012" }\n' });
      try {
        await bot.slash('status');
        await bot.answer('C0OPS');
        const statusRun = (await bot.istioctlInvocations()).find((argv) => argv[0] === 'proxy-status');
        assert.ok(statusRun, 'istioctl proxy-status ran');
        assert.deepEqual(statusRun.slice(statusRun.indexOf('--xds-address'), statusRun.indexOf('--xds-address') + 2), ['--xds-address', 'istiod.mesh.example.com:15012']);
      } finally {
        await bot.close();
      }
    });
  });
});
