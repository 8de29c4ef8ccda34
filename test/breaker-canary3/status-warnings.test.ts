/**
 * Outside review 3: `mesh-bot canary status` in the terminal when part of what it checks could not be read. Slack
 * shows these as warnings; the terminal printed "Owner: none (mesh-bot may promote)" and "Subsets: none" as if
 * everything had been checked, and `-o json` had `errors: []` (DESIGN.md §5: every command has `errors`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { putService, putVirtualService, route, terminal, useKubeconfig } from '../breaker-canary/world.ts';

describe('canary status in the terminal says what it could not check', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    await useKubeconfig(api);
  });
  after(() => api.close());

  function seed(ns: string): void {
    putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace: ns });
    putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])], { namespace: ns });
  }

  it('prints that Argo Rollouts could not be checked, instead of only "mesh-bot may promote" (defect)', async () => {
    seed('status-rollouts');
    api.failNext({ method: 'GET', pathPattern: /\/apis\/argoproj\.io\/v1alpha1\/rollouts$/, status: 500 });
    const run = await terminal('status', 'reviews', '-n', 'status-rollouts');
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /could not check Argo Rollouts: The Kubernetes API of cluster [^ ]+ failed to list rollouts\.argoproj\.io in all namespaces \(500/);
  });

  it('lists what it could not check under errors in -o json (defect: errors was always empty)', async () => {
    seed('status-json');
    api.failNext({ method: 'GET', pathPattern: /\/namespaces\/status-json\/destinationrules$/, status: 500 });
    const run = await terminal('status', 'reviews', '-n', 'status-json', '-o', 'json');
    assert.equal(run.code, 0, run.out);
    const errors = run.json()['errors'] as string[];
    assert.ok(errors.some((error) => /DestinationRules unavailable: .*failed to list DestinationRules in status-json \(500/.test(error)), JSON.stringify(errors));
  });

  it('keeps errors empty when everything was read', async () => {
    seed('status-clean');
    const run = await terminal('status', 'reviews', '-n', 'status-clean', '-o', 'json');
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(run.json()['errors'], []);
  });
});
