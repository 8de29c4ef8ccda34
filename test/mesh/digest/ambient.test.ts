import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { renderDigestJson, renderDigestText } from '../../../commands/digest.render.ts';
import type { ClusterConfig } from '../../../src/config.ts';
import { gatherDigest, type DigestTarget } from '../../../src/mesh/digest/gather.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../../src/sandbox/kube-api.ts';
import { putAmbientMesh } from '../../support/ambient-cluster.ts';
import { digestDeps, putIstiod, putRootCert } from './harness.ts';

const CLUSTER: ClusterConfig = { name: 'default', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };
const TARGET: DigestTarget = { channel: 'C0OPS', cluster: CLUSTER, timezone: 'UTC' };

describe('digest: the ambient section', () => {
  let api: FakeKubeApi;
  beforeEach(async () => {
    api = await startFakeKubeApi();
    putIstiod(api, { restarts: 0 });
    putRootCert(api);
  });
  afterEach(() => api.close());

  it('ztunnels ready vs desired (one per node), the earliest ztunnel certificate, waypoints not programmed and pods not captured, each since the last digest', async () => {
    putAmbientMesh(api, 3);
    const june = new Date('2026-06-01T07:00:00Z');
    const first = await gatherDigest(await digestDeps(api, { version: '1.28.1' }, june), TARGET, june);
    const text = renderDigestText(first.digest);
    assert.match(text, /\nAmbient: ztunnels 3\/3 ready \(one per node\)\n/);
    assert.match(text, /\n {2}ztunnel certificates: earliest expiry 2033-03-22T13:04:57Z on ztunnel-n5bg2 \(spiffe:\/\/cluster\.local\/ns\/istio-system\/sa\/istiod\): healthy.* \(3 of 3 ztunnels read\)\n/);
    assert.match(text, /\n {2}• 9 certificates not Available \(Initializing or Unavailable\)\n/);
    assert.match(text, /\n {2}waypoints: 2 of 6 not programmed\n {2}• default\/bookinfo\n {2}• default\/waypoint\n/);
    assert.match(text, /\n {2}pods in ambient namespaces not captured: 1\n {2}• default\/httpbin-7447985f87-t8hv7\n/);
    assert.deepEqual(first.digest.verdict.reasons.filter((reason) => /waypoint|captured|ztunnel/.test(reason)), ['2 waypoints not programmed', '1 pod in ambient namespaces not captured']);
    await first.commit();

    // Two and a half years later one ztunnel is not ready, and the sampled certificate is past its rotation time.
    putAmbientMesh(api, 2);
    const later = new Date('2029-01-01T07:00:00Z');
    const second = await gatherDigest(await digestDeps(api, { version: '1.28.1' }, later), TARGET, later);
    const again = renderDigestText(second.digest);
    assert.match(again, /\nAmbient: ztunnels 2\/3 ready \(one per node\) \(last digest: 3\/3\)\n/);
    assert.match(again, /ztunnel certificates: earliest expiry 2033-03-22T13:04:57Z .*rotation overdue.* · not renewed since the last digest/);
    assert.match(again, /waypoints: 2 of 6 not programmed; since the last digest: 0 newly not programmed, 0 programmed again/);
    assert.match(again, /pods in ambient namespaces not captured: 1 \(last digest: 1\)/);
    assert.ok(second.digest.verdict.reasons.includes('ztunnels 2/3 ready'), second.digest.verdict.reasons.join('; '));
    assert.ok(second.digest.verdict.reasons.some((reason) => /^ztunnel certificate rotation overdue by /.test(reason)), second.digest.verdict.reasons.join('; '));
    const json = renderDigestJson(second.digest) as { ambient: { available: boolean; ztunnels: unknown; notCaptured: { pods: string[] }; previous: { ready: number } } };
    assert.deepEqual(json.ambient.ztunnels, { ready: 2, desired: 3 });
    assert.deepEqual(json.ambient.notCaptured.pods, ['default/httpbin-7447985f87-t8hv7']);
    assert.equal(json.ambient.previous.ready, 3);
  });

  it('a pod opted out with istio.io/dataplane-mode=none is listed apart and is no reason for attention', async () => {
    putAmbientMesh(api, 3);
    // The workloads golden's one TCP pod of an ambient namespace, kept out of the mesh on purpose.
    api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'httpbin-7447985f87-t8hv7', namespace: 'default', labels: { app: 'httpbin', 'istio.io/dataplane-mode': 'none' } }, spec: { nodeName: 'ambient-worker', containers: [{ name: 'httpbin', image: 'httpbin' }] }, status: { phase: 'Running' } });
    const now = new Date('2026-06-01T07:00:00Z');
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.28.1' }, now), TARGET, now);
    const text = renderDigestText(digest);
    assert.match(text, /\n {2}every pod in ambient namespaces is captured but those opted out below\n {2}pods opted out \(istio\.io\/dataplane-mode=none\), not a problem: 1\n {2}• default\/httpbin-7447985f87-t8hv7\n/);
    assert.doesNotMatch(text, /not captured: /);
    assert.deepEqual(digest.verdict.reasons.filter((reason) => /captured|opted/.test(reason)), []);
    const json = renderDigestJson(digest) as { ambient: { notCaptured: { count: number }; optedOut: { count: number; pods: string[] } } };
    assert.equal(json.ambient.notCaptured.count, 0);
    assert.deepEqual(json.ambient.optedOut.pods, ['default/httpbin-7447985f87-t8hv7']);
  });

  it('a digest scoped to namespaces counts only their waypoints and pods', async () => {
    putAmbientMesh(api, 3);
    const now = new Date('2026-06-01T07:00:00Z');
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.28.1' }, now), { ...TARGET, namespaces: ['bookinfo'] }, now);
    const text = renderDigestText(digest);
    assert.match(text, /waypoints: all 3 programmed/);
    assert.match(text, /every pod in ambient namespaces is captured/);
  });

  it('istioctl 1.21 has no ztunnel-config: the certificate and capture parts say so, the rest is read', async () => {
    putAmbientMesh(api, 3);
    const now = new Date('2026-06-01T07:00:00Z');
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.21.6' }, now), TARGET, now);
    const text = renderDigestText(digest);
    assert.match(text, /ztunnel certificates: unavailable: .*istioctl 1\.21\.6 has no `ztunnel-config` command/);
    assert.match(text, /waypoints: 2 of 5 not programmed/);
    assert.ok(digest.verdict.unavailable.includes('ztunnel certificates'));
  });

  it('a mesh without ztunnels has no ambient section at all', async () => {
    const now = new Date('2026-06-01T07:00:00Z');
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.28.1' }, now), TARGET, now);
    assert.equal(digest.ambient, null);
    assert.doesNotMatch(renderDigestText(digest), /Ambient/);
    assert.equal((renderDigestJson(digest) as { ambient: unknown }).ambient, null);
  });
});
