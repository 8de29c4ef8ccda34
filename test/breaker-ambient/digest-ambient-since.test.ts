// The digest's Ambient section "since the last digest" (issue #12 item 6), through Slack: between two
// `/mesh digest now` one ztunnel stops being ready, a second waypoint stops being programmed and a second pod in
// an ambient namespace falls out of ztunnel's capture.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { AMBIENT, ambientDigestRules, ambientMesh, daemonSet, digestWorld } from './support/harness.ts';

const workloads = readFileSync(`${AMBIENT}/ztunnel-config/workloads/v1.24+_workloadsummary.txt`, 'utf8');
// The same table with default/sleep (an application pod in the ambient namespace default) no longer captured.
const workloadsLater = workloads.replace(/^(default +sleep-7656cf8794-lxcmx +.*)HBONE$/m, '$1TCP');
const waypoints = readFileSync(`${AMBIENT}/waypoint/list/v1.27+_combined-gateway.txt`, 'utf8');
const waypointsLater = waypoints.replace(/^(bookinfo +bookinfo-valid +.*)True$/m, '$1False');

const rules = (later: boolean) => ambientDigestRules({ workloads: later ? workloadsLater : workloads, waypoints: later ? waypointsLater : waypoints });

const world = digestWorld(ambientMesh({ istiodVersion: '1.30.3' }), rules(false));


it('second digest: ztunnels 2/3 (last digest: 3/3), the newly unprogrammed waypoint marked new, pods not captured 2 (last digest: 1)', async () => {
  const { kube, istioctl, slack } = world();
  const { digestNow, settle } = slack;
  assert.notEqual(workloadsLater, workloads);
  assert.notEqual(waypointsLater, waypoints);
  const first = await digestNow(1);
  assert.match(first, /ztunnels 3\/3 ready/);
  assert.match(first, /waypoints: 2 of 6 not programmed/);
  assert.match(first, /pods in ambient namespaces not captured: 1\n/);

  kube.api.put(daemonSet('ztunnel', { app: 'ztunnel' }, 3, 2));
  await istioctl.answer(rules(true));
  await settle(); // past the 1 s istioctl cache

  const second = await digestNow(2);
  assert.match(second, /ztunnels 2\/3 ready \(one per node\) \(last digest: 3\/3\)/);
  assert.match(second, /waypoints: 3 of 6 not programmed; since the last digest: 1 newly not programmed, 0 programmed again/);
  assert.match(second, /• bookinfo\/bookinfo-valid \(new\)/);
  assert.match(second, /pods in ambient namespaces not captured: 2 \(last digest: 1\)/);
  assert.match(second, /• default\/sleep-7656cf8794-lxcmx/);
});
