import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ClusterConfig } from '../../../src/config.ts';
import type { Istioctl } from '../../../src/istioctl/istioctl.ts';
import type { AnalyzeFinding } from '../../../src/istioctl/parsers/analyze.ts';
import { createKubeFor } from '../../../src/kube/clients.ts';
import { createIstioObjects } from '../../../src/kube/istio-objects.ts';
import { createStateStore, type StateStore } from '../../../src/kube/state-store.ts';
import { promotionRequestSchema } from '../../../src/mesh/canary/request.ts';
import { createCanaryService } from '../../../src/mesh/canary/service.ts';
import { err, ok } from '../../../src/result.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../../src/sandbox/kube-api.ts';
import { realPatches, reviewsWeights, seedReviews } from '../../support/bookinfo.ts';
import { quietLogger } from '../../support/quiet.ts';

const cluster: ClusterConfig = { name: 'prod-eu', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };

function istioctlWith(findings: readonly AnalyzeFinding[] | 'broken'): Istioctl {
  const asOf = new Date('2026-11-21T10:00:00Z');
  return {
    clientVersion: async () => ok({ version: '1.24.2', minor: { major: 1, minor: 24 } }),
    proxyStatus: async () => ok({ value: { format: 'xds-table', proxies: [], istiods: [] }, asOf }),
    analyze: async () =>
      findings === 'broken'
        ? err({ kind: 'timeout', message: 'istioctl analyze timed out after 50 s; analyze one namespace with `-n NAMESPACE`.', detail: '', exitCode: null })
        : ok({ value: { findings, client: { version: '1.24.2', minor: { major: 1, minor: 24 } } }, asOf }),
    proxyConfig: async () => err({ kind: 'failed', message: 'not used here', detail: '', exitCode: 1 }),
  };
}

