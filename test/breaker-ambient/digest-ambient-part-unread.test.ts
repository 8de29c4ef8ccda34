// README Digests: "A section that could not be read keeps its previous facts, so one bad morning does not make
// every finding new the next day" — for the Ambient parts: a digest whose ztunnel workloads and waypoints could not
// be read is followed by one that still compares with the last digest that read them.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { AMBIENT, ambientDigestRules, ambientMesh, digestWorld, type Rule } from './support/harness.ts';

const workloads = readFileSync(`${AMBIENT}/ztunnel-config/workloads/v1.24+_workloadsummary.txt`, 'utf8');
const waypoints = readFileSync(`${AMBIENT}/waypoint/list/v1.27+_combined-gateway.txt`, 'utf8');
const failing: Rule[] = [
  { when: ['ztunnel-config', 'workload'], stderr: 'Error: failed to get config dump: connection refused\n', exit: 1 },
  { when: ['waypoint', 'list'], stderr: 'Error: the server is currently unable to handle the request\n', exit: 1 },
];

const world = digestWorld(ambientMesh({ istiodVersion: '1.30.3' }), ambientDigestRules({ workloads, waypoints }));


it('digest 2 cannot read the ambient parts; digest 3 compares with digest 1', async () => {
  const { istioctl, slack } = world();
  const { digestNow, settle } = slack;
  const first = await digestNow(1);
  assert.match(first, /waypoints: 2 of 6 not programmed\n/);
  assert.match(first, /pods in ambient namespaces not captured: 1\n/);

  await istioctl.answer([...failing, ...ambientDigestRules({ workloads, waypoints })]);
  await settle();
  const second = await digestNow(2);
  assert.match(second, /waypoints: unavailable/);
  assert.match(second, /pods not captured: unavailable/);

  await istioctl.answer(ambientDigestRules({ workloads, waypoints }));
  await settle();
  const third = await digestNow(3);
  assert.match(third, /waypoints: 2 of 6 not programmed; since the last digest: 0 newly not programmed, 0 programmed again/);
  assert.doesNotMatch(third, /\(new\)/);
  assert.match(third, /pods in ambient namespaces not captured: 1 \(last digest: 1\)/);
});
