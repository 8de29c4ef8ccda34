// `proxy-config` failures from istioctl that retrying cannot fix, through the terminal entry point with the
// breakers' stand-in istioctl (ERROR_STRINGS.md: `Error: error unmarshalling config dump response from Envoy: %v`).

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CORPUS, cluster, meshBot, namespace, standIn, type Cluster, type StandIn } from '../breaker-ambient/support/harness.ts';

// Verbatim from istio/istio#52872 (istioctl 1.19 against 1.23 proxies; every istioctl words it so); the maintainers'
// answer: upgrade istioctl.
const NEWER_ENVOY = 'Error: error unmarshalling config dump response from Envoy: proto: (line 2577:6): unknown field "enable_deferred_cluster_creation"\n';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster([namespace('default')]);
  istioctl = await standIn('1.22.8', [{ when: ['proxy-config', 'web-7d9c8b6f5-x2k4p.default'], stderr: NEWER_ENVOY, exit: 1 }]);
});
after(() => kube?.close());

describe('pc on a proxy newer than istioctl', () => {
  it('says the proxy is newer than istioctl and what to use instead, never "try again"', async () => {
    for (const type of ['clusters', 'routes', 'all']) {
      const run = await meshBot(['pc', type, 'web-7d9c8b6f5-x2k4p.default'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
      assert.equal(run.code, 1);
      assert.doesNotMatch(run.stderr, /try again/i, run.stderr);
      assert.match(run.stderr, /enable_deferred_cluster_creation/);
      assert.match(run.stderr, /newer than istioctl/);
      assert.match(run.stderr, /istioctl 1\.22\.8/, 'names the istioctl version mesh-bot runs');
    }
  });
});

describe('pc on a config dump larger than istioctl.maxOutput', () => {
  it('points at a narrower TYPE or a larger istioctl.maxOutput, not at -n (which narrows nothing for one pod)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'breaker-max-output-'));
    const config = join(dir, 'config.yaml');
    await writeFile(config, 'istioctl:\n  maxOutput: 1024\n');
    const big = await standIn('1.24.6', [{ when: ['proxy-config', 'all'], stdoutFile: `${CORPUS}/proxy-config/all/input_config_dump.json` }]);
    const run = await meshBot(['pc', 'all', 'web-7d9c8b6f5-x2k4p.default'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: big.path, MESH_BOT_CONFIG: config });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /1 KiB|1024 bytes/, 'names the limit');
    assert.doesNotMatch(run.stderr, /-n NAMESPACE/, run.stderr);
    assert.match(run.stderr, /istioctl\.maxOutput/);
  });
});

describe('pc past istioctl.timeout', () => {
  it('names the pod and the port-forward istioctl reads it through, and does not blame istiod (which pc never asks)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'breaker-timeout-'));
    const config = join(dir, 'config.yaml');
    await writeFile(config, 'istioctl:\n  timeout: 1s\n');
    const slow = await standIn('1.24.6', [{ when: ['proxy-config'], stdoutFile: `${CORPUS}/proxy-config/all/input_config_dump.json`, holdMs: 4000 }]);
    const run = await meshBot(['pc', 'clusters', 'web-7d9c8b6f5-x2k4p.default'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: slow.path, MESH_BOT_CONFIG: config });
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stderr, /istiod may be|overloaded/, run.stderr);
    assert.match(run.stderr, /web-7d9c8b6f5-x2k4p/);
    assert.match(run.stderr, /port-forward/);
    assert.match(run.stderr, /istioctl\.timeout/);
  });
});
