import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  VersionApi,
} from '@kubernetes/client-node';
import { startFakeKubeApi } from '../../src/sandbox/kube-api.ts';
import type { FakeKubeApi, KubeObject } from '../../src/sandbox/kube-api.ts';

const ISTIO = { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices' } as const;

function reviews(weights: readonly number[] = [90, 10]): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews' },
    spec: {
      hosts: ['reviews'],
      http: [
        {
          name: 'primary',
          route: weights.map((weight, index) => ({ destination: { host: 'reviews', subset: `v${index + 1}` }, weight })),
        },
      ],
    },
  };
}

/** The ApiException a client call rejects with; fails the test when the call succeeds or fails differently. */
async function apiError(call: Promise<unknown>): Promise<{ code: number; status: Record<string, unknown>; headers: Record<string, string> }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ApiException, `expected an ApiException, got ${String(error)}`);
    const exception = error as ApiException<unknown>;
    assert.equal(typeof exception.body, 'string', 'client-node hands over error bodies as raw strings');
    return { code: exception.code, status: JSON.parse(exception.body as string) as Record<string, unknown>, headers: exception.headers };
  }
  return assert.fail('expected the request to fail');
}

function resourceVersionOf(obj: KubeObject | undefined): string {
  const value = obj?.metadata?.resourceVersion;
  assert.ok(value, 'object has a resourceVersion');
  return value;
}

async function listResourceVersion(api: FakeKubeApi): Promise<string> {
  const response = await fetch(`${api.url}/api/v1/namespaces/default/configmaps`);
  const list = (await response.json()) as { metadata: { resourceVersion: string } };
  return list.metadata.resourceVersion;
}

