// Found by the breakers (BA-13): "pods in ambient namespaces not captured" since the last digest compared counts
// only. When the pod that was not captured is fixed and another one falls out of capture, the digest said
// "1 (last digest: 1)" and did not mark the new one, unlike waypoints ("(new)").

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { AMBIENT, ambientDigestRules, ambientMesh, digestWorld } from './support/harness.ts';

const workloads = readFileSync(`${AMBIENT}/ztunnel-config/workloads/v1.24+_workloadsummary.txt`, 'utf8');
// Later: default/httpbin captured again, default/sleep no longer captured.
const workloadsLater = workloads.replace(/^(default +sleep-7656cf8794-lxcmx +.*)HBONE$/m, '$1TCP').replace(/^(default +httpbin-7447985f87-t8hv7 +.*)TCP$/m, '$1HBONE');
const waypoints = readFileSync(`${AMBIENT}/waypoint/list/v1.27+_combined-gateway.txt`, 'utf8');
const waypointsLater = waypoints;

const rules = (later: boolean) => ambientDigestRules({ workloads: later ? workloadsLater : workloads, waypoints: later ? waypointsLater : waypoints });

const world = digestWorld(ambientMesh({ istiodVersion: '1.30.3' }), rules(false));


it('second digest: the pod newly not captured is marked new, the one captured again is said', async () => {
  const { istioctl, slack } = world();
  const { digestNow, settle } = slack;
  assert.notEqual(workloadsLater, workloads);
  const first = await digestNow(1);
  assert.match(first, /pods in ambient namespaces not captured: 1\n• default\/httpbin-7447985f87-t8hv7/);

  await istioctl.answer(rules(true));
  await settle(); // past the 1 s istioctl cache

  const second = await digestNow(2);
  assert.match(second, /• default\/sleep-7656cf8794-lxcmx/);
  assert.match(second, /sleep-7656cf8794-lxcmx \(new\)|1 newly not captured/, 'the digest does not say that sleep is newly not captured');
  assert.match(second, /captured again: default\/httpbin-7447985f87-t8hv7/, 'the digest does not say that httpbin is captured again');
});
