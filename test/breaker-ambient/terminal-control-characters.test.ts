// DEFECT (uncommitted, low): free text from the cluster (a waypoint's Programmed condition message, which users
// and controllers write) reaches the terminal with its control characters: an escape sequence can clear the
// screen, retitle the window or hide lines (the kubectl class of problem, CVE-2021-25743).

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, meshBot, namespace, standIn, tabwrite, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('shop')]);
  const message = 'Failed to assign address \u001b[2J\u001b]0;owned\u0007 for waypoint.shop.svc';
  istioctl = await standIn('1.29.6', [{ when: ['waypoint', 'status'], stdout: tabwrite([['NAME', 'STATUS', 'TYPE', 'REASON', 'MESSAGE'], ['waypoint', 'False', 'Programmed', 'AddressNotAssigned', message]], 5) }]);
});
after(() => kube.close());

it('wp status text: the not programmed waypoint and its message are shown without raw control characters', async () => {
  const run = await meshBot(['wp', 'status', '-n', 'shop'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /shop\/waypoint .*AddressNotAssigned: Failed to assign address/);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(run.stdout, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'a control character from the cluster reached the terminal');
});
