/**
 * The fake API server's JSON Patch `test` must agree with the real one (k8s.io/apiserver applies JSON Patch with
 * gopkg.in/evanphx/json-patch.v4, `func (p Patch) test`): canary promotion fences "this spec field is still
 * absent" with a `null` test, so a fake stricter or looser than the API server would prove nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { applyJsonPatch, JsonPatchApplyError } from '../../src/sandbox/kube-api/json-patch.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';

const route = { spec: { hosts: ['reviews'], nothing: null, http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }] }] } };

function refusal(operations: readonly Record<string, unknown>[]): string {
  try {
    applyJsonPatch(route, operations.map((operation) => ({ op: 'test', ...operation })));
  } catch (error) {
    assert.ok(error instanceof JsonPatchApplyError, String(error));
    return error.message;
  }
  return 'passed';
}

describe('fake API server: JSON Patch test of absent and null members (as evanphx/json-patch)', () => {
  it('passes a null test of an absent key, and of a test without a value', () => {
    assert.equal(refusal([{ path: '/spec/gateways', value: null }]), 'passed');
    assert.equal(refusal([{ path: '/spec/gateways' }]), 'passed');
  });

  it('fails any other value on an absent key as a failed test, not a missing path', () => {
    assert.equal(refusal([{ path: '/spec/gateways', value: ['istio-ingress/bookinfo-gateway'] }]), 'testing value /spec/gateways failed: test failed');
    assert.equal(refusal([{ path: '/spec/gateways', value: [] }]), 'testing value /spec/gateways failed: test failed');
  });

  it('fails a null test of a present key, and passes one of a key stored as null', () => {
    assert.equal(refusal([{ path: '/spec/hosts', value: null }]), 'testing value /spec/hosts failed: test failed');
    assert.equal(refusal([{ path: '/spec/nothing', value: null }]), 'passed');
    assert.equal(refusal([{ path: '/spec/nothing', value: 'x' }]), 'testing value /spec/nothing failed: test failed');
  });

  it('compares a present key as JSON (object key order is irrelevant, array order is not)', () => {
    assert.equal(refusal([{ path: '/spec/http/0/route/0', value: { weight: 100, destination: { subset: 'v1', host: 'reviews' } } }]), 'passed');
    assert.equal(refusal([{ path: '/spec/hosts', value: ['reviews', 'ratings'] }]), 'testing value /spec/hosts failed: test failed');
  });

  it('calls a missing parent a missing path, and an index past the end an error', () => {
    assert.equal(refusal([{ path: '/spec/tls/0', value: null }]), 'test operation does not apply: is missing path: /spec/tls/0');
    assert.notEqual(refusal([{ path: '/spec/http/1', value: null }]), 'passed');
  });

  describe('through the HTTP API', () => {
    let api: FakeKubeApi;
    let custom: CustomObjectsApi;
    const target = { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', namespace: 'bookinfo', name: 'reviews' } as const;
    before(async () => {
      api = await startFakeKubeApi();
      custom = api.kubeConfig().makeApiClient(CustomObjectsApi);
    });
    after(() => api.close());

    it('writes a patch that tests an absent field with null, and answers 422 once the field is there', async () => {
      api.put({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'bookinfo' }, spec: structuredClone(route.spec) });
      const fenced = [
        { op: 'test', path: '/spec/gateways', value: null },
        { op: 'add', path: '/spec/http/0/route/0/weight', value: 100 },
      ];
      await custom.patchNamespacedCustomObject({ ...target, body: fenced });
      const current = api.get('networking.istio.io/v1', 'VirtualService', 'bookinfo', 'reviews');
      assert.ok(current);
      api.put({ ...current, spec: { ...(current.spec as object), gateways: ['istio-ingress/bookinfo-gateway'] } });
      const refused = await custom.patchNamespacedCustomObject({ ...target, body: fenced }).then(
        () => null,
        (error: unknown) => error,
      );
      assert.ok(refused instanceof ApiException);
      assert.equal(refused.code, 422);
    });
  });
});
