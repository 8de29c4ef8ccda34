// Found by the breakers (BA-8): when every ztunnel disappears between two digests (the ztunnel DaemonSet deleted,
// e.g. by a failed upgrade), the next digest dropped its Ambient section and said nothing: the worst ambient
// regression there is went unreported "since the last digest".

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AMBIENT, ambientMesh, digestWorld, pod, proxyStatusJson, type Rule, ZTUNNELS } from './support/harness.ts';

const SIDECAR = { id: 'legacy-app-6f8cfb8c8f-q9vq2.legacy', version: '1.30.3', types: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } };
const ZTUNNEL_ROWS = ZTUNNELS.map((z) => ({ id: `${z.pod}.istio-system`, version: '1.30.3', types: { WADS: 'SYNCED', WDS: 'SYNCED' } }));

function rules(withZtunnels: boolean): Rule[] {
  return [
    { when: ['proxy-status'], stdout: proxyStatusJson('istiod-8c7b98fc4-mwjfp', '1.30.3', withZtunnels ? [SIDECAR, ...ZTUNNEL_ROWS] : [SIDECAR]) },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['proxy-config', 'secret'], stderr: 'Error: not in the sample\n', exit: 1 },
    { when: ['ztunnel-config', 'certificate'], stdoutFile: `${AMBIENT}/ztunnel-config/certificates/v1.22+_secretsummary.txt` },
    { when: ['ztunnel-config', 'workload'], stdoutFile: `${AMBIENT}/ztunnel-config/workloads/v1.24+_workloadsummary.txt` },
    { when: ['waypoint', 'list'], stdout: 'No waypoints found.\n' },
  ];
}

const world = digestWorld([...ambientMesh(), pod('legacy-app-6f8cfb8c8f-q9vq2', 'legacy', 'ambient-worker', { app: 'legacy' })], rules(true));


it('/mesh digest now after the ztunnel DaemonSet was deleted says the ztunnels are gone, in the verdict too', async () => {
  const { kube, istioctl, slack } = world();
  const { digestNow, settle } = slack;
  const first = await digestNow(1);
  assert.match(first, /ztunnels 3\/3 ready/);

  for (const path of ['/apis/apps/v1/namespaces/istio-system/daemonsets/ztunnel', ...ZTUNNELS.map((z) => `/api/v1/namespaces/istio-system/pods/${z.pod}`)]) {
    const response = await fetch(`${kube.api.url}${path}`, { method: 'DELETE' });
    assert.ok(response.ok, `DELETE ${path}: ${response.status}`);
  }
  await istioctl.answer(rules(false));
  await settle(); // past the 1 s istioctl cache

  const second = await digestNow(2);
  assert.match(second, /compared with the digest of/);
  assert.match(second, /ztunnel/i, 'the second digest mentions the ztunnels that were there at the last digest');
  // The notification line carries the verdict's reasons: losing every ztunnel is one of them.
  assert.match(second.split('\n')[0] ?? '', /ztunnel/i);
});
