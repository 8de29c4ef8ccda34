// BS-2. An istioctl built without release version stamps (`go install istio.io/istio/istioctl/cmd/istioctl@…` prints
// client version "unknown": pkg/version's buildVersion default) gets mesh-bot's newest form, `proxy-status --output
// json`; a 1.27-1.29 istioctl accepts and ignores --output and prints its default SUBSCRIBED TYPES table (corpus INDEX,
// ERROR_STRINGS.md "1.27-1.29 accept -o but IGNORE it"), which shows no per-type sync state at all. Nothing in that
// answer says whether a proxy is STALE, so the verdict cannot be Healthy and the headline cannot say "in sync".

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startBot } from '../support/bot.ts';
import { blockText } from '../support/blocks.ts';
import { cluster, CORPUS, namespace, standIn, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from './support/sidecar.ts';

// proxy1.?, proxy2.? connected to istiod1, "5 (CDS,LDS,EDS,RDS,ECDS)" each: subscribed, states not printed.
const TABLE = `${CORPUS}/proxy-status/v1.27-1.29/multiXdsStatusSinglePilot.txt`;

let kube: Cluster;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), namespace('mesh-bot'), istiod('istiod1', '1.28.1')]);
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

it('Slack: the notification text and the card say Unknown, never healthy or "all in sync" (DESIGN §6: the essential in one line)', async () => {
  const istioctl = await standIn('unknown', [{ when: ['proxy-status'], stdoutFile: TABLE }]);
  const bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
  try {
    await bot.slash('status');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /^default: unknown — 2 proxies, sync state not shown by this istioctl — istiod 1\/1 ready/);
    assert.doesNotMatch(`${answer.text}\n${blockText(answer.blocks)}`, /healthy|in sync/i);
  } finally {
    await bot.close();
  }
});
