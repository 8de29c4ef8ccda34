// BD-16: the previous digest could not read analyze (istioctl timed out), so its baseline keeps no analyze findings.
// The next digest said "compared with the digest of …" in its header and "First digest: new and resolved findings are
// reported from the next digest on." in its Analyze section — it is not the first digest, and the two lines contradict.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { digestWorld, namespace, proxyStatusJson, type Rule } from '../breaker-ambient/support/harness.ts';
import { analyzeJson, ISTIOD, putIstiod, putRootCert } from '../mesh/digest/harness.ts';
import { ROOT_2056 } from './support/sidecar.ts';

const PROXY = { id: 'productpage-v1-d5789fdfb-7pq2k.bookinfo', version: '1.30.3', types: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } };

function rules(analyze: Omit<Rule, 'when'>): Rule[] {
  return [
    { when: ['proxy-status'], stdout: proxyStatusJson(ISTIOD, '1.30.3', [PROXY]) },
    { when: ['analyze'], ...analyze },
    { when: ['proxy-config', 'secret'], stderr: 'Error: not part of this test\n', exit: 1 },
  ];
}

// ERROR_STRINGS.md: an analysis timeout is an error containing `timed out` (stderr).
const world = digestWorld([namespace('istio-system'), namespace('bookinfo')], rules({ stderr: 'Error: failed to run analysis: timed out\n', exit: 1 }));

it('/mesh digest now after a digest without analyze says the findings are not compared, not "first digest"', async () => {
  const { kube, istioctl, slack } = world();
  putIstiod(kube.api, { restarts: 0, version: '1.30.3' });
  putRootCert(kube.api, 'istio-system', ROOT_2056);
  const first = await slack.digestNow(1);
  assert.match(first, /\*Analyze\*\nunavailable/);

  await istioctl.answer(rules({ stdout: analyzeJson([{ code: 'IST0101', level: 'Error', origin: 'VirtualService bookinfo/bookinfo', message: 'Referenced host not found: "productpage"' }]) }));
  await slack.settle();
  const second = await slack.digestNow(2);
  assert.match(second, /compared with the digest of/);
  assert.doesNotMatch(second, /First digest/);
  assert.match(second, /\*Analyze\*\n1 finding \(1 error, 0 warnings, 0 info\)\. Not compared/);
});
