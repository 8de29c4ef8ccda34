// BS-11. istioctl reaches istiod through a port-forward to each istiod pod (multixds), so a port-forward failure of
// `proxy-status` (ERROR_STRINGS.md: `failure running port forward process: %v`, `unexpected status code: 404`) is
// about istiod in the Istio namespace. The sentence must say which pods and namespace, not "the pod … that
// namespace" (status names neither), and keep istioctl's reason.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from './support/sidecar.ts';

const PORT_FORWARD = 'Error: failure running port forward process: error upgrading connection: unable to upgrade connection: container not found ("discovery")\n';

let kube: Cluster;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), istiod('istiod-7d4f9c8b6d-k2x9q', '1.24.6')]);
});
after(() => kube.close());

it('names istiod and the Istio namespace, with istioctl\'s reason', async () => {
  const run = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stderr: PORT_FORWARD, exit: 1 }], ['status']);
  const first = run.stderr.split('\n')[0] ?? '';
  assert.match(first, /istiod/);
  assert.match(first, /istio-system/);
  assert.match(first, /container not found/);
  assert.doesNotMatch(first, /that namespace|the pod is running/);
});
