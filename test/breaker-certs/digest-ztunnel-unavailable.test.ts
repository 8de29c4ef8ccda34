// A ztunnel that cannot get a certificate for one of its node's workload identities prints that identity as
// `Unavailable` (corpus ambient/ztunnel-config/certificates/v1.22+_secretsummary.txt: type, serial and dates `NA`).
// Its pods then have no mTLS identity. `zc certificates` flags the row; the digest listed "1 certificate not
// Available" in its Ambient section and still called the mesh Healthy, because only dated certificates reached the
// verdict. README Digests: the verdict is Needs attention for "anything below that … needs a look", and a sidecar's
// certificate that never arrived (WARMING) already needs attention.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_2056 } from '../breaker-analyze/support/sidecar.ts';
import { putRootCert } from '../mesh/digest/harness.ts';
import { ambientMesh, certificatesTable, digestWorld, hoursFromNow, proxyStatusJson, ZTUNNELS } from '../breaker-ambient/support/harness.ts';

const ROOT = { name: 'spiffe://cluster.local/ns/istio-system/sa/istiod', type: 'Root', status: 'Available', valid: 'true', serial: 'cc03', notAfter: hoursFromNow(24 * 3000), notBefore: hoursFromNow(-24 * 650) };
const LEAF = { name: 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews', type: 'Leaf', status: 'Available', valid: 'true', serial: 'aa01', notAfter: hoursFromNow(22), notBefore: hoursFromNow(-2) };
const NA = { type: 'NA', valid: 'false', serial: 'NA', notAfter: 'NA', notBefore: 'NA' };

const world = digestWorld(ambientMesh({ istiodVersion: '1.30.3' }), [
  { when: ['proxy-status'], stdout: proxyStatusJson('istiod-8c7b98fc4-mwjfp', '1.30.3', ZTUNNELS.map((z) => ({ id: `${z.pod}.istio-system`, version: '1.30.3', types: { WADS: 'SYNCED', WDS: 'SYNCED' } }))) },
  { when: ['analyze'], stdout: '[]\n' },
  { when: ['ztunnel-config', 'certificate'], stdout: certificatesTable([LEAF, ROOT, { name: 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-ratings', status: 'Unavailable', ...NA }]) },
  { when: ['ztunnel-config', 'workload'], stdout: 'NAMESPACE POD NAME ADDRESS NODE WAYPOINT PROTOCOL\n' },
  { when: ['waypoint', 'list'], stdout: 'No waypoints found.\n' },
]);

describe('digest: a ztunnel certificate Unavailable, everything else healthy', () => {
  it('is not Healthy: the verdict needs attention and names the certificates not Available', async () => {
    // A root CA valid until 2056, so nothing else in this mesh needs attention.
    putRootCert(world().kube.api, 'istio-system', ROOT_2056);
    const text = await world().slack.digestNow(1);
    assert.match(text, /not Available/);
    assert.doesNotMatch(text, /Healthy/, text);
    assert.match(text, /Needs attention/);
    assert.match(text.split('\n')[0] ?? '', /ztunnel certificates? not Available/, text);
  });
});
