// BS-13. `--cluster` picks a cluster where the Istio namespace mesh-bot uses (istio-system unless
// `clusters[].istioNamespace` says otherwise, CONTRACT §4) does not exist: Istio runs elsewhere (e.g. istio-control)
// or not at all. istioctl says `no running Istio pods in "istio-system"` (ERROR_STRINGS.md, exit 1). "Check `kubectl
// -n istio-system get pods`" sends the on-call to an empty namespace; the sentence must say that namespace does not
// exist and what to set.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, namespace, pod, type Cluster } from '../breaker-ambient/support/harness.ts';
import { runStatus } from './support/sidecar.ts';

const NO_ISTIOD = { when: ['proxy-status'], stderr: 'Error: no running Istio pods in "istio-system"\n', exit: 1 };

let kube: Cluster;
before(async () => {
  // Istio installed in istio-control; no namespace istio-system.
  kube = await cluster([namespace('istio-control'), namespace('default'), pod('istiod-7d4f9c8b6d-k2x9q', 'istio-control', 'node-1', { app: 'istiod', 'app.kubernetes.io/version': '1.24.6' }, { container: 'discovery' })]);
});
after(() => kube.close());

it('says istio-system does not exist in this cluster and names clusters[].istioNamespace', async () => {
  const run = await runStatus(kube, '1.24.6', [NO_ISTIOD], ['status', '-o', 'json']);
  const first = run.stderr.split('\n')[0] ?? '';
  assert.match(first, /istio-system/);
  assert.match(first, /does not exist/);
  assert.match(first, /istioNamespace/);
  assert.ok(run.json?.errors.some((error) => /istioNamespace/.test(error)));
});
