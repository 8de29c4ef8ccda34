// README Digests: "A section that could not be read keeps its previous facts, so one bad morning does not make
// every finding new the next day" — also when that bad morning is the first digest that sees ztunnels: there are
// no previous facts to keep, so the next digest must compare with nothing rather than with "none".

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { AMBIENT, ambientDigestRules, ambientMesh, digestWorld, type Rule } from '../breaker-ambient/support/harness.ts';

const workloads = readFileSync(`${AMBIENT}/ztunnel-config/workloads/v1.24+_workloadsummary.txt`, 'utf8');
const waypoints = readFileSync(`${AMBIENT}/waypoint/list/v1.27+_combined-gateway.txt`, 'utf8');
const failing: Rule[] = [
  { when: ['ztunnel-config', 'workload'], stderr: 'Error: failed to get config dump: connection refused\n', exit: 1 },
  { when: ['waypoint', 'list'], stderr: 'Error: the server is currently unable to handle the request\n', exit: 1 },
];

const world = digestWorld(ambientMesh({ istiodVersion: '1.30.3' }), [...failing, ...ambientDigestRules({ workloads, waypoints })]);

it('the first digest cannot read waypoints and capture; the next one calls nothing new and no count "last digest: 0"', async () => {
  const { istioctl, slack } = world();
  const { digestNow, settle } = slack;
  const first = await digestNow(1);
  assert.match(first, /waypoints: unavailable/);
  assert.match(first, /pods not captured: unavailable/);

  await istioctl.answer(ambientDigestRules({ workloads, waypoints }));
  await settle();
  const second = await digestNow(2);
  assert.match(second, /waypoints: 2 of 6 not programmed\n/);
  assert.doesNotMatch(second, /newly not programmed/);
  assert.doesNotMatch(second, /\(new\)/);
  assert.match(second, /pods in ambient namespaces not captured: 1\n/);
  assert.doesNotMatch(second, /last digest: 0\)/);
});
