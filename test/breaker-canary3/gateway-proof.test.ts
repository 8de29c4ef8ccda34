/**
 * Outside review 3: "Prove it" for a VirtualService bound to an ingress gateway (`spec.gateways`, bookinfo's own
 * `bookinfo` VirtualService). Its routes live in the gateway's Envoy, not in the sidecars of the VirtualService's
 * namespace: proxies in sync there prove nothing about the traffic that was shifted.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ProxyStatusReport, ProxyStatusRow } from '../../src/istioctl/types.ts';
import { seedReviews } from '../support/bookinfo.ts';
import { startHarness, type Harness } from '../mesh/canary/harness.ts';

const VS_API = 'networking.istio.io/v1';
const SYNCED = { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } as const;
const STALE = { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'STALE' } as const;

function row(name: string, states: ProxyStatusRow['states']): ProxyStatusRow {
  const namespace = name.slice(name.lastIndexOf('.') + 1);
  return { name, namespace, cluster: 'Kubernetes', istiod: 'istiod-1', version: '1.24.2', states, rawStates: {} };
}

/** reviews bound to istio-system/bookinfo-gateway only (no `mesh`), whose pods run in istio-ingress. */
function seedIngressBound(harness: Harness, gateways: string[]): void {
  seedReviews(harness.api);
  const vs = harness.api.get(VS_API, 'VirtualService', 'bookinfo', 'reviews') as { spec: Record<string, unknown> } & Record<string, unknown>;
  harness.api.put({ ...vs, spec: { ...vs.spec, hosts: ['bookinfo.example.com'], gateways } } as never);
  harness.api.put({ apiVersion: VS_API, kind: 'Gateway', metadata: { name: 'bookinfo-gateway', namespace: 'istio-system' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['bookinfo.example.com'] }] } } as never);
  harness.api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'istio-ingressgateway-7f9c8d-x2x9q', namespace: 'istio-ingress', labels: { istio: 'ingressgateway', app: 'istio-ingressgateway' } }, spec: { containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.2' }] }, status: { phase: 'Running' } } as never);
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

describe('propagation proof of a gateway-bound VirtualService', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  const report = (gateway: ProxyStatusRow['states']): ProxyStatusReport => ({
    format: 'xds-table',
    proxies: [row('productpage-v1-6b746f74dc-9stvn.bookinfo', SYNCED), row('reviews-v1-5fd6d4f8f8-abcde.bookinfo', SYNCED), row('istio-ingressgateway-7f9c8d-x2x9q.istio-ingress', gateway)],
    istiods: [],
  });

  it('does not call the change proven while the ingress gateway that serves it is STALE (defect: "2/2 in sync", the sidecars)', async () => {
    harness = await startHarness({ proxyStatus: () => report(STALE), propagation: { timeoutMs: 30_000, intervalMs: 5_000 } });
    seedIngressBound(harness, ['istio-system/bookinfo-gateway']);
    const propagation = await approve(harness);
    assert.equal(propagation?.complete, false);
    assert.deepEqual(propagation?.stale, ['istio-ingressgateway-7f9c8d-x2x9q.istio-ingress']);
  });

  it('counts the gateway\'s proxies once they are SYNCED', async () => {
    harness = await startHarness({ proxyStatus: () => report(SYNCED), propagation: { timeoutMs: 30_000, intervalMs: 5_000 } });
    seedIngressBound(harness, ['istio-system/bookinfo-gateway']);
    const propagation = await approve(harness);
    assert.equal(propagation?.complete, true);
    assert.equal(propagation?.total, 1, 'the ingress gateway, not the sidecars the route never reaches');
  });

  it('checks the sidecars of the namespace and the gateway when bound to both (mesh and a gateway)', async () => {
    harness = await startHarness({ proxyStatus: () => report(STALE), propagation: { timeoutMs: 30_000, intervalMs: 5_000 } });
    seedIngressBound(harness, ['mesh', 'istio-system/bookinfo-gateway']);
    const propagation = await approve(harness);
    assert.equal(propagation?.complete, false);
    assert.equal(propagation?.total, 3);
    assert.deepEqual(propagation?.stale, ['istio-ingressgateway-7f9c8d-x2x9q.istio-ingress']);
  });
});
