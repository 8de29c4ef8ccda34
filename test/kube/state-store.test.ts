import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { z } from 'zod';
import { botNamespace } from '../../src/kube/bot-namespace.ts';
import { createStateStore, recordName, type StateStore } from '../../src/kube/state-store.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';

const counter = z.object({ count: z.number() });
/** The two places a record can be in a ConfigMap. */
type StoredConfigMap = { readonly data?: Record<string, string>; readonly binaryData?: Record<string, string> };

describe('state store (ConfigMaps in the bot namespace)', () => {
  let api: FakeKubeApi;
  let store: StateStore;
  before(async () => {
    api = await startFakeKubeApi();
    store = createStateStore(api.kubeConfig().makeApiClient(CoreV1Api), 'mesh-bot', 'default');
  });
  after(() => api.close());

  it('creates a record once; a second create of the same name is refused as existing', async () => {
    const first = await store.create('lock-a', { count: 1 }, { 'mesh-bot/kind': 'lock' });
    assert.ok(first.ok);
    const second = await store.create('lock-a', { count: 2 });
    assert.equal(second.ok ? 'created' : second.error.kind, 'exists');
    const stored = api.get('v1', 'ConfigMap', 'mesh-bot', 'lock-a');
    assert.equal(stored?.metadata?.labels?.['app.kubernetes.io/managed-by'], 'mesh-bot');
    assert.equal(stored?.metadata?.labels?.['mesh-bot/kind'], 'lock');
  });

  it('replaces only from the version it read: a stale writer gets a conflict and writes nothing', async () => {
    await store.create('request-1', { count: 0 });
    const read = await store.get('request-1', counter);
    assert.ok(read.ok && read.value);
    const winner = await store.replace(read.value, { count: 1 });
    const loser = await store.replace(read.value, { count: 99 });
    assert.ok(winner.ok);
    assert.equal(loser.ok ? 'written' : loser.error.kind, 'conflict');
    const now = await store.get('request-1', counter);
    assert.equal(now.ok && now.value?.value.count, 1);
  });

  it('reads a missing record as null, and lists records by label', async () => {
    const missing = await store.get('nope', counter);
    assert.deepEqual(missing, { ok: true, value: null });
    await store.create('listed-1', { count: 1 }, { 'mesh-bot/kind': 'listed' });
    await store.create('listed-2', { count: 2 }, { 'mesh-bot/kind': 'listed' });
    const listed = await store.list('mesh-bot/kind=listed', counter);
    assert.deepEqual(listed.ok && listed.value.map((record) => record.value.count), [1, 2]);
  });

  it('upserts, and removes idempotently', async () => {
    assert.ok((await store.upsert('snapshot', { count: 1 })).ok);
    assert.ok((await store.upsert('snapshot', { count: 2 })).ok);
    const read = await store.get('snapshot', counter);
    assert.equal(read.ok && read.value?.value.count, 2);
    assert.ok((await store.remove('snapshot')).ok);
    assert.ok((await store.remove('snapshot')).ok);
  });

  it('refuses a record over the ConfigMap size budget, even compressed, instead of failing in etcd', async () => {
    const big = await store.create('big', { blob: randomBytes(1024 * 1024).toString('base64') });
    assert.equal(big.ok ? 'created' : big.error.kind, 'too-large');
    assert.match(big.ok ? '' : big.error.message, /record big is \d+ bytes compressed, over the 921600-byte ConfigMap budget/);
  });

  it('keeps a large record gzipped in binaryData and a small one readable in data; reads both, and records written before', async () => {
    const blob = z.object({ lines: z.array(z.string()) });
    // 2 MiB of JSON that compresses well (like analyze fingerprints' origins): stored, not refused.
    const lines = Array.from({ length: 40_000 }, (_, i) => `VirtualService team-${i % 300}/checkout-route-${i}`);
    assert.ok((await store.upsert('large', { lines })).ok);
    const large = api.get('v1', 'ConfigMap', 'mesh-bot', 'large') as StoredConfigMap | undefined;
    assert.equal(large?.data, undefined);
    assert.match(String(large?.binaryData?.['value.json.gz']), /^H4sI/);
    const read = await store.get('large', blob);
    assert.equal(read.ok && read.value?.value.lines.length, 40_000);

    assert.ok((await store.upsert('large', { lines: ['small now'] })).ok);
    const small = api.get('v1', 'ConfigMap', 'mesh-bot', 'large') as StoredConfigMap | undefined;
    assert.deepEqual([small?.data?.['value.json'], small?.binaryData], ['{"lines":["small now"]}', undefined]);

    // A plain-JSON record of an older mesh-bot, or a hand-made one, still reads.
    await api.kubeConfig().makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: 'mesh-bot', body: { metadata: { name: 'legacy' }, data: { 'value.json': '{"count":7}' } } });
    const legacy = await store.get('legacy', counter);
    assert.equal(legacy.ok && legacy.value?.value.count, 7);
  });

  it('says which call was refused when RBAC forbids it', async () => {
    api.failNext({ method: 'GET', pathPattern: /configmaps\/guarded$/, status: 403 });
    const denied = await store.get('guarded', counter);
    assert.equal(denied.ok, false);
    assert.match(denied.ok ? '' : denied.error.message, /may not read ConfigMap mesh-bot\/guarded .*403 Forbidden/);
  });

  it('makes valid, distinct ConfigMap names from any parts', () => {
    const a = recordName('mesh-bot-promo', 'prod-eu', 'Shop', 'reviews.v1');
    const b = recordName('mesh-bot-promo', 'prod-eu', 'shop', 'reviews.v1');
    assert.match(a, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.notEqual(a, b);
    assert.ok(recordName('x', 'y'.repeat(400)).length <= 253);
  });

  it('keeps state in POD_NAMESPACE, else the pod namespace, else the kubeconfig namespace, else mesh-bot', () => {
    const noFile = () => {
      throw new Error('ENOENT');
    };
    assert.equal(botNamespace('ops', 'ctx-ns', () => 'pod-ns'), 'ops');
    assert.equal(botNamespace(undefined, 'ctx-ns', () => 'pod-ns\n'), 'pod-ns');
    assert.equal(botNamespace(undefined, 'ctx-ns', noFile), 'ctx-ns');
    assert.equal(botNamespace(undefined, undefined, noFile), 'mesh-bot');
  });
});