describe('fake Kubernetes API server through @kubernetes/client-node', () => {
  let api: FakeKubeApi;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let coordination: CoordinationV1Api;

  before(async () => {
    api = await startFakeKubeApi();
    const config = api.kubeConfig('fake', 'shop');
    core = config.makeApiClient(CoreV1Api);
    custom = config.makeApiClient(CustomObjectsApi);
    coordination = config.makeApiClient(CoordinationV1Api);
  });

  after(async () => {
    await api.close();
  });

  describe('create, read and list', () => {
    it('creates a ConfigMap, fills server-managed metadata and serves it back', async () => {
      const created = await core.createNamespacedConfigMap({
        namespace: 'crud',
        body: { metadata: { name: 'state', labels: { app: 'mesh-bot', role: 'state' } }, data: { k: 'v' } },
      });
      assert.equal(created.metadata?.namespace, 'crud');
      assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
      assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
      const read = await core.readNamespacedConfigMap({ namespace: 'crud', name: 'state' });
      assert.deepEqual(read.data, { k: 'v' });
      assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);
    });

    it('answers 409 AlreadyExists when creating an object that exists', async () => {
      await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'twice' } } });
      const { code, status } = await apiError(core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'twice' } } }));
      assert.equal(code, 409);
      assert.deepEqual(status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'configmaps "twice" already exists',
        reason: 'AlreadyExists',
        details: { name: 'twice', kind: 'configmaps' },
        code: 409,
      });
    });

    it('generates a name from generateName', async () => {
      const created = await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { generateName: 'audit-' } } });
      assert.match(created.metadata?.name ?? '', /^audit-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    });

    it('filters lists by equality label selectors and by metadata.name and status.phase field selectors', async () => {
      for (const [name, phase, tier] of [['web-1', 'Running', 'web'], ['web-2', 'Pending', 'web'], ['db-1', 'Running', 'db']] as const) {
        api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'select', labels: { app: 'shop', tier } }, status: { phase } });
      }
      const names = (list: { items: { metadata?: { name?: string } }[] }) => list.items.map((item) => item.metadata?.name);
      assert.deepEqual(names(await core.listNamespacedPod({ namespace: 'select', labelSelector: 'app=shop,tier=web' })), ['web-1', 'web-2']);
      assert.deepEqual(names(await core.listNamespacedPod({ namespace: 'select', fieldSelector: 'status.phase=Running' })), ['db-1', 'web-1']);
      assert.deepEqual(names(await core.listNamespacedPod({ namespace: 'select', fieldSelector: 'metadata.name=web-2' })), ['web-2']);
      assert.deepEqual(names(await core.listNamespacedPod({ namespace: 'select', labelSelector: 'tier in (db),app' })), ['db-1']);
    });

    it('rejects a field selector on an unsupported field with 400', async () => {
      const { code, status } = await apiError(core.listNamespacedPod({ namespace: 'select', fieldSelector: 'spec.priority=1' }));
      assert.equal(code, 400);
      assert.equal(status.message, 'field label not supported: spec.priority');
    });

    it('lists built-in items without apiVersion/kind but custom resource items with them, like a real apiserver', async () => {
      api.put({ ...reviews(), metadata: { name: 'listed', namespace: 'listing' } });
      api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'listed', namespace: 'listing' } });
      const raw = async (path: string) => ((await (await fetch(`${api.url}${path}`)).json()) as { items: KubeObject[] }).items;
      const [configMap] = await raw('/api/v1/namespaces/listing/configmaps');
      assert.equal(configMap?.kind, undefined);
      const [virtualService] = await raw('/apis/networking.istio.io/v1/namespaces/listing/virtualservices');
      assert.equal(virtualService?.kind, 'VirtualService');
    });

    it('lists across all namespaces', async () => {
      api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'everywhere', namespace: 'ns-a', labels: { spread: 'yes' } } });
      api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'everywhere', namespace: 'ns-b', labels: { spread: 'yes' } } });
      const list = await core.listConfigMapForAllNamespaces({ labelSelector: 'spread=yes' });
      assert.deepEqual(list.items.map((item) => item.metadata?.namespace), ['ns-a', 'ns-b']);
    });
  });

  describe('optimistic concurrency', () => {
    it('answers a replace with a stale resourceVersion with the Conflict Status', async () => {
      const first = api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'conflict' } });
      const stale = resourceVersionOf(first);
      api.put({ ...reviews([50, 50]), metadata: { name: 'reviews', namespace: 'conflict' } });
      const { code, status } = await apiError(
        custom.replaceNamespacedCustomObject({
          ...ISTIO,
          namespace: 'conflict',
          name: 'reviews',
          body: { ...reviews([0, 100]), metadata: { name: 'reviews', namespace: 'conflict', resourceVersion: stale } },
        }),
      );
      assert.equal(code, 409);
      assert.deepEqual(status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'Operation cannot be fulfilled on virtualservices.networking.istio.io "reviews": the object has been modified; please apply your changes to the latest version and try again',
        reason: 'Conflict',
        details: { name: 'reviews', group: 'networking.istio.io', kind: 'virtualservices' },
        code: 409,
      });
    });

    it('requires metadata.resourceVersion to replace a custom resource', async () => {
      api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'unconditional' } });
      const { code, status } = await apiError(
        custom.replaceNamespacedCustomObject({ ...ISTIO, namespace: 'unconditional', name: 'reviews', body: { ...reviews(), metadata: { name: 'reviews' } } }),
      );
      assert.equal(code, 422);
      assert.equal(status.reason, 'Invalid');
      assert.match(String(status.message), /metadata\.resourceVersion: Invalid value: 0x0: must be specified for an update/);
    });

    it('replaces a custom resource given the current resourceVersion and bumps resourceVersion and generation', async () => {
      const current = api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'replace' } });
      const replaced = (await custom.replaceNamespacedCustomObject({
        ...ISTIO,
        namespace: 'replace',
        name: 'reviews',
        body: { ...reviews([80, 20]), metadata: { name: 'reviews', resourceVersion: resourceVersionOf(current) } },
      })) as KubeObject;
      assert.ok(Number(resourceVersionOf(replaced)) > Number(resourceVersionOf(current)));
      assert.equal(replaced.metadata?.generation, 2);
      assert.equal(replaced.metadata?.uid, current.metadata?.uid);
    });

    it('keeps resourceVersion when a write changes nothing', async () => {
      const current = api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same', namespace: 'noop' }, data: { a: '1' } });
      const patched = await core.patchNamespacedConfigMap({ namespace: 'noop', name: 'same', body: [{ op: 'replace', path: '/data/a', value: '1' }] });
      assert.equal(patched.metadata?.resourceVersion, current.metadata?.resourceVersion);
    });
  });

  describe('JSON Patch', () => {
    const testAndSet = (from: number, to: number) => [
      { op: 'test', path: '/spec/http/0/route/0/weight', value: from },
      { op: 'add', path: '/spec/http/0/route/0/weight', value: to },
    ];

    it('writes a patch whose test holds and bumps resourceVersion (JSON Patch is the default content type)', async () => {
      const before = api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'patch-ok' } });
      const patched = (await custom.patchNamespacedCustomObject({ ...ISTIO, namespace: 'patch-ok', name: 'reviews', body: testAndSet(90, 70) })) as KubeObject;
      assert.ok(Number(resourceVersionOf(patched)) > Number(resourceVersionOf(before)));
      const stored = api.get('networking.istio.io/v1', 'VirtualService', 'patch-ok', 'reviews');
      assert.deepEqual((stored?.spec as { http: { route: { weight: number }[] }[] }).http[0]?.route.map((route) => route.weight), [70, 10]);
      assert.equal(api.requests.at(-1)?.contentType, 'application/json-patch+json');
    });

    it('answers 422 with the generic message and writes nothing when a test fails', async () => {
      const before = api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'patch-fail' } });
      const { code, status } = await apiError(custom.patchNamespacedCustomObject({ ...ISTIO, namespace: 'patch-fail', name: 'reviews', body: testAndSet(50, 70) }));
      assert.equal(code, 422);
      assert.deepEqual(status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server rejected our request due to an error in our request',
        reason: 'Invalid',
        details: {},
        code: 422,
      });
      assert.deepEqual(api.get('networking.istio.io/v1', 'virtualservices', 'patch-fail', 'reviews'), before);
    });

    it('lets exactly one of two concurrent patches with the same test succeed', async () => {
      api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'race' } });
      const results = await Promise.allSettled([
        custom.patchNamespacedCustomObject({ ...ISTIO, namespace: 'race', name: 'reviews', body: testAndSet(90, 60) }),
        custom.patchNamespacedCustomObject({ ...ISTIO, namespace: 'race', name: 'reviews', body: testAndSet(90, 40) }),
      ]);
      const fulfilled = results.filter((result) => result.status === 'fulfilled');
      const rejected = results.filter((result) => result.status === 'rejected');
      assert.equal(fulfilled.length, 1);
      assert.equal(rejected.length, 1);
      assert.equal((rejected[0]?.reason as ApiException<string>).code, 422);
    });

    it('follows RFC 6902 for escaped pointers, array append, move, copy and remove', async () => {
      api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rfc', namespace: 'patch-rfc', annotations: { 'example.com/owner': 'a', 'x~y': 'b' } }, data: {} });
      const patched = await core.patchNamespacedConfigMap({
        namespace: 'patch-rfc',
        name: 'rfc',
        body: [
          { op: 'test', path: '/metadata/annotations/example.com~1owner', value: 'a' },
          { op: 'replace', path: '/metadata/annotations/x~0y', value: 'c' },
          { op: 'add', path: '/metadata/finalizers', value: ['first'] },
          { op: 'add', path: '/metadata/finalizers/-', value: 'second' },
          { op: 'copy', from: '/metadata/annotations/x~0y', path: '/data/copied' },
          { op: 'move', from: '/metadata/annotations/example.com~1owner', path: '/data/moved' },
          { op: 'remove', path: '/metadata/finalizers/0' },
        ],
      });
      assert.deepEqual(patched.metadata?.annotations, { 'x~y': 'c' });
      assert.deepEqual(patched.metadata?.finalizers, ['second']);
      assert.deepEqual(patched.data, { copied: 'c', moved: 'a' });
    });

    it('answers 422 for a path that does not exist', async () => {
      api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'missing', namespace: 'patch-rfc' } });
      const { code } = await apiError(core.patchNamespacedConfigMap({ namespace: 'patch-rfc', name: 'missing', body: [{ op: 'remove', path: '/data/nothing' }] }));
      assert.equal(code, 422);
    });
  });

  describe('merge patches', () => {
    it('applies a JSON merge patch chosen with setHeaderOptions', async () => {
      api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'merge', labels: { keep: 'me', drop: 'me' } } });
      const patched = (await custom.patchNamespacedCustomObject(
        { ...ISTIO, namespace: 'merge', name: 'reviews', body: { metadata: { labels: { drop: null, added: 'yes' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as KubeObject;
      assert.deepEqual(patched.metadata?.labels, { keep: 'me', added: 'yes' });
      assert.equal(api.requests.at(-1)?.contentType, 'application/merge-patch+json');
    });

    it('answers 409 when a merge patch carries a stale resourceVersion', async () => {
      const first = api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'merge-stale' } });
      api.put({ ...reviews([10, 90]), metadata: { name: 'reviews', namespace: 'merge-stale' } });
      const { code, status } = await apiError(
        custom.patchNamespacedCustomObject(
          { ...ISTIO, namespace: 'merge-stale', name: 'reviews', body: { metadata: { resourceVersion: resourceVersionOf(first) }, spec: { http: [] } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      );
      assert.equal(code, 409);
      assert.equal(status.reason, 'Conflict');
    });

    it('refuses strategic merge patch for custom resources with 415 but accepts it for built-in types', async () => {
      api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'strategic' } });
      const { code, status } = await apiError(
        custom.patchNamespacedCustomObject(
          { ...ISTIO, namespace: 'strategic', name: 'reviews', body: { metadata: { labels: { a: 'b' } } } },
          setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
        ),
      );
      assert.equal(code, 415);
      assert.equal(status.reason, 'UnsupportedMediaType');
      api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'smp', namespace: 'strategic' } });
      const patched = await core.patchNamespacedConfigMap(
        { namespace: 'strategic', name: 'smp', body: { data: { a: 'b' } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      assert.deepEqual(patched.data, { a: 'b' });
    });
  });

  describe('dry run', () => {
    it('validates but stores nothing and keeps resourceVersion for POST, PATCH and PUT with dryRun=All', async () => {
      const current = api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'dry' } });
      const revision = await listResourceVersion(api);
      const created = await core.createNamespacedConfigMap({ namespace: 'dry', body: { metadata: { name: 'ghost' } }, dryRun: 'All' });
      assert.equal(created.metadata?.name, 'ghost');
      assert.equal(api.get('v1', 'ConfigMap', 'dry', 'ghost'), undefined);
      const patched = (await custom.patchNamespacedCustomObject({
        ...ISTIO,
        namespace: 'dry',
        name: 'reviews',
        dryRun: 'All',
        body: [{ op: 'add', path: '/spec/http/0/route/0/weight', value: 1 }],
      })) as KubeObject;
      assert.equal((patched.spec as { http: { route: { weight: number }[] }[] }).http[0]?.route[0]?.weight, 1);
      await custom.replaceNamespacedCustomObject({
        ...ISTIO,
        namespace: 'dry',
        name: 'reviews',
        dryRun: 'All',
        body: { ...reviews([1, 99]), metadata: { name: 'reviews', resourceVersion: resourceVersionOf(current) } },
      });
      assert.deepEqual(api.get('networking.istio.io/v1', 'VirtualService', 'dry', 'reviews'), current);
      assert.equal(await listResourceVersion(api), revision);
    });

    it('runs the validating webhook on dry-run requests too', async () => {
      api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'dry-deny' } });
      const { code } = await apiError(
        custom.patchNamespacedCustomObject({
          ...ISTIO,
          namespace: 'dry-deny',
          name: 'reviews',
          dryRun: 'All',
          body: [{ op: 'add', path: '/spec/http/0/route/0/weight', value: -5 }],
        }),
      );
      assert.equal(code, 400);
    });
  });

  describe('admission', () => {
    it('denies a negative weight with the Istio webhook Status', async () => {
      api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'webhook' } });
      const { code, status } = await apiError(
        custom.patchNamespacedCustomObject({ ...ISTIO, namespace: 'webhook', name: 'reviews', body: [{ op: 'add', path: '/spec/http/0/route/0/weight', value: -5 }] }),
      );
      assert.equal(code, 400);
      assert.deepEqual(status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'admission webhook "validation.istio.io" denied the request: configuration is invalid: weight -5 < 0',
        code: 400,
      });
    });

    it('denies a total weight of 0 across several destinations but accepts sums other than 100', async () => {
      const { status } = await apiError(custom.createNamespacedCustomObject({ ...ISTIO, namespace: 'webhook-sum', body: reviews([0, 0]) }));
      assert.match(String(status.message), /total destination weight = 0/);
      await custom.createNamespacedCustomObject({ ...ISTIO, namespace: 'webhook-sum', body: reviews([30, 30]) });
    });

    it('uses validators given in the options and lets null remove the default one', async () => {
      const guarded = await startFakeKubeApi({
        validators: {
          configmaps: (obj, operation) => (operation === 'CREATE' && obj.metadata?.name === 'forbidden' ? { webhook: 'policy.example.com', message: 'no' } : undefined),
          'virtualservices.networking.istio.io': null,
        },
      });
      try {
        const config = guarded.kubeConfig();
        const { status } = await apiError(config.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: 'x', body: { metadata: { name: 'forbidden' } } }));
        assert.equal(status.message, 'admission webhook "policy.example.com" denied the request: no');
        await config.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...ISTIO, namespace: 'x', body: reviews([-1, 0]) });
      } finally {
        await guarded.close();
      }
    });
  });

  it('refuses to start with a validator for a resource it does not serve', async () => {
    await assert.rejects(startFakeKubeApi({ validators: { virtualservice: null } }), /validator for unknown resource "virtualservice"/);
  });

  describe('Leases', () => {
    const lease = (renewTime: Date) => ({
      metadata: { name: 'mesh-bot-leader' },
      spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: renewTime, renewTime },
    });

    it('rejects a plain Date (three fraction digits) with 400 like the MicroTime decoder', async () => {
      const { code, status } = await apiError(coordination.createNamespacedLease({ namespace: 'leases', body: lease(new Date('2026-11-21T10:00:00.123Z')) }));
      assert.equal(code, 400);
      assert.equal(status.reason, 'BadRequest');
      assert.match(String(status.message), /cannot be handled as a Lease: parsing time "2026-11-21T10:00:00\.123Z"/);
    });

    it('accepts V1MicroTime (six fraction digits) and returns the times as strings', async () => {
      const created = await coordination.createNamespacedLease({ namespace: 'leases', body: lease(new V1MicroTime('2026-11-21T10:00:00.123Z')) });
      assert.equal(String(created.spec?.renewTime), '2026-11-21T10:00:00.123000Z');
      const { code } = await apiError(
        coordination.replaceNamespacedLease({
          namespace: 'leases',
          name: 'mesh-bot-leader',
          body: { ...lease(new Date('2026-11-21T10:00:05.000Z')), metadata: { name: 'mesh-bot-leader', resourceVersion: created.metadata?.resourceVersion } },
        }),
      );
      assert.equal(code, 400);
    });
  });

  describe('fault injection', () => {
    it('returns 429 with a Retry-After header the client can read, once', async () => {
      api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'busy', namespace: 'faults' } });
      api.failNext({ method: 'GET', pathPattern: /\/configmaps\/busy$/, status: 429, headers: { 'Retry-After': '7' } });
      const { code, status, headers } = await apiError(core.readNamespacedConfigMap({ namespace: 'faults', name: 'busy' }));
      assert.equal(code, 429);
      assert.equal(headers['retry-after'], '7');
      assert.equal(status.reason, 'TooManyRequests');
      assert.deepEqual(status.details, { retryAfterSeconds: 7 });
      await core.readNamespacedConfigMap({ namespace: 'faults', name: 'busy' });
    });

    it('fills a realistic Forbidden Status naming verb, resource and namespace', async () => {
      api.failNext({ method: 'PATCH', status: 403 });
      const { code, status } = await apiError(custom.patchNamespacedCustomObject({ ...ISTIO, namespace: 'shop', name: 'reviews', body: [] }));
      assert.equal(code, 403);
      assert.equal(
        status.message,
        'virtualservices.networking.istio.io "reviews" is forbidden: User "system:serviceaccount:mesh-bot:mesh-bot" cannot patch resource "virtualservices" in API group "networking.istio.io" in the namespace "shop"',
      );
    });

    it('fails only matching requests, as many times as asked, with a custom body', async () => {
      api.failNext({ pathPattern: /\/leases/, status: 500, times: 2, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: leader changed', reason: 'InternalError', code: 500 } });
      await core.listNamespacedConfigMap({ namespace: 'faults' });
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const { code, status } = await apiError(coordination.listNamespacedLease({ namespace: 'faults' }));
        assert.equal(code, 500);
        assert.equal(status.message, 'etcdserver: leader changed');
      }
      await coordination.listNamespacedLease({ namespace: 'faults' });
    });
  });

  describe('paths, versions and discovery', () => {
    it('serves one stored Istio object under every served version with apiVersion rewritten', async () => {
      api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'versions' } });
      for (const version of ['v1', 'v1beta1', 'v1alpha3']) {
        const obj = (await custom.getNamespacedCustomObject({ ...ISTIO, version, namespace: 'versions', name: 'reviews' })) as KubeObject;
        assert.equal(obj.apiVersion, `networking.istio.io/${version}`);
      }
    });

    it('answers unknown paths with the NotFound Status as JSON', async () => {
      const response = await fetch(`${api.url}/apis/example.com/v1/namespaces/x/widgets`);
      assert.equal(response.status, 404);
      assert.equal(response.headers.get('content-type'), 'application/json');
      assert.deepEqual(await response.json(), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      });
    });

    it('answers 404 NotFound for a missing object and deletes existing ones', async () => {
      const { code, status } = await apiError(custom.getNamespacedCustomObject({ ...ISTIO, namespace: 'gone', name: 'reviews' }));
      assert.equal(code, 404);
      assert.equal(status.message, 'virtualservices.networking.istio.io "reviews" not found');
      api.put({ ...reviews(), metadata: { name: 'reviews', namespace: 'gone' } });
      await custom.deleteNamespacedCustomObject({ ...ISTIO, namespace: 'gone', name: 'reviews' });
      assert.equal(api.get('networking.istio.io/v1', 'VirtualService', 'gone', 'reviews'), undefined);
      assert.equal((await apiError(custom.deleteNamespacedCustomObject({ ...ISTIO, namespace: 'gone', name: 'reviews' }))).code, 404);
    });

    it('keeps status out of main-resource writes and changes it only through /status', async () => {
      api.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'reviews', namespace: 'status' }, spec: {}, status: { pauseConditions: [{ reason: 'CanaryPauseStep' }] } });
      const rollout = { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', namespace: 'status', name: 'reviews' };
      const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      const ignored = (await custom.patchNamespacedCustomObject({ ...rollout, body: { status: { pauseConditions: null } } }, merge)) as KubeObject;
      assert.deepEqual(ignored.status, { pauseConditions: [{ reason: 'CanaryPauseStep' }] });
      const promoted = (await custom.patchNamespacedCustomObjectStatus({ ...rollout, body: { status: { pauseConditions: null } } }, merge)) as KubeObject;
      assert.deepEqual(promoted.status, {});
    });

    it('reports the served Istio versions in discovery and 404s an unserved version', async () => {
      const oldMesh = await startFakeKubeApi({ istioVersions: ['v1alpha3', 'v1beta1'] });
      try {
        const group = (await (await fetch(`${oldMesh.url}/apis/networking.istio.io`)).json()) as { versions: { version: string }[]; preferredVersion: { groupVersion: string } };
        assert.deepEqual(group.versions.map((entry) => entry.version), ['v1beta1', 'v1alpha3']);
        assert.equal(group.preferredVersion.groupVersion, 'networking.istio.io/v1beta1');
        const oldCustom = oldMesh.kubeConfig().makeApiClient(CustomObjectsApi);
        const { code, status } = await apiError(oldCustom.listNamespacedCustomObject({ ...ISTIO, namespace: 'shop' }));
        assert.equal(code, 404);
        assert.equal(status.message, 'the server could not find the requested resource');
        await oldCustom.listNamespacedCustomObject({ ...ISTIO, version: 'v1beta1', namespace: 'shop' });
      } finally {
        await oldMesh.close();
      }
    });

    it('lists API groups and reports the Kubernetes version', async () => {
      const groups = (await (await fetch(`${api.url}/apis`)).json()) as { groups: { name: string }[] };
      assert.deepEqual(groups.groups.map((group) => group.name).sort(), ['apps', 'argoproj.io', 'coordination.k8s.io', 'events.k8s.io', 'flagger.app', 'gateway.networking.k8s.io', 'networking.istio.io']);
      const version = await api.kubeConfig().makeApiClient(VersionApi).getCode();
      assert.equal(version.gitVersion, 'v1.33.1');
    });
  });

  describe('requests and kubeconfig', () => {
    it('records method, path, query, content type and parsed body of each request', async () => {
      await core.createNamespacedConfigMap({ namespace: 'log', body: { metadata: { name: 'logged' } }, dryRun: 'All' });
      const last = api.requests.at(-1);
      assert.equal(last?.method, 'POST');
      assert.equal(last?.path, '/api/v1/namespaces/log/configmaps');
      assert.deepEqual(last?.query, { dryRun: 'All' });
      assert.equal(last?.contentType, 'application/json');
      assert.deepEqual((last?.body as KubeObject).metadata, { name: 'logged' });
    });

    it('produces kubeconfig YAML that client-node loads, with the context namespace', async () => {
      const config = new KubeConfig();
      config.loadFromString(api.kubeConfigYaml('sandbox', 'team-a'));
      assert.equal(config.getCurrentContext(), 'sandbox');
      assert.equal(config.getContextObject('sandbox')?.namespace, 'team-a');
      await config.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: 'team-a' });
    });
  });
});
