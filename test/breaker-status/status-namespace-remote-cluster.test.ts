// BS-10. Multi-cluster (DESIGN: "usually with several clusters"): with a primary-remote control plane the primary's
// istiod serves the remote cluster's proxies too, so proxy-status lists them (CLUSTER = the remote's cluster id), in
// namespaces the primary's own API may not have. README: `-n` must never turn a typo into "healthy — 0 proxies";
// a namespace whose proxies istioctl lists is no typo, and `status -n` of it must show them, not "does not exist".

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, tabwrite, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from './support/sidecar.ts';

// 1.22-1.26 xDS table (corpus multiXdsStatusMultiPilot.txt shape: CLUSTER column with several cluster ids, padding 5).
const TABLE = tabwrite(
  [
    ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'],
    ['productpage-v1-7d9f8c6b5-x2k4m.default', 'cluster1', 'SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT', 'istiod-7d4f9c8b6d-k2x9q', '1.24.6'],
    ['payments-v1-5b9c8d7f6-h7j3n.payments', 'cluster2', 'STALE', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT', 'istiod-7d4f9c8b6d-k2x9q', '1.24.6'],
  ],
  5,
);
const RULES = [{ when: ['proxy-status'], stdout: TABLE }];

let kube: Cluster;
before(async () => {
  // The primary cluster's API: no namespace payments (it exists only in the remote cluster).
  kube = await cluster([...sidecarNamespaces(), istiod('istiod-7d4f9c8b6d-k2x9q', '1.24.6')]);
});
after(() => kube.close());

it('status -n payments shows the STALE payments proxy of the remote cluster instead of "does not exist"', async () => {
  const run = await runStatus(kube, '1.24.6', RULES, ['status', '-n', 'payments', '-o', 'json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.json?.verdict, 'degraded');
  assert.deepEqual(run.json?.proxies?.problems.map((problem) => [problem.name, problem.cluster]), [['payments-v1-5b9c8d7f6-h7j3n.payments', 'cluster2']]);
});

it('a namespace no API and no proxy knows is still refused (exit 1)', async () => {
  const run = await runStatus(kube, '1.24.6', RULES, ['status', '-n', 'paymnets']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Namespace paymnets does not exist/);
});
