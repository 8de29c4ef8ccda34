// A `waypoint list` run that hits istioctl.timeout was blamed on istiod ("istiod may be slow or overloaded"), while
// istioctl's waypoint command lists the waypoints' Gateway objects from the Kubernetes API server: the hint must
// send the on-call engineer there.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { AMBIENT, ambientMesh, cluster, meshBot, standIn, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
let config: string;
before(async () => {
  kube = await cluster(ambientMesh());
  const list = (await readdir(`${AMBIENT}/waypoint/list`)).find((file) => file.endsWith('.txt'));
  assert.ok(list, 'a waypoint list output in the corpus');
  istioctl = await standIn('1.28.10', [{ when: ['waypoint', 'list'], stdoutFile: `${AMBIENT}/waypoint/list/${list}`, holdMs: 4000 }]);
  config = join(await mkdtemp(join(tmpdir(), 'breaker-wp-timeout-')), 'config.yaml');
  await writeFile(config, 'istioctl:\n  timeout: 1s\n');
});
after(() => kube.close());

it('wp list past the 1 s istioctl timeout: exit 1, points at the Kubernetes API server, does not blame istiod', async () => {
  const run = await meshBot(['wp', 'list', '-A'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path, MESH_BOT_CONFIG: config });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /1s|1 s/);
  assert.doesNotMatch(run.stderr, /istiod may be slow/);
  assert.match(run.stderr, /Kubernetes API server, not istiod/);
  assert.match(run.stderr, /kubectl get gateways\.gateway\.networking\.k8s\.io -A/);
});
