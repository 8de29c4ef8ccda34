// DEFECT (uncommitted, low): `wp List` is refused while `Wp`, `zc WORKLOADS` and `Status` are accepted: the
// waypoint action alone is case-sensitive (phones capitalize words typed after `/mesh wp`).

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { AMBIENT, cluster, meshBot, namespace, standIn, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('default')]);
  istioctl = await standIn('1.28.10', [{ when: ['waypoint', 'list'], stdoutFile: `${AMBIENT}/waypoint/list/v1.27+_all-gateway.txt` }]);
});
after(() => kube.close());

it('wp List -A answers like wp list -A (the TYPE of zc is case-insensitive too)', async () => {
  const lower = await meshBot(['wp', 'list', '-A'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(lower.code, 0, lower.stderr);
  const capital = await meshBot(['wp', 'List', '-A'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(capital.code, 0, capital.stderr);
  assert.match(capital.stdout, /2 waypoints, all programmed/);
});
