import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { renderDigestJson, renderDigestText } from '../../../commands/digest.render.ts';
import type { CommandDeps } from '../../../src/command.ts';
import type { ClusterConfig } from '../../../src/config.ts';
import { ambientBaseline, readAmbient } from '../../../src/mesh/digest/ambient.ts';
import { baselineRecordName, readBaseline, writeBaseline } from '../../../src/mesh/digest/baseline.ts';
import { gatherDigest, type DigestTarget } from '../../../src/mesh/digest/gather.ts';
import { err, ok } from '../../../src/result.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../../src/sandbox/kube-api.ts';
import { putAmbientMesh } from '../../support/ambient-cluster.ts';
import { digestDeps, putIstiod, putRootCert } from './harness.ts';

const CERTIFICATES = readFileSync(new URL('../../fixtures/istioctl/ambient/ztunnel-config/certificates/v1.22+_secretsummary.txt', import.meta.url), 'utf8');
// The golden's Root ended on 2022-03-18; here a root valid until 2043, so the Leaf (to 2033) is the earliest.
const CERTIFICATES_VALID_ROOT = CERTIFICATES.replace('2022-03-18T13:04:49Z     2022-03-21T13:04:49Z', '2043-03-18T13:04:49Z     2023-03-18T13:04:49Z');

/** Every ztunnel answers `ztunnel-config certificates` with `stdout`; the rest as the fake istioctl does. */
function withZtunnelCertificates(deps: CommandDeps, stdout: string): CommandDeps {
  return {
    ...deps,
    istioctl: {
      ...deps.istioctl,
      ztunnelConfig: (cluster, request) => (request.type === 'certificates' ? Promise.resolve(ok({ value: { type: request.type, stdout }, asOf: deps.now() })) : deps.istioctl.ztunnelConfig(cluster, request)),
    },
  };
}

const CLUSTER: ClusterConfig = { name: 'default', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };
const TARGET: DigestTarget = { channel: 'C0OPS', cluster: CLUSTER, timezone: 'UTC' };