describe('canary service against the Kubernetes API', () => {
  let api: FakeKubeApi;
  let store: StateStore;
  let now = new Date('2026-11-21T10:00:00Z');
  afterEach(() => api.close());

  async function service(options: { istioVersions?: readonly string[]; findings?: readonly AnalyzeFinding[] | 'broken' } = {}) {
    api = await startFakeKubeApi(options.istioVersions ? { istioVersions: options.istioVersions } : {});
    const kube = createKubeFor(() => api.kubeConfig())(cluster);
    assert.ok(kube.ok);
    store = createStateStore(kube.value.core, 'mesh-bot', cluster.name);
    return createCanaryService({
      cluster,
      istio: createIstioObjects(kube.value),
      core: kube.value.core,
      store,
      istioctl: istioctlWith(options.findings ?? []),
      logger: quietLogger(),
      now: () => now,
      sleep: async () => undefined,
      ttlMs: 30 * 60_000,
      propagation: { timeoutMs: 0, intervalMs: 0 },
    });
  }

  it('falls back to networking.istio.io/v1beta1 on meshes that do not serve v1, and patches there', async () => {
    const canary = await service({ istioVersions: ['v1beta1', 'v1alpha3'] });
    seedReviews(api, { apiVersion: 'networking.istio.io/v1beta1' });
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok);
    assert.equal(request.value.apiVersion, 'v1beta1');
    const decided = await canary.decide(request.value.id, 'U0BOB', 'approve');
    assert.ok(decided.ok && decided.value.applied);
    const patch = api.requests.find((entry) => entry.method === 'PATCH' && entry.query['dryRun'] === undefined);
    assert.equal(patch?.path, '/apis/networking.istio.io/v1beta1/namespaces/bookinfo/virtualservices/reviews');
    assert.deepEqual(reviewsWeights(api, 'bookinfo', 'networking.istio.io/v1beta1'), [50, 50]);
  });

  it('shows istioctl analyze findings about the VirtualService and its DestinationRule on the card, without blocking', async () => {
    const finding = (code: string, kind: string, name: string): AnalyzeFinding => ({ code, level: 'Warning', message: `${kind} ${name} has a problem`, origin: `${kind} bookinfo/${name}`, resource: { kind, namespace: 'bookinfo', name } });
    const canary = await service({ findings: [finding('IST0173', 'DestinationRule', 'reviews'), finding('IST0118', 'Service', 'details'), finding('IST0128', 'VirtualService', 'ratings')] });
    seedReviews(api);
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok);
    const analyzeNotes = prepared.value.notes.filter((note) => note.startsWith('istioctl analyze'));
    assert.deepEqual(analyzeNotes, ['istioctl analyze Warning IST0173 (DestinationRule reviews): DestinationRule reviews has a problem']);
  });

  it('says when analyze could not run, and still prepares the request', async () => {
    const canary = await service({ findings: 'broken' });
    seedReviews(api);
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok);
    assert.ok(prepared.value.notes.some((note) => /istioctl analyze unavailable: istioctl analyze timed out/.test(note)));
  });

  /** reviews 90/10 in bookinfo, and U0ALICE's pending request to go to 50/50. */
  async function pendingRequest(options: Parameters<typeof service>[0] = {}) {
    const canary = await service(options);
    seedReviews(api);
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok);
    return { canary, prepared: prepared.value, request: request.value };
  }

  /** A request approved by a replica that died before it recorded the outcome of its patch. */
  async function interruptedApproval() {
    const { canary, request } = await pendingRequest();
    const record = await store.get(`mesh-bot-promo-${request.id}`, promotionRequestSchema);
    assert.ok(record.ok && record.value);
    await store.replace(record.value, { ...record.value.value, state: 'approved', decidedBy: 'U0BOB', decidedAt: now.toISOString() });
    return canary;
  }

  it('names a VirtualService that does not exist', async () => {
    const canary = await service();
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.equal(prepared.ok ? '' : prepared.error, 'VirtualService bookinfo/reviews does not exist in cluster prod-eu. Check `kubectl -n bookinfo get virtualservices`.');
  });

  for (const [status, expected] of [
    [429, /throttling requests \(429\) .* Try again in 1 second\./],
    [500, /failed to read VirtualService bookinfo\/reviews \(500/],
  ] as const) {
    it(`explains a ${status} from the API server while reading the VirtualService`, async () => {
      const canary = await service();
      seedReviews(api);
      api.failNext({ method: 'GET', pathPattern: /virtualservices\/reviews$/, status });
      const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
      assert.match(prepared.ok ? '' : prepared.error, expected);
    });
  }

  it('fails the approved request with a clear reason when RBAC forbids the patch, and writes nothing', async () => {
    const { canary, request } = await pendingRequest();
    api.failNext({ method: 'PATCH', pathPattern: /virtualservices\/reviews$/, status: 403 });
    const decided = await canary.decide(request.id, 'U0BOB', 'approve');
    assert.ok(decided.ok);
    assert.equal(decided.value.request.state, 'failed');
    assert.match(decided.value.request.outcome?.message ?? '', /mesh-bot may not patch VirtualService bookinfo\/reviews in cluster prod-eu \(403 Forbidden\)/);
    assert.deepEqual(reviewsWeights(api), [90, 10]);
    assert.equal(realPatches(api), 1, 'the one attempt the API server refused');
  });

  it('expires overdue requests, frees the VirtualService for a new one, and deletes week-old decided requests', async () => {
    now = new Date('2026-11-21T10:00:00Z');
    const { canary, prepared, request: first } = await pendingRequest();
    now = new Date('2026-11-21T10:31:00Z');
    const expired = await canary.sweepExpired();
    assert.deepEqual(expired.map((request) => [request.id, request.state]), [[first.id, 'expired']]);
    const second = await canary.createRequest(prepared, 'U0DAVE', 'C0OPS');
    assert.ok(second.ok, 'the lock of the expired request no longer blocks');

    now = new Date('2026-11-29T10:00:00Z');
    await canary.sweepExpired();
    assert.equal(await canary.get(first.id), null, 'a decided request older than a week is deleted');
  });

  it('settles an approval whose replica died mid-apply from the VirtualService itself, and frees the lock', async () => {
    now = new Date('2026-11-21T10:00:00Z');
    const canary = await interruptedApproval();
    // ...after the patch had landed.
    seedReviews(api, { weights: [50, 50] });
    now = new Date('2026-11-21T10:06:00Z');
    const settled = await canary.sweepExpired();
    assert.deepEqual(settled.map((request) => request.state), ['applied']);
    assert.match(settled[0]?.outcome?.message ?? '', /confirmed after mesh-bot restarted while applying/);
    const next = await canary.prepare('bookinfo', 'reviews', 80, undefined);
    assert.ok(next.ok);
    assert.ok((await canary.createRequest(next.value, 'U0DAVE', 'C0OPS')).ok, 'the lock was freed');
  });

  it('fails an interrupted approval whose patch never landed, saying nothing was changed', async () => {
    now = new Date('2026-11-21T10:00:00Z');
    const canary = await interruptedApproval();
    now = new Date('2026-11-21T10:04:00Z');
    assert.deepEqual(await canary.sweepExpired(), [], 'four minutes is still "being applied"');
    now = new Date('2026-11-21T10:06:00Z');
    const settled = await canary.sweepExpired();
    assert.deepEqual(settled.map((entry) => entry.state), ['failed']);
    assert.match(settled[0]?.outcome?.message ?? '', /stopped before the change was written; nothing was changed/);
  });
});
