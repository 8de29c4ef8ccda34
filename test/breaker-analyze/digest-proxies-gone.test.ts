// BD-3: every sidecar disappears between two digests (injection webhook broken, workloads redeployed without
// sidecars): proxy-status lists nothing any more. README Digests: "A digest tells a channel what got worse in the mesh
// since the previous digest"; the proxies section gives "the previous digest's counts when they changed". From 3
// proxies to none is the worst proxy regression there is: the verdict must not call the mesh Healthy.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { digestWorld, namespace, proxyStatusJson, type Rule } from '../breaker-ambient/support/harness.ts';
import { ISTIOD, putIstiod, putRootCert } from '../mesh/digest/harness.ts';
import { ROOT_2056 } from './support/sidecar.ts';

const SIDECARS = ['details-v1-65cfcf56f9-4drsk.bookinfo', 'productpage-v1-d5789fdfb-7pq2k.bookinfo', 'ratings-v1-9bd8c8595-hvc5b.bookinfo'].map((id) => ({
  id,
  version: '1.30.3',
  types: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' },
}));

function rules(proxies: boolean): Rule[] {
  return [
    // 1.30+ `proxy-status -o json` with an empty DiscoveryResponse prints `{\n\n}\n` (corpus
    // proxy-status/empty-and-errors/v1.30+_output-json_no-proxies_stdout.txt).
    { when: ['proxy-status'], stdout: proxies ? proxyStatusJson(ISTIOD, '1.30.3', SIDECARS) : '{\n\n}\n' },
    { when: ['analyze'], stdout: '[]\n' },
    // Not what this test is about: the sample's certificates are not readable either way.
    { when: ['proxy-config', 'secret'], stderr: 'Error: not in the sample\n', exit: 1 },
  ];
}

const world = digestWorld([namespace('istio-system'), namespace('bookinfo', { 'istio-injection': 'enabled' })], rules(true));

it('/mesh digest now after every sidecar disappeared is not Healthy and says the proxies are gone', async () => {
  const { kube, istioctl, slack } = world();
  putIstiod(kube.api, { restarts: 0, version: '1.30.3' });
  putRootCert(kube.api, 'istio-system', ROOT_2056);
  const first = await slack.digestNow(1);
  assert.match(first, /3 total/);

  await istioctl.answer(rules(false));
  await slack.settle(); // past the 1 s istioctl cache
  const second = await slack.digestNow(2);
  assert.match(second, /compared with the digest of/);
  const headline = second.split('\n')[0] ?? '';
  assert.doesNotMatch(headline, /: healthy/, headline);
  assert.match(headline, /prox/i, 'the notification line names the proxies that went away');
});