/** The ztunnel DaemonSet and its pods deleted (a failed upgrade, or ambient mode being removed). */
async function deleteZtunnels(api: FakeKubeApi): Promise<void> {
  for (const path of ['/apis/apps/v1/namespaces/istio-system/daemonsets/ztunnel', ...['ztunnel-n5bg2', 'ztunnel-xljhg', 'ztunnel-qk2pp'].map((name) => `/api/v1/namespaces/istio-system/pods/${name}`)]) {
    assert.ok((await fetch(`${api.url}${path}`, { method: 'DELETE' })).ok, path);
  }
}

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
    const first = await gatherDigest(withZtunnelCertificates(await digestDeps(api, { version: '1.28.1' }, june), CERTIFICATES_VALID_ROOT), TARGET, june);
    const text = renderDigestText(first.digest);
    assert.match(text, /\nAmbient: ztunnels 3\/3 ready \(one per node\)\n/);
    assert.match(text, /\n {2}ztunnel certificates: earliest expiry 2033-03-22 13:04 UTC on ztunnel-n5bg2 \(spiffe:\/\/cluster\.local\/ns\/istio-system\/sa\/istiod\): healthy.* \(3 of 3 ztunnels read\)\n/);
    // README: every time in the digest is shown in its zone, named (13:04:57Z is 14:04 in Berlin's winter time).
    assert.match(renderDigestText({ ...first.digest, timezone: 'Europe/Berlin' }), /ztunnel certificates: earliest expiry 2033-03-22 14:04 Europe\/Berlin on ztunnel-n5bg2 /);
    assert.match(text, /\n {2}• 9 certificates not Available \(Initializing or Unavailable\)\n/);
    assert.match(text, /\n {2}waypoints: 2 of 6 not programmed\n {2}• default\/bookinfo\n {2}• default\/waypoint\n/);
    assert.match(text, /\n {2}pods in ambient namespaces not captured: 1\n {2}• default\/httpbin-7447985f87-t8hv7\n/);
    // The fake istioctl's proxy list holds no ztunnel: the three ready ztunnels are not connected to istiod, as status says.
    assert.deepEqual(first.digest.verdict.reasons.filter((reason) => /waypoint|captured|ztunnel/.test(reason)), ['3 ready ztunnels not connected to istiod', '9 ztunnel certificates not Available', '2 waypoints not programmed', '1 pod in ambient namespaces not captured']);
    await first.commit();

    // Two and a half years later one ztunnel is not ready, and the sampled certificate is past its rotation time.
    putAmbientMesh(api, 2);
    const later = new Date('2029-01-01T07:00:00Z');
    const second = await gatherDigest(withZtunnelCertificates(await digestDeps(api, { version: '1.28.1' }, later), CERTIFICATES_VALID_ROOT), TARGET, later);
    const again = renderDigestText(second.digest);
    assert.match(again, /\nAmbient: ztunnels 2\/3 ready \(one per node\) \(last digest: 3\/3\)\n/);
    assert.match(again, /ztunnel certificates: earliest expiry 2033-03-22 13:04 UTC .*rotation overdue.* · not renewed since the last digest/);
    assert.match(again, /waypoints: 2 of 6 not programmed; since the last digest: 0 newly not programmed, 0 programmed again/);
    assert.match(again, /pods in ambient namespaces not captured: 1 \(last digest: 1\)/);
    assert.ok(second.digest.verdict.reasons.includes('ztunnels 2/3 ready'), second.digest.verdict.reasons.join('; '));
    assert.ok(second.digest.verdict.reasons.some((reason) => /^ztunnel certificate rotation overdue by /.test(reason)), second.digest.verdict.reasons.join('; '));
    const json = renderDigestJson(second.digest) as { ambient: { available: boolean; ztunnels: unknown; notCaptured: { pods: string[] }; previous: { ready: number } } };
    assert.deepEqual(json.ambient.ztunnels, { ready: 2, desired: 3 });
    assert.deepEqual(json.ambient.notCaptured.pods, ['default/httpbin-7447985f87-t8hv7']);
    assert.equal(json.ambient.previous.ready, 3);
  });

  it('a root ztunnel holds counts like its identity certificates: expired, it is the earliest expiry and the digest is critical', async () => {
    putAmbientMesh(api, 3);
    const june = new Date('2026-06-01T07:00:00Z');
    const { digest } = await gatherDigest(withZtunnelCertificates(await digestDeps(api, { version: '1.28.1' }, june), CERTIFICATES), TARGET, june);
    assert.match(renderDigestText(digest), /\n {2}ztunnel certificates: earliest expiry 2022-03-18 13:04 UTC on ztunnel-n5bg2 \(Root of spiffe:\/\/cluster\.local\/ns\/istio-system\/sa\/istiod\): CRITICAL, expired 1535/);
    assert.equal(digest.verdict.level, 'critical');
    assert.ok(digest.verdict.reasons.includes('ztunnel CA certificate expired 1535 days ago'), digest.verdict.reasons.join('; '));
    const json = renderDigestJson(digest) as { ambient: { certificates: { earliest: { type: string; notAfter: string }; worst: { type: string } } } };
    assert.deepEqual([json.ambient.certificates.earliest.type, json.ambient.certificates.earliest.notAfter, json.ambient.certificates.worst.type], ['Root', '2022-03-18T13:04:49Z', 'Root']);
  });

  it('after a baseline that stored the count of pods not captured only: compared by count, no pod called new, names (and the waypoint count) kept from now on', async () => {
    putAmbientMesh(api, 3);
    const june = new Date('2026-06-02T07:00:00Z');
    const deps = await digestDeps(api, { version: '1.28.1' }, june);
    const store = deps.state();
    assert.ok(store.ok);
    const at = '2026-06-01T07:00:00.000Z';
    const old = { at, ready: 3, desired: 3, notProgrammed: ['default/bookinfo', 'default/waypoint'], notCaptured: 1, earliestNotAfter: '2033-03-22T13:04:57Z' };
    assert.ok((await writeBaseline(store.value, baselineRecordName('default', 'C0OPS', undefined), { version: 1, at, controlPlane: null, proxies: null, analyze: null, rootCa: null, ambient: old })).ok);

    const gathered = await gatherDigest(deps, TARGET, june);
    const text = renderDigestText(gathered.digest);
    assert.match(text, /\n {2}pods in ambient namespaces not captured: 1 \(last digest: 1\)\n {2}• default\/httpbin-7447985f87-t8hv7\n/);
    // Waypoint names were always stored, all of them: compared as before.
    assert.match(text, /\n {2}waypoints: 2 of 6 not programmed; since the last digest: 0 newly not programmed, 0 programmed again\n/);
    await gathered.commit();
    const stored = await readBaseline(store.value, baselineRecordName('default', 'C0OPS', undefined));
    assert.ok(stored.ok);
    assert.deepEqual(stored.value?.ambient?.notCapturedPods, ['default/httpbin-7447985f87-t8hv7']);
    assert.deepEqual([stored.value?.ambient?.notProgrammed, stored.value?.ambient?.notProgrammedCount], [['default/bookinfo', 'default/waypoint'], 2]);
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

  it('a pod with a sidecar in an ambient namespace is in the mesh through it, not "not captured" (as zc workloads says)', async () => {
    putAmbientMesh(api, 3);
    // The workloads golden's one TCP pod of an ambient namespace, injected with a sidecar (Istio's CNI leaves it alone).
    api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'httpbin-7447985f87-t8hv7', namespace: 'default', labels: { app: 'httpbin', 'security.istio.io/tlsMode': 'istio' }, annotations: { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' } },
      spec: { nodeName: 'ambient-worker', containers: [{ name: 'httpbin', image: 'httpbin' }, { name: 'istio-proxy', image: 'proxyv2' }] },
      status: { phase: 'Running' },
    });
    const now = new Date('2026-06-01T07:00:00Z');
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.28.1' }, now), TARGET, now);
    assert.match(renderDigestText(digest), /\n {2}every pod in ambient namespaces is captured\n/);
    assert.deepEqual(digest.verdict.reasons.filter((reason) => /captured/.test(reason)), []);
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

  it('every ztunnel gone: said once as news, then while namespaces are still labelled ambient, then forgotten', async () => {
    putAmbientMesh(api, 3);
    const at = (day: number) => new Date(`2026-06-0${day}T07:00:00Z`);
    const digestOn = async (day: number) => {
      const gathered = await gatherDigest(await digestDeps(api, { version: '1.28.1' }, at(day)), TARGET, at(day));
      await gathered.commit();
      return gathered.digest;
    };
    await digestOn(1);
    await deleteZtunnels(api);

    const gone = await digestOn(2);
    assert.match(renderDigestText(gone), /\nAmbient: ztunnels: none \(last digest: 3\/3 ready\)\n {2}namespaces labelled istio\.io\/dataplane-mode=ambient: 2; .*\n {2}• bookinfo\n {2}• default\n/);
    assert.equal(gone.verdict.level, 'critical');
    assert.ok(gone.verdict.reasons.includes('no ztunnel runs any more (last digest: 3/3 ready)'), gone.verdict.reasons.join('; '));
    const json = renderDigestJson(gone) as { ambient: { ztunnels: unknown; lastSeen: { ready: number } } };
    assert.deepEqual([json.ambient.ztunnels, json.ambient.lastSeen.ready], [{ ready: 0, desired: 0 }, 3]);

    // The day after: still none, and pods in default and bookinfo still expect one.
    const still = await digestOn(3);
    assert.match(renderDigestText(still), /\nAmbient: ztunnels: none, as at the last digest \(last seen 3\/3 ready on Mon 1 Jun 2026, 07:00 UTC\)\n/);
    assert.ok(still.verdict.reasons.includes('no ztunnel runs though 2 namespaces are labelled ambient'), still.verdict.reasons.join('; '));

    // Ambient mode removed on purpose (labels gone too): nothing more to say, and the baseline forgets it.
    for (const name of ['default', 'bookinfo']) api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const removed = await digestOn(4);
    assert.equal(removed.ambient, null);
    assert.doesNotMatch(renderDigestText(removed), /Ambient|ztunnel/);
    const fifth = await gatherDigest(await digestDeps(api, { version: '1.28.1' }, at(5)), TARGET, at(5));
    assert.equal(fifth.digest.ambient, null);

    // ztunnels back: compared with "none", not with the 3/3 of long ago.
    putAmbientMesh(api, 3);
    const back = await gatherDigest(await digestDeps(api, { version: '1.28.1' }, at(6)), TARGET, at(6));
    assert.match(renderDigestText(back.digest), /\nAmbient: ztunnels 3\/3 ready \(one per node\)\n/);
  });

  it('ztunnels back after a digest that saw none: compared with none', async () => {
    putAmbientMesh(api, 3);
    const at = (day: number) => new Date(`2026-06-0${day}T07:00:00Z`);
    await (await gatherDigest(await digestDeps(api, { version: '1.28.1' }, at(1)), TARGET, at(1))).commit();
    await deleteZtunnels(api);
    await (await gatherDigest(await digestDeps(api, { version: '1.28.1' }, at(2)), TARGET, at(2))).commit();
    putAmbientMesh(api, 2);
    const back = await gatherDigest(await digestDeps(api, { version: '1.28.1' }, at(3)), TARGET, at(3));
    assert.match(renderDigestText(back.digest), /\nAmbient: ztunnels 2\/3 ready \(one per node\) \(last digest: none\)\n/);
  });

  it('without a Kubernetes client the section is unavailable when the last digest saw ztunnels, and that baseline is kept', async () => {
    const now = new Date('2026-06-01T07:00:00Z');
    const deps: CommandDeps = { ...(await digestDeps(api, { version: '1.28.1' }, now)), kubeFor: () => err({ message: 'context prod not found in the kubeconfig' }) };
    const previous = { at: '2026-05-31T07:00:00.000Z', ready: 3, desired: 3, notProgrammed: [], notCaptured: 0, earliestNotAfter: null };
    const section = await readAmbient(deps, CLUSTER, undefined, now, previous);
    assert.deepEqual(section, { ok: false, error: 'context prod not found in the kubeconfig' });
    assert.equal(ambientBaseline(section, now.toISOString(), previous), previous);
    assert.equal(await readAmbient(deps, CLUSTER, undefined, now, null), null);
  });

  it('a mesh without ztunnels has no ambient section at all', async () => {
    const now = new Date('2026-06-01T07:00:00Z');
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.28.1' }, now), TARGET, now);
    assert.equal(digest.ambient, null);
    assert.doesNotMatch(renderDigestText(digest), /Ambient/);
    assert.equal((renderDigestJson(digest) as { ambient: unknown }).ambient, null);
  });
});
