// BS-7. External/central istiod (`clusters[].xdsAddress`): istioctl dials that address (README "External or central
// istiod"), so when it cannot (ERROR_STRINGS.md: `could not dial: %w` / `ADSC: failed running %v`), the sentence
// must point at that address and say why, not at istiod pods in istio-system, which this cluster does not run.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, type Cluster } from '../breaker-ambient/support/harness.ts';
import { runStatus, sidecarNamespaces } from './support/sidecar.ts';

const CONFIG = 'clusters:\n  - name: remote\n    context: fake\n    default: true\n    xdsAddress: istiod.mesh.example.com:15012\n';
const NO_SUCH_HOST = 'Error: ADSC: failed running rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp: lookup istiod.mesh.example.com: no such host"\n';

let kube: Cluster;
before(async () => {
  kube = await cluster(sidecarNamespaces());
});
after(() => kube.close());

it('names the xDS address and istioctl\'s reason, never istiod pods in istio-system', async () => {
  const run = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stderr: NO_SUCH_HOST, exit: 1 }], ['status', '-o', 'json'], CONFIG);
  const first = run.stderr.split('\n')[0] ?? '';
  assert.match(first, /istiod\.mesh\.example\.com:15012/);
  assert.match(first, /no such host/);
  assert.doesNotMatch(first, /istio-system/);
  assert.ok(run.json?.errors[0]?.includes('istiod.mesh.example.com:15012'));
});
