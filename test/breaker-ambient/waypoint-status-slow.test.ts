// istioctl's `waypoint status` reads the waypoints one second apart (printWaypointStatus waits on a 1 s ticker
// before each Gateway, even with --wait=false; 8.1 s for 8 waypoints on the cluster tier's real istioctl), so a mesh
// with more waypoints than istioctl.timeout has seconds never got an answer: `/mesh wp status -A` failed, blaming
// the API server. The list read beside it has the same Programmed condition.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { AMBIENT, cluster, meshBot, namespace, service, standIn, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
const configFile = join(mkdtempSync(join(tmpdir(), 'mesh-bot-wp-slow-')), 'config.yaml');
before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('default', { 'istio.io/dataplane-mode': 'ambient' }), service('default', 'ratings', { 'istio.io/use-waypoint': 'waypoint' })]);
  istioctl = await standIn('1.29.6', [
    { when: ['waypoint', 'status'], holdMs: 10_000, stdout: '' },
    { when: ['waypoint', 'list', '--all-namespaces'], stdoutFile: `${AMBIENT}/waypoint/list/v1.27+_combined-gateway.txt` },
  ]);
  writeFileSync(configFile, 'istioctl:\n  timeout: 2s\n');
});
after(() => kube.close());

it('wp status -A past istioctl.timeout answers from waypoint list, saying why, instead of failing', async () => {
  const run = await meshBot(['wp', 'status', '-A', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path, POD_NAMESPACE: 'mesh-bot', MESH_BOT_CONFIG: configFile });
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { ran: string; note: string; errors: string[]; waypoints: { namespace: string; name: string; programmed: boolean }[] };
  assert.equal(json.ran, 'list');
  assert.match(json.note, /^istioctl waypoint status did not finish within istioctl\.timeout: it reads the waypoints one second apart, 6 waypoints here, so this is `waypoint list`/);
  assert.deepEqual(json.errors, []);
  assert.deepEqual(json.waypoints.filter((w) => !w.programmed).map((w) => `${w.namespace}/${w.name}`), ['default/bookinfo', 'default/waypoint']);
});
