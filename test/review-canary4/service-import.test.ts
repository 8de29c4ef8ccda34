/**
 * Review 4: an HTTPRoute rule mesh-bot cannot shift that sends to the canary through its ServiceImport (the
 * multi-cluster name of the same Service). A promotion must not leave it at its old share; a rollback must name it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { putBackend, putHttpRoute, routeWrites, terminal, useKubeconfig } from '../breaker-canary/world.ts';

const ROUTE_RECORD = { annotations: { 'mesh-bot/stable-subset': 'reviews-v1', 'mesh-bot/canary-subset': 'reviews-v2' } };

describe('a rule to the canary\'s ServiceImport', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    await useKubeconfig(api);
  });
  after(() => api.close());

  it('refuses the promotion and names the rule in the rollback', async () => {
    const ns = 'import-canary';
    putBackend(api, 'reviews-v1', 1, ns);
    putBackend(api, 'reviews-v2', 1, ns);
    putHttpRoute(api, [
      { name: 'east', matches: [{ headers: [{ name: 'x-region', value: 'east' }] }], backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 80 }, { name: 'reviews-v2', group: 'multicluster.x-k8s.io', kind: 'ServiceImport', port: 9080, weight: 20 }] },
      { backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }] },
    ], { namespace: ns, metadata: ROUTE_RECORD });
    const promote = await terminal('promote', 'reviews', '--weight', '50', '-n', ns);
    assert.equal(promote.code, 1, promote.out);
    assert.match(promote.out, /rule "east" of HTTPRoute reviews sends traffic to ServiceImport reviews-v2/);
    const rollback = await terminal('rollback', 'reviews', '-n', ns, '-o', 'json');
    assert.equal(rollback.code, 0, rollback.out);
    const left = rollback.json()['leftOnCanary'] as string[];
    assert.ok(left.some((line) => /rule "east" still sends 20% of its traffic to reviews-v2/i.test(line)), left.join('\n'));
    assert.deepEqual(routeWrites(api).filter((request) => request.path.includes(`/${ns}/`)), []);
  });
});
