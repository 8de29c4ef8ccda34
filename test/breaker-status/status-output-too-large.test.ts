// BS-5. `status -n NS` reads the mesh-wide proxy-status and filters locally (README "How it behaves during an
// incident"), so when istioctl prints more than `istioctl.maxOutput` the answer cannot tell the user to narrow the
// command with `-n NAMESPACE` (they did): what helps is raising `istioctl.maxOutput`.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, proxyStatus122, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from './support/sidecar.ts';

const SYNCED = ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT'] as const;
// 40 proxies, one in shop: about 5 KiB of 1.22-1.26 table, more than the smallest maxOutput (1024) allows below.
const TABLE = proxyStatus122(Array.from({ length: 40 }, (_, index) => ({ name: `app-${index}-5d8f7c9b6d-x2x2x.${index === 0 ? 'shop' : 'default'}`, states: SYNCED, istiod: 'istiod-7d4f9-abcde', version: '1.24.6' })));

let kube: Cluster;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), istiod('istiod-7d4f9-abcde', '1.24.6')]);
});
after(() => kube.close());

it('status -n shop over the output cap names istioctl.maxOutput, not -n', async () => {
  const run = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: TABLE }], ['status', '-n', 'shop'], 'istioctl:\n  maxOutput: 2048\n');
  assert.equal(run.code, 1);
  assert.doesNotMatch(run.stderr, /-n NAMESPACE/);
  assert.match(run.stderr, /istioctl\.maxOutput/);
});
