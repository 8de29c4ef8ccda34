import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectOwner, rolloutRefs } from '../../../src/mesh/canary/ownership.ts';
import { virtualServiceSchema } from '../../../src/mesh/canary/virtual-service.ts';

function vs(metadata: Record<string, unknown>) {
  return virtualServiceSchema.parse({ metadata: { name: 'reviews', namespace: 'shop', ...metadata }, spec: { http: [] } });
}

describe('who else drives a VirtualService', () => {
  it('finds Flagger from its Canary owner reference and points to its gates', () => {
    const owner = detectOwner(vs({ ownerReferences: [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'reviews', uid: 'u1', controller: true }] }), []);
    assert.equal(owner?.tool, 'Flagger');
    assert.match(owner?.evidence ?? '', /Canary shop\/reviews owns it/);
    assert.match(owner?.advice ?? '', /confirm-promotion/);
  });

  it('finds Flagger from its original-configuration annotation', () => {
    assert.equal(detectOwner(vs({ annotations: { 'flagger.kubernetes.io/original-configuration': '{}' } }), [])?.tool, 'Flagger');
  });

  it('finds an Argo Rollout that routes through the VirtualService and suggests kubectl argo rollouts promote', () => {
    const rollouts = rolloutRefs([{ metadata: { name: 'reviews-rollout', namespace: 'shop' }, spec: { strategy: { canary: { trafficRouting: { istio: { virtualService: { name: 'reviews', routes: ['primary'] } } } } } } }]);
    const owner = detectOwner(vs({}), rollouts);
    assert.equal(owner?.tool, 'Argo Rollouts');
    assert.match(owner?.advice ?? '', /kubectl argo rollouts promote reviews-rollout -n shop/);
    assert.equal(detectOwner(vs({}), rolloutRefs([{ metadata: { name: 'x', namespace: 'shop' }, spec: { strategy: { canary: { trafficRouting: { istio: { virtualServices: [{ name: 'other' }] } } } } } }])), null);
  });

  it('finds Argo CD and Flux from their tracking markers', () => {
    assert.equal(detectOwner(vs({ annotations: { 'argocd.argoproj.io/tracking-id': 'shop-app:networking.istio.io/VirtualService:shop/reviews' } }), [])?.evidence, 'Argo CD application shop-app tracks it');
    const flux = detectOwner(vs({ labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }), []);
    assert.equal(flux?.tool, 'Flux');
    assert.match(flux?.advice ?? '', /flux suspend kustomization apps -n flux-system/);
  });

  it('finds a server-side-apply manager of spec.http, but not kubectl edits of other fields', () => {
    const applied = detectOwner(vs({ managedFields: [{ manager: 'pulumi-kubernetes', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:http': {} } } }] }), []);
    assert.equal(applied?.tool, 'field manager');
    assert.match(applied?.evidence ?? '', /"pulumi-kubernetes" owns spec.http \(server-side apply\)/);
    assert.equal(detectOwner(vs({ managedFields: [{ manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:spec': { 'f:http': {} } } }] }), []), null);
    assert.equal(detectOwner(vs({ managedFields: [{ manager: 'argocd-controller', operation: 'Update', fieldsV1: { 'f:metadata': {} } }] }), []), null);
  });

  it('leaves a VirtualService nobody else drives to mesh-bot', () => {
    assert.equal(detectOwner(vs({ labels: { app: 'reviews' } }), []), null);
  });
});
