// BS-2. An istioctl built without release version stamps (`go install istio.io/istio/istioctl/cmd/istioctl@…` prints
// client version "unknown": pkg/version's buildVersion default) gets mesh-bot's newest form, `proxy-status --output
// json`; a 1.27-1.29 istioctl accepts and ignores --output and prints its default SUBSCRIBED TYPES table (corpus INDEX,
// ERROR_STRINGS.md "1.27-1.29 accept -o but IGNORE it"), which shows no per-type sync state at all. Nothing in that
// answer says whether a proxy is STALE, so the verdict cannot be Healthy and the headline cannot say "in sync".

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, CORPUS, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from './support/sidecar.ts';

// proxy1.?, proxy2.? connected to istiod1, "5 (CDS,LDS,EDS,RDS,ECDS)" each: subscribed, states not printed.
const TABLE = `${CORPUS}/proxy-status/v1.27-1.29/multiXdsStatusSinglePilot.txt`;

let kube: Cluster;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), istiod('istiod1', '1.28.1')]);
});
after(() => kube.close());

it('JSON: two proxies whose sync state istioctl did not print are no "healthy" verdict, and the run exits 1', async () => {
  const run = await runStatus(kube, 'unknown', [{ when: ['proxy-status'], stdoutFile: TABLE }], ['status', '-o', 'json']);
  assert.ok(run.json, run.stderr);
  assert.equal(run.json.proxies?.total, 2);
  assert.equal(run.json.proxies?.statesKnown, false);
  assert.notEqual(run.json.verdict, 'healthy');
  assert.equal(run.json.verdict, 'unknown');
  // docs/CONTRACT.md §1: exit 1 when too little could be read for a verdict.
  assert.equal(run.code, 1);
});

it('text: the answer says the sync state is unknown, never Healthy', async () => {
  const run = await runStatus(kube, 'unknown', [{ when: ['proxy-status'], stdoutFile: TABLE }], ['status']);
  assert.match(run.stdout, /^Mesh status: default — Unknown/);
  assert.doesNotMatch(run.stdout, /Healthy|in sync/);
  assert.match(run.stdout, /2 connected \(this istioctl shows no per-type sync states\)/);
});
