import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { createStateStore, type StateStore } from '../../src/kube/state-store.ts';
import { findProblemList, keepProblemList, problemListRecordName } from '../../src/mesh/status-lists.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';

describe('problem lists kept for "Show all problem proxies"', () => {
  let api: FakeKubeApi;
  let store: StateStore;
  before(async () => {
    api = await startFakeKubeApi();
    store = createStateStore(api.kubeConfig().makeApiClient(CoreV1Api), 'mesh-bot', 'prod-eu');
  });
  after(() => api.close());

  const scope = { cluster: 'prod-eu', namespace: 'shop' };
  const run = (minute: number) => ({ asOf: `2026-11-21T10:0${minute}:00.000Z`, count: minute, text: `list of minute ${minute}\n${'proxy.shop: CDS STALE\n'.repeat(minute)}` });

  it('finds each of the last three runs of a scope by its "as of", and forgets older ones', async () => {
    for (const minute of [1, 2, 3, 4]) assert.deepEqual(await keepProblemList(store, scope, run(minute)), { ok: true, value: undefined });
    for (const minute of [2, 3, 4]) assert.deepEqual(await findProblemList(store, scope, run(minute).asOf), { ok: true, value: run(minute) });
    assert.deepEqual(await findProblemList(store, scope, run(1).asOf), { ok: true, value: null });
    assert.deepEqual(await findProblemList(store, { cluster: 'prod-eu', namespace: undefined }, run(4).asOf), { ok: true, value: null }, 'the whole mesh is another scope');
  });

  it('writes a run once however many cards show it', async () => {
    const writesBefore = api.requests.filter((request) => request.method === 'PUT' || request.method === 'POST').length;
    await keepProblemList(store, scope, run(4));
    await keepProblemList(store, scope, run(4));
    assert.equal(api.requests.filter((request) => request.method === 'PUT' || request.method === 'POST').length, writesBefore);
    assert.ok(api.get('v1', 'ConfigMap', 'mesh-bot', problemListRecordName(scope)));
  });
});
