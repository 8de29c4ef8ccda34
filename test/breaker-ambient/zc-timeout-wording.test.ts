// BA-16: a `ztunnel-config` run that hits istioctl.timeout was blamed on istiod ("istiod may be slow or
// overloaded"); ztunnel-config reads the ztunnel's own admin endpoint through a port-forward, istiod is not
// involved, so the hint must send the on-call engineer to the ztunnel and the port-forward.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { AMBIENT, ambientMesh, cluster, meshBot, standIn, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
let config: string;
before(async () => {
  kube = await cluster(ambientMesh());
  istioctl = await standIn('1.28.10', [{ when: ['ztunnel-config', 'workload'], stdoutFile: `${AMBIENT}/ztunnel-config/workloads/v1.24+_workloadsummary.txt`, holdMs: 4000 }]);
  config = join(await mkdtemp(join(tmpdir(), 'breaker-config-')), 'config.yaml');
  await writeFile(config, 'istioctl:\n  timeout: 1s\n');
});
after(() => kube.close());

it('zc workloads past the 1 s istioctl timeout: exit 1, names the ztunnel, does not blame istiod', async () => {
  const run = await meshBot(['zc', 'workloads'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path, MESH_BOT_CONFIG: config });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /ztunnel-n5bg2/);
  assert.match(run.stderr, /1s|1 s/);
  assert.doesNotMatch(run.stderr, /istiod may be slow/);
  assert.match(run.stderr, /port-forward/);
  assert.match(run.stderr, /kubectl -n istio-system logs ztunnel-n5bg2/);
});
