/**
 * Outside review 4: routes another controller generates and reconciles, marked the Kubernetes way, by a controller
 * ownerReference (`controller: true`): KServe's InferenceService owns the VirtualService of its raw deployment mode,
 * Knative's net-gateway-api owns the HTTPRoutes of its Ingress. Such a controller rewrites the weights from its own
 * object at once, so a direct patch would be "applied" on the card and gone from the route.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { putBackend, putHttpRoute, putService, putVirtualService, route, routeWrites, terminal, useKubeconfig } from '../breaker-canary/world.ts';

const SPLIT = [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])];

describe('a route a controller owns', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    await useKubeconfig(api);
  });
  after(() => api.close());

  it('refuses a VirtualService an InferenceService controls, naming it (defect: planned, and KServe would revert it)', async () => {
    const ns = 'kserve';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putVirtualService(api, SPLIT, { namespace: ns, metadata: { ownerReferences: [{ apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', name: 'reviews', uid: 'a1', controller: true, blockOwnerDeletion: true }] } });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /InferenceService manages VirtualService kserve\/reviews \(controller ownerReference to serving\.kserve\.io InferenceService kserve\/reviews\), so mesh-bot will not patch it\. The InferenceService's controller rewrites this route from it: change the traffic split in InferenceService kserve\/reviews instead\./);
    assert.deepEqual(routeWrites(api).filter((request) => request.path.includes(`/${ns}/`)), []);
    const status = await terminal('status', 'reviews', '-n', ns);
    assert.match(status.out, /Owner: InferenceService — controller ownerReference to serving\.kserve\.io InferenceService kserve\/reviews/);
  });

  it('refuses an HTTPRoute a Knative Ingress controls', async () => {
    const ns = 'knative';
    putBackend(api, 'reviews-v1', 1, ns);
    putBackend(api, 'reviews-v2', 1, ns);
    putHttpRoute(api, [{ backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }] }], { namespace: ns, metadata: { ownerReferences: [{ apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'Ingress', name: 'reviews', uid: 'b2', controller: true, blockOwnerDeletion: true }] } });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /Ingress manages HTTPRoute knative\/reviews \(controller ownerReference to networking\.internal\.knative\.dev Ingress knative\/reviews\), so mesh-bot will not patch it/);
  });

  it('still promotes a route whose ownerReference is no controller (garbage collection only)', async () => {
    const ns = 'gc-owner';
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putVirtualService(api, SPLIT, { namespace: ns, metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'release-2026-12', uid: 'c3' }] } });
    const run = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.equal(run.code, 0, run.out);
  });
});
