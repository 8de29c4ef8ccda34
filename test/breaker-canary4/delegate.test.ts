/**
 * Outside review 4: a delegate VirtualService (no `hosts`), the shape Istio's "VirtualService chaining" gives a team
 * that owns /reviews under a root VirtualService bound to the ingress gateway. Istio applies a delegate's routes
 * only inside its root: on the root's gateways, never because of the delegate's own namespace, and nowhere at all
 * when no root delegates to it.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ProxyStatusReport, ProxyStatusRow } from '../../src/istioctl/types.ts';
import { seedReviews } from '../support/bookinfo.ts';
import { startHarness, type Harness } from '../mesh/canary/harness.ts';

const VS_API = 'networking.istio.io/v1';
const SYNCED = { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } as const;
const STALE = { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'STALE' } as const;
const GATEWAY_POD = 'istio-ingressgateway-7f9c8d-x2x9q.istio-ingress';

function row(name: string, states: ProxyStatusRow['states']): ProxyStatusRow {
  const namespace = name.slice(name.lastIndexOf('.') + 1);
  return { name, namespace, cluster: 'Kubernetes', istiod: 'istiod-1', version: '1.24.2', states, rawStates: {} };
}

const report = (gateway: ProxyStatusRow['states']): ProxyStatusReport => ({
  format: 'xds-table',
  proxies: [row('productpage-v1-6b746f74dc-9stvn.bookinfo', SYNCED), row('reviews-v1-5fd6d4f8f8-abcde.bookinfo', SYNCED), row(GATEWAY_POD, gateway)],
  istiods: [],
});

/** bookinfo/reviews as a delegate (no hosts), and, unless `root` is false, istio-system/bookinfo delegating /reviews to it on the ingress gateway. */
function seedDelegate(harness: Harness, root = true): void {
  seedReviews(harness.api);
  const vs = harness.api.get(VS_API, 'VirtualService', 'bookinfo', 'reviews') as { spec: Record<string, unknown> } & Record<string, unknown>;
  const { hosts: _hosts, ...spec } = vs.spec;
  harness.api.put({ ...vs, spec } as never);
  harness.api.put({ apiVersion: VS_API, kind: 'Gateway', metadata: { name: 'bookinfo-gateway', namespace: 'istio-system' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['bookinfo.example.com'] }] } } as never);
  harness.api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'istio-ingressgateway-7f9c8d-x2x9q', namespace: 'istio-ingress', labels: { istio: 'ingressgateway' } }, spec: { containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.2' }] }, status: { phase: 'Running' } } as never);
  if (root) {
    harness.api.put({
      apiVersion: VS_API,
      kind: 'VirtualService',
      metadata: { name: 'bookinfo', namespace: 'istio-system' },
      spec: { hosts: ['bookinfo.example.com'], gateways: ['bookinfo-gateway'], http: [{ match: [{ uri: { prefix: '/reviews' } }], delegate: { name: 'reviews', namespace: 'bookinfo' } }] },
    } as never);
  }
}

async function approve(harness: Harness) {
  const canary = harness.replica();
  const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
  assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
  const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
  assert.ok(request.ok, request.ok ? '' : request.error);
  const decided = await canary.decide(request.value.id, 'U0BOB', 'approve');
  assert.ok(decided.ok && decided.value.applied, decided.ok ? decided.value.request.outcome?.message : decided.error);
  return decided.value.request.outcome?.propagation;
}

describe('a delegate VirtualService', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('is proven on its root\'s ingress gateway, not on the sidecars of its namespace (defect: "2/2 in sync" while the gateway was STALE)', async () => {
    harness = await startHarness({ proxyStatus: () => report(STALE), propagation: { timeoutMs: 30_000, intervalMs: 5_000 } });
    seedDelegate(harness);
    const propagation = await approve(harness);
    assert.equal(propagation?.complete, false);
    assert.deepEqual(propagation?.stale, [GATEWAY_POD]);
  });

  it('counts the root\'s gateway once it is SYNCED', async () => {
    harness = await startHarness({ proxyStatus: () => report(SYNCED), propagation: { timeoutMs: 30_000, intervalMs: 5_000 } });
    seedDelegate(harness);
    const propagation = await approve(harness);
    assert.equal(propagation?.complete, true);
    assert.equal(propagation?.total, 1);
  });

  it('refuses the approval when the root stopped delegating to it after the request, and keeps it pending (defect: written, routing nothing)', async () => {
    harness = await startHarness({ proxyStatus: () => report(SYNCED) });
    seedDelegate(harness);
    const canary = harness.replica();
    const prepared = await canary.prepare('bookinfo', 'reviews', 50, undefined);
    assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
    const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
    assert.ok(request.ok, request.ok ? '' : request.error);
    // The ingress team routes /reviews straight to the service now.
    const root = harness.api.get(VS_API, 'VirtualService', 'istio-system', 'bookinfo') as { spec: Record<string, unknown> } & Record<string, unknown>;
    harness.api.put({ ...root, spec: { ...root.spec, http: [{ match: [{ uri: { prefix: '/reviews' } }], route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v1' } }] }] } } as never);
    const decided = await canary.decide(request.value.id, 'U0BOB', 'approve');
    assert.equal(decided.ok, false, decided.ok ? decided.value.request.outcome?.message : '');
    assert.match(decided.ok ? '' : decided.error, /no VirtualService delegates to bookinfo\/reviews any more, so its weights route no traffic \(checked at approval\)/);
    assert.equal((await canary.get(request.value.id))?.state, 'pending');
  });

  it('is not promoted when no VirtualService delegates to it: its weights route no traffic (defect: approved and "proven")', async () => {
    harness = await startHarness({ proxyStatus: () => report(SYNCED) });
    seedDelegate(harness, false);
    const prepared = await harness.replica().prepare('bookinfo', 'reviews', 50, undefined);
    assert.equal(prepared.ok, false);
    assert.match(prepared.ok ? '' : prepared.error, /VirtualService bookinfo\/reviews has no hosts, so Istio uses its routes only as a delegate of another VirtualService, and none delegates to it: its weights route no traffic\./);
  });
});
