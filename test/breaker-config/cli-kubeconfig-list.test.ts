// The terminal mode reads KUBECONFIG as kubectl and the istioctl it starts do (DESIGN.md §2 "KUBECONFIG: standard"):
// a `:`-joined list whose first file does not exist (a laptop's default list, a CI runner's) still works.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cluster, meshBot, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';
import { fakeIstioctl } from '../support/bot.ts';

let kube: Cluster;
let istioctl: string;
before(async () => {
  kube = await cluster([namespace('mesh-bot'), namespace('istio-system')]);
  istioctl = (await fakeIstioctl({ version: '1.24.2' })).path;
});
after(() => kube?.close());

describe('mesh-bot status with KUBECONFIG=missing:existing', () => {
  it('reads the cluster of the existing file instead of stopping at the missing one', async () => {
    const run = await meshBot(['status', '-o', 'json'], { KUBECONFIG: `/nonexistent/breaker-config/kubeconfig:${kube.kubeconfig}`, ISTIOCTL: istioctl });
    assert.doesNotMatch(run.stderr, /ENOENT|No usable kubeconfig/);
    const result = JSON.parse(run.stdout) as { command: string; cluster: string; proxies: { total: number } };
    assert.equal(result.command, 'status');
    assert.ok(result.proxies.total > 0, 'the proxies istioctl reported are counted');
  });
});
