// The rules of the channel's record of posted digests (src/schedule/channel-posts.ts) beyond the one-digest rolling
// update the replica tests play: several digests in one channel at one fire time, and fire times out of order.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { createStateStore, type StateStore } from '../../src/kube/state-store.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { alreadyPosted, digestKey, notePosted, type PostedEntry } from '../../src/schedule/channel-posts.ts';

const NINE = new Date('2026-11-23T09:00:00Z');
const entry = (cluster: string, schedule: string, namespaces?: string[]): PostedEntry => ({
  digest: digestKey({ channel: 'C0OPS', cluster, schedule, timezone: 'UTC', namespaces }),
  cluster,
});

let api: FakeKubeApi;
let store: StateStore;
before(async () => {
  api = await startFakeKubeApi();
  store = createStateStore(api.kubeConfig().makeApiClient(CoreV1Api), 'mesh-bot', 'default');
});
after(() => api.close());

it('lets every digest of the current config post at the same time, and takes each old one as replaced once', async () => {
  const euOld = entry('eu', '0 9 * * *');
  const us = entry('us', '0 9 * * *');
  // The old config posted eu and us at 09:00.
  assert.ok((await notePosted(store, 'C0OPS', euOld, NINE)).ok);
  assert.ok((await notePosted(store, 'C0OPS', us, NINE)).ok);

  // The new config changed eu (namespaces) and added a second eu digest; us is unchanged.
  const euNew = entry('eu', '0 9 * * *', ['checkout']);
  const euAdded = entry('eu', '0 9 * * *', ['payments']);
  const configured = new Set([euNew.digest, euAdded.digest, us.digest]);
  assert.deepEqual(await alreadyPosted(store, 'C0OPS', us, NINE, configured), { ok: true, value: { by: 'itself' } });

  const first = await alreadyPosted(store, 'C0OPS', euNew, NINE, configured);
  assert.deepEqual(first, { ok: true, value: { by: 'replaced', replaced: euOld.digest } });
  await notePosted(store, 'C0OPS', { ...euNew, replaces: euOld.digest }, NINE);
  // The old eu digest is taken: the added one is new and must post.
  assert.deepEqual(await alreadyPosted(store, 'C0OPS', euAdded, NINE, configured), { ok: true, value: null });
  // Another cluster's digest never stands in for this one.
  assert.deepEqual(await alreadyPosted(store, 'C0OPS', entry('ap', '0 9 * * *'), NINE, new Set([entry('ap', '0 9 * * *').digest])), { ok: true, value: null });
});

it('keeps the latest fire time when an earlier one is noted late, and answers for that time only', async () => {
  const digest = entry('eu', '0 * * * *');
  const ten = new Date('2026-11-23T10:00:00Z');
  assert.ok((await notePosted(store, 'C0LATE', digest, ten)).ok);
  assert.ok((await notePosted(store, 'C0LATE', entry('eu', '0 9 * * *'), NINE)).ok);
  assert.deepEqual(await alreadyPosted(store, 'C0LATE', digest, ten, new Set([digest.digest])), { ok: true, value: { by: 'itself' } });
  assert.deepEqual(await alreadyPosted(store, 'C0LATE', digest, new Date('2026-11-23T11:00:00Z'), new Set([digest.digest])), { ok: true, value: null });
});
