import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ClusterConfig } from '../../../src/config.ts';
import { renderDigestText } from '../../../commands/digest.render.ts';
import { gatherDigest, type DigestTarget } from '../../../src/mesh/digest/gather.ts';
import { seedReviews } from '../../support/bookinfo.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../../src/sandbox/kube-api.ts';
import { selfSignedRootPem } from '../../../src/sandbox/root-ca.ts';
import { analyzeJson, BOT_NAMESPACE, digestDeps, ISTIOD, putIstiod, putPromotion, putRootCert } from './harness.ts';

const CLUSTER: ClusterConfig = { name: 'default', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };
const TARGET: DigestTarget = { channel: 'C0OPS', cluster: CLUSTER, timezone: 'Europe/Berlin', schedule: '0 9 * * 1-5' };
/**
 * The corpus secret tables (what the fake istioctl prints for every proxy): a 24-hour `default` workload chain,
 * 2023-05-15T01:30:52Z → 2023-05-16T01:32:52Z, which Istio rotates half-way (2023-05-15T13:31:52Z), and a
 * 10-year ROOTCA, 2023-05-05T03:41:33Z → 2033-05-02T03:41:33Z.
 */
const WORKLOAD_ISSUED = Date.parse('2023-05-15T01:30:52Z');
const HOUR = 3_600_000;
/** The corpus ROOTCA, published in istio-ca-root-cert as the proxies report it. */
const CORPUS_ROOT_PEM = selfSignedRootPem({ serial: '193a543fe2b0d9cd4847675394dfc54', notBefore: '2023-05-05T03:41:33Z', notAfter: '2033-05-02T03:41:33Z' });
/** test/fixtures/digest/README.md: the fixture root CA is valid until 2026-01-15T00:00:00Z. */
const TEN_DAYS_BEFORE_ROOT_EXPIRY = new Date('2026-01-05T00:00:00Z');

const finding = (code: string, level: 'Error' | 'Warning' | 'Info', origin: string, message: string) => ({ code, level, origin, message });
const HOST_NOT_FOUND = finding('IST0101', 'Error', 'VirtualService bookinfo/ratings', 'Referenced host not found: "ratings-v9"');
const NO_SERVICE = finding('IST0174', 'Warning', 'DestinationRule bookinfo/details', 'The host details defined in the DestinationRule does not match any services in the mesh.');
const PORT_NAME = finding('IST0118', 'Info', 'Service bookinfo/productpage', "Port name web (port: 9080, targetPort: 9080) doesn't follow the naming convention of Istio port.");
const GATEWAY = finding('IST0101', 'Error', 'Gateway bookinfo/bookinfo-gateway', 'Referenced selector not found: "istio=ingressgateway"');


