// DEFECT (uncommitted, low): when the Kubernetes API refuses istioctl's `waypoint list` (RBAC), the answer tells the
// user to try again instead of naming the permission that is missing.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ambientMesh, cluster, meshBot, standIn, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster(ambientMesh());
  // client-go's Forbidden status message, as istioctl prints it on stderr (exit 1).
  const forbidden =
    'Error: gateways.gateway.networking.k8s.io is forbidden: User "system:serviceaccount:mesh-bot:mesh-bot" cannot list resource "gateways" in API group "gateway.networking.k8s.io" at the cluster scope\n';
  istioctl = await standIn('1.28.10', [{ when: ['waypoint', 'list'], stderr: forbidden, exit: 1 }]);
});
after(() => kube.close());

it('wp -A refused by RBAC: exit 1, one sentence that names the missing permission, not "try again"', async () => {
  const run = await meshBot(['wp', '-A'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /list.*gateways|gateways.*list/i);
  assert.match(run.stderr, /permission|RBAC|ClusterRole|may not|not allowed|forbidden/i);
  assert.doesNotMatch(run.stderr, /Try again/, 'retrying does not grant a permission');
});