/** The verdict's reasons about certificates (the fake's scenarios add others, such as analyze errors). */
function certificateReasons(reasons: readonly string[]): string[] {
  return reasons.filter((reason) => /certificate/.test(reason));
}
describe('the mesh digest, read at fire time from istioctl and the Kubernetes API', () => {
  let api: FakeKubeApi;
  let dir: string;
  beforeEach(async () => {
    api = await startFakeKubeApi();
    dir = await mkdtemp(join(tmpdir(), 'mesh-bot-digest-'));
  });
  afterEach(() => api.close());

  it('says "first digest" instead of calling every finding new, then reports new and resolved findings and istiod restarts after a restart of the bot', async () => {
    putIstiod(api, { restarts: 1 });
    putRootCert(api);
    const findingsFile = join(dir, 'analyze.json');
    await writeFile(findingsFile, analyzeJson([HOST_NOT_FOUND, NO_SERVICE, PORT_NAME]));

    const monday = new Date('2025-06-02T07:00:00Z');
    const first = await gatherDigest(await digestDeps(api, { version: '1.24.2', analyzeFile: findingsFile }, monday), TARGET, monday);
    assert.equal(first.digest.baselineAt, null);
    assert.ok(first.digest.analyze.ok);
    assert.equal(first.digest.analyze.value.total, 3);
    assert.equal(first.digest.analyze.value.compared, false);
    assert.deepEqual(first.digest.analyze.value.added, []);
    assert.ok(first.digest.controlPlane.ok);
    assert.deepEqual(first.digest.controlPlane.value.istiods.map((pod) => [pod.name, pod.restarts, pod.restartsSinceLast]), [[ISTIOD, 1, null]]);
    const committed = await first.commit();
    assert.ok(committed.ok, committed.ok ? '' : committed.error);

    // Overnight: one finding fixed, one new; istiod restarted twice; a second istiod was scheduled.
    await writeFile(findingsFile, analyzeJson([NO_SERVICE, PORT_NAME, GATEWAY]));
    putIstiod(api, { restarts: 3 });
    putIstiod(api, { name: 'istiod-7d4f74889d-zz9xq', restarts: 0 });
    const tuesday = new Date('2025-06-03T07:00:00Z');
    // New deps: a new process (restart or another replica) only has what the Kubernetes API kept.
    const second = await gatherDigest(await digestDeps(api, { version: '1.24.2', analyzeFile: findingsFile }, tuesday), TARGET, tuesday);

    assert.deepEqual(second.digest.baselineAt, monday);
    assert.ok(second.digest.analyze.ok);
    const analyze = second.digest.analyze.value;
    assert.equal(analyze.compared, true);
    assert.deepEqual(analyze.added.map((f) => [f.code, f.origin, f.message]), [[GATEWAY.code, GATEWAY.origin, GATEWAY.message]]);
    assert.deepEqual(analyze.resolved.map((f) => [f.code, f.level, f.origin]), [[HOST_NOT_FOUND.code, HOST_NOT_FOUND.level, HOST_NOT_FOUND.origin]]);
    assert.equal(analyze.unchanged, 2);

    assert.ok(second.digest.controlPlane.ok);
    const cp = second.digest.controlPlane.value;
    assert.deepEqual(
      cp.istiods.map((pod) => [pod.name, pod.restartsSinceLast, pod.isNew]),
      [
        [ISTIOD, 2, false],
        ['istiod-7d4f74889d-zz9xq', 0, true],
      ],
    );
    assert.equal(cp.restartsSinceLast, 2);
    assert.ok(second.digest.verdict.reasons.includes('2 istiod restarts since the last digest'), second.digest.verdict.reasons.join(' | '));
    assert.ok(second.digest.verdict.reasons.includes('1 new analyze finding (errors or warnings)'), second.digest.verdict.reasons.join(' | '));
  });

  it('keeps one baseline per channel: another channel\'s digest of the same cluster starts its own history', async () => {
    putIstiod(api, { restarts: 0 });
    const now = new Date('2025-06-02T07:00:00Z');
    const deps = await digestDeps(api, { version: '1.24.2' }, now);
    await (await gatherDigest(deps, TARGET, now)).commit();
    const other = await gatherDigest(deps, { ...TARGET, channel: 'C0OTHER' }, now);
    assert.equal(other.digest.baselineAt, null);
    const again = await gatherDigest(deps, TARGET, now);
    assert.deepEqual(again.digest.baselineAt, now);
    const stored = api.list('v1', 'ConfigMap', BOT_NAMESPACE, { labelSelector: 'mesh-bot/kind=digest-baseline' });
    assert.equal(stored.length, 1);
  });

  it('summarizes proxies, versions and canaries: the healthy mesh, reviews split 90/10 and one pending promotion', async () => {
    putIstiod(api, { restarts: 0 });
    putRootCert(api);
    seedReviews(api);
    const now = new Date('2025-06-02T07:00:00Z');
    putPromotion(api, { id: 'pr-000000000001', requestedAt: '2025-06-02T06:50:00Z', expiresAt: '2025-06-02T07:20:00Z' });
    putPromotion(api, { id: 'pr-000000000002', requestedAt: '2025-06-02T05:00:00Z', expiresAt: '2025-06-02T05:30:00Z' });
    putPromotion(api, { id: 'pr-000000000003', requestedAt: '2025-06-02T06:55:00Z', expiresAt: '2025-06-02T07:25:00Z', cluster: 'prod-us' });
    putPromotion(api, { id: 'pr-000000000004', requestedAt: '2025-06-02T06:40:00Z', expiresAt: '2025-06-02T07:10:00Z', state: 'approved' });
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.24.2', scenario: 'healthy' }, now), TARGET, now);

    assert.ok(digest.proxies.ok);
    assert.deepEqual([digest.proxies.value.total, digest.proxies.value.stale, digest.proxies.value.error], [6, 0, 0]);
    assert.ok(digest.skew.ok);
    assert.deepEqual(digest.skew.value.mismatched, []);
    assert.ok(digest.canaries.ok);
    assert.deepEqual(digest.canaries.value, [
      {
        namespace: 'bookinfo',
        virtualService: 'reviews',
        route: 'reviews-route',
        destinations: [
          { host: 'reviews', subset: 'v1', weight: 90 },
          { host: 'reviews', subset: 'v2', weight: 10 },
        ],
      },
    ]);
    assert.ok(digest.pending.ok);
    assert.deepEqual(digest.pending.value.map((request) => [request.id, request.change]), [['pr-000000000001', 'v1 90% / v2 10% → v1 50% / v2 50%']]);
  });

  it('does not count a VirtualService fully on one side (100/0) as a canary in progress', async () => {
    seedReviews(api, { weights: [100, 0] });
    const now = new Date('2025-06-02T07:00:00Z');
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.24.2' }, now), TARGET, now);
    assert.deepEqual(digest.canaries, { ok: true, value: [] });
  });

  it('judges the 24-hour workload certificates of a bounded, sorted sample by their rotation: healthy 6 hours after issue', async () => {
    putIstiod(api, { restarts: 0 });
    putRootCert(api, 'istio-system', CORPUS_ROOT_PEM);
    const now = new Date(WORKLOAD_ISSUED + 6 * HOUR);
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.24.2', scenario: 'healthy' }, now), TARGET, now);
    assert.ok(digest.workloadCerts.ok, digest.workloadCerts.ok ? '' : digest.workloadCerts.error);
    const certs = digest.workloadCerts.value;
    // The healthy mesh's six proxies by name; the first five are read.
    assert.deepEqual(certs.sampled, [
      'details-v1-65cfcf56f9-4drsk.bookinfo',
      'istio-ingressgateway-5c8f6b7d9b-x2kqn.istio-system',
      'productpage-v1-d5789fdfb-7pq2k.bookinfo',
      'ratings-v1-9bd8c8595-hvc5b.bookinfo',
      'reviews-v1-5fd6d4f8f8-66j45.bookinfo',
    ]);
    assert.equal(certs.inScope, 6);
    assert.equal(certs.checked, 5);
    assert.deepEqual(certs.problems, [], 'a certificate that expires tomorrow is what Istio issues; nothing to flag');
    // The fake's healthy scenario reports analyze errors (a reason of their own); nothing about certificates.
    assert.deepEqual(certificateReasons(digest.verdict.reasons), []);
  });

  it('reports the same certificates "overdue for rotation" 16 hours after issue, and critical once expired', async () => {
    putIstiod(api, { restarts: 0 });
    putRootCert(api, 'istio-system', CORPUS_ROOT_PEM);
    const late = new Date(WORKLOAD_ISSUED + 16 * HOUR);
    const overdue = (await gatherDigest(await digestDeps(api, { version: '1.24.2', scenario: 'healthy' }, late), TARGET, late)).digest;
    assert.ok(overdue.workloadCerts.ok);
    assert.equal(overdue.workloadCerts.value.problems.length, 5);
    assert.deepEqual(overdue.workloadCerts.value.problems.map((cert) => cert.health.state), Array(5).fill('rotation-overdue'));
    assert.equal(overdue.verdict.level, 'attention');
    // Rotation was due 12 h 1 min after issue (the chain lives 24 h 2 min): 3 h 59 min before.
    assert.deepEqual(certificateReasons(overdue.verdict.reasons), ['5 workload certificates overdue for rotation (by up to 3 h)']);

    const after = new Date(WORKLOAD_ISSUED + 25 * HOUR);
    const expired = (await gatherDigest(await digestDeps(api, { version: '1.24.2', scenario: 'healthy' }, after), TARGET, after)).digest;
    assert.equal(expired.verdict.level, 'critical');
    assert.deepEqual(certificateReasons(expired.verdict.reasons), ['5 workload certificates expired']);
    assert.match(renderDigestText(expired), /details-v1-65cfcf56f9-4drsk\.bookinfo default: CRITICAL, expired 58 min ago → restart the pod/);
  });

  it('reads the mesh root CA from istio-ca-root-cert and calls an expiry in 10 days critical', async () => {
    putIstiod(api, { restarts: 0 });
    putRootCert(api);
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.24.2' }, TEN_DAYS_BEFORE_ROOT_EXPIRY), TARGET, TEN_DAYS_BEFORE_ROOT_EXPIRY);
    assert.ok(digest.rootCa.ok, digest.rootCa.ok ? '' : digest.rootCa.error);
    const { health, ...root } = digest.rootCa.value.roots[0] ?? assert.fail('no root');
    assert.deepEqual(root, { subject: 'O=cluster.local', notBefore: '2024-01-15T00:00:00.000Z', notAfter: '2026-01-15T00:00:00.000Z', daysRemaining: 10, serial: '1000' });
    assert.equal(health.level, 'critical');
    assert.equal(digest.rootCa.value.rotated, null);
    assert.equal(digest.verdict.level, 'critical');
    assert.equal(digest.verdict.reasons[0], 'root CA expires in 10 days');
  });

  it('judges the root CA with the configured days (certificates.caWarnDays / caCriticalDays)', async () => {
    putIstiod(api, { restarts: 0 });
    putRootCert(api);
    const deps = await digestDeps(api, { version: '1.24.2' }, TEN_DAYS_BEFORE_ROOT_EXPIRY);
    const relaxed = { ...deps, config: { ...deps.config, certificates: { ...deps.config.certificates, caWarnDays: 7, caCriticalDays: 3 } } };
    const { digest } = await gatherDigest(relaxed, TARGET, TEN_DAYS_BEFORE_ROOT_EXPIRY);
    assert.ok(digest.rootCa.ok);
    assert.equal(digest.rootCa.value.roots[0]?.health.level, 'healthy');
    assert.ok(!digest.verdict.reasons.some((reason) => reason.startsWith('root CA')), digest.verdict.reasons.join(', '));
  });

  it('limits every section to the configured namespaces, reading the root CA there and falling back to istiod\'s namespace', async () => {
    putIstiod(api, { restarts: 0 });
    putRootCert(api);
    seedReviews(api);
    seedReviews(api, { namespace: 'shop' });
    const now = new Date('2025-06-02T07:00:00Z');
    putPromotion(api, { id: 'pr-00000000000a', namespace: 'shop', requestedAt: '2025-06-02T06:50:00Z', expiresAt: '2025-06-02T07:20:00Z' });
    const deps = await digestDeps(api, { version: '1.24.2', scenario: 'healthy' }, now);
    const { digest } = await gatherDigest(deps, { ...TARGET, namespaces: ['bookinfo'] }, now);

    assert.ok(digest.proxies.ok);
    assert.equal(digest.proxies.value.total, 5, 'the istio-system gateway is out of scope');
    assert.ok(digest.canaries.ok);
    assert.deepEqual(digest.canaries.value.map((route) => route.namespace), ['bookinfo']);
    assert.deepEqual(digest.pending, { ok: true, value: [] });
    assert.ok(digest.rootCa.ok);
    assert.equal(digest.rootCa.value.namespace, 'istio-system', 'bookinfo has no istio-ca-root-cert here, so istiod\'s copy is read');
    // The healthy scenario's analyze findings of namespace bookinfo: none (they are in default and frod).
    assert.ok(digest.analyze.ok);
    assert.equal(digest.analyze.value.total, 0);
    assert.ok(!api.requests.some((request) => request.path.endsWith('/virtualservices') && !request.path.includes('/namespaces/bookinfo/')), 'VirtualServices are listed in bookinfo only');
  });

  it('degrades a failing section to "unavailable" with the reason, and still reports the rest', async () => {
    putIstiod(api, { restarts: 0 });
    seedReviews(api);
    api.failNext({ pathPattern: /\/configmaps\/istio-ca-root-cert$/, status: 403, times: 5 });
    const now = new Date('2025-06-02T07:00:00Z');
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.24.2' }, now), { ...TARGET, namespaces: ['bookinfo', 'missing-shop'] }, now);

    assert.equal(digest.rootCa.ok, false);
    assert.match(digest.rootCa.ok ? '' : digest.rootCa.error, /may not read ConfigMap istio-system\/istio-ca-root-cert in cluster default \(403 Forbidden\)/);
    assert.equal(digest.analyze.ok, false);
    assert.match(digest.analyze.ok ? '' : digest.analyze.error, /^istioctl analyze \(namespace missing-shop\): Namespace missing-shop does not exist/);
    assert.deepEqual(digest.verdict.unavailable, ['analyze', 'root CA']);
    assert.ok(digest.proxies.ok);
    assert.ok(digest.canaries.ok);
    assert.equal(digest.canaries.value.length, 1);
  });

  it('keeps the last good analyze snapshot when analyze fails, so the next digest still compares with it', async () => {
    const findingsFile = join(dir, 'analyze.json');
    await writeFile(findingsFile, analyzeJson([HOST_NOT_FOUND]));
    const day1 = new Date('2025-06-02T07:00:00Z');
    await (await gatherDigest(await digestDeps(api, { version: '1.24.2', analyzeFile: findingsFile }, day1), TARGET, day1)).commit();

    await writeFile(findingsFile, 'not json');
    const day2 = new Date('2025-06-03T07:00:00Z');
    const failed = await gatherDigest(await digestDeps(api, { version: '1.24.2', analyzeFile: findingsFile }, day2), TARGET, day2);
    assert.equal(failed.digest.analyze.ok, false);
    await failed.commit();

    await writeFile(findingsFile, analyzeJson([HOST_NOT_FOUND, GATEWAY]));
    const day3 = new Date('2025-06-04T07:00:00Z');
    const { digest } = await gatherDigest(await digestDeps(api, { version: '1.24.2', analyzeFile: findingsFile }, day3), TARGET, day3);
    assert.ok(digest.analyze.ok);
    assert.deepEqual(digest.analyze.value.added.map((f) => f.origin), [GATEWAY.origin]);
    assert.equal(digest.analyze.value.unchanged, 1);
  });
});
