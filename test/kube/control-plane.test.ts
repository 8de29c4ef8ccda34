import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import nock from 'nock';
import { createKubeFor } from '../../src/kube/clients.ts';
import { describeEndedIstiod, listIstiods, readIstiods } from '../../src/kube/control-plane.ts';
import type { ProxyStatusRow } from '../../src/istioctl/types.ts';
import { statusSections } from '../../src/mesh/digest/control-plane.ts';
import { summarizeStatus } from '../../src/mesh/status.ts';
import { ok } from '../../src/result.ts';
import { renderStatusJson, renderStatusText } from '../../commands/status.render.ts';
import { FORBIDDEN_PODS_STATUS, NOCK_KUBE_URL, istiodPodList, nockKubeConfig } from '../support/kube-nock.ts';

const cluster = { name: 'prod-eu', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };

function kube() {
  const result = createKubeFor(nockKubeConfig)(cluster);
  assert.ok(result.ok);
  return result.value;
}

const pods = (status: number, body?: unknown, headers?: Record<string, string>) => nock(NOCK_KUBE_URL).get('/api/v1/namespaces/istio-system/pods').query(true).reply(status, body as nock.Body, headers);

describe('istiod pods from the Kubernetes API', () => {
  afterEach(() => nock.cleanAll());
  after(() => nock.restore());

  it('reads ready/total, version, revision and restarts of the app=istiod pods', async () => {
    const list = istiodPodList([{ name: 'istiod-b', version: '1.24.2', ready: false }, { name: 'istiod-a', version: '1.24.2', restarts: 3 }]);
    nock(NOCK_KUBE_URL).get('/api/v1/namespaces/istio-system/pods').query({ labelSelector: 'app=istiod' }).reply(200, list);
    const result = await listIstiods(kube(), 'istio-system');
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.map((pod) => [pod.name, pod.ready, pod.version, pod.revision, pod.restarts, pod.phase]),
      [
        ['istiod-a', true, '1.24.2', 'default', 3, 'Running'],
        ['istiod-b', false, '1.24.2', 'default', 0, 'Pending'],
      ],
    );
  });

  /** An istiod pod the kubelet evicted: phase Failed, reason Evicted, containers terminated, as the API keeps it. */
  function evicted(name: string, version: string): Record<string, unknown> {
    return {
      metadata: { name, namespace: 'istio-system', labels: { app: 'istiod', istio: 'pilot', 'istio.io/rev': 'default', 'app.kubernetes.io/version': version } },
      spec: { containers: [{ name: 'discovery', image: `docker.io/istio/pilot:${version}` }] },
      status: {
        phase: 'Failed',
        reason: 'Evicted',
        message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki. Container discovery was using 1843200Ki, request is 2Gi, has larger consumption of memory. ',
        containerStatuses: [{ name: 'discovery', ready: false, restartCount: 0, image: 'pilot', imageID: '', started: false, state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown' } } }],
      },
    };
  }

  it('counts only the current control plane: an Evicted pod is a detail, not an unready istiod', async () => {
    const list = istiodPodList([{ name: 'istiod-7d4b9c8f6d-a1', version: '1.24.2' }, { name: 'istiod-7d4b9c8f6d-b2', version: '1.24.2' }]) as { items: unknown[] };
    list.items.push(evicted('istiod-5c8d7f6b9-old', '1.23.4'));
    pods(200, list);
    const read = await readIstiods(kube(), 'istio-system');
    assert.ok(read.ok);
    assert.deepEqual(read.value.current.map((pod) => pod.name), ['istiod-7d4b9c8f6d-a1', 'istiod-7d4b9c8f6d-b2']);
    assert.deepEqual(read.value.ended.map(describeEndedIstiod), ['istiod-5c8d7f6b9-old (Evicted)']);

    pods(200, list);
    const current = await listIstiods(kube(), 'istio-system');
    assert.ok(current.ok);
    // /mesh status of that cluster: healthy, 2/2 ready; proxies still on 1.23 are skewed (the evicted 1.23 pod no longer hides them).
    const proxy = (name: string, version: string): ProxyStatusRow => ({ name, namespace: 'shop', cluster: '', istiod: 'istiod-7d4b9c8f6d-a1', version, states: { CDS: 'SYNCED' }, rawStates: { CDS: 'SYNCED' } });
    const summary = summarizeStatus({ report: { format: 'xds-table', istiods: [], proxies: [proxy('a.shop', '1.24.2'), proxy('b.shop', '1.23.4')] }, istiods: current.value });
    assert.equal(summary.verdict, 'healthy');
    assert.deepEqual([summary.controlPlane.ready, summary.controlPlane.istiods?.length], [2, 2]);
    assert.deepEqual(summary.skewedProxies, { '1.23.4': ['b.shop'] });

    // The evicted pod is still mentioned: in /mesh status (text and Slack share the istiod lines) and in the digest.
    const withDetail = summarizeStatus({ report: { format: 'xds-table', istiods: [], proxies: [proxy('a.shop', '1.24.2')] }, istiods: read.value.current, endedIstiods: read.value.ended });
    const text = renderStatusText({ cluster: 'prod-eu', asOf: new Date('2026-12-06T09:00:00Z'), errors: [], summary: withDetail, istioctlVersion: undefined });
    assert.match(text, /Control plane: istiod 2\/2 ready/);
    assert.match(text, /istiod-5c8d7f6b9-old \(Evicted\): ended, not counted/);
    const json = renderStatusJson({ cluster: 'prod-eu', asOf: new Date('2026-12-06T09:00:00Z'), errors: [], summary: withDetail, istioctlVersion: undefined }) as { controlPlane: { istiods: unknown[]; ended: unknown[] } };
    assert.deepEqual([json.controlPlane.istiods.length, json.controlPlane.ended], [2, [{ name: 'istiod-5c8d7f6b9-old', phase: 'Failed', reason: 'Evicted', version: '1.23.4' }]]);
    const digest = statusSections({ report: ok({ format: 'xds-table', istiods: [], proxies: [proxy('a.shop', '1.24.2')] }), istiods: ok(read.value) }, undefined, null);
    assert.ok(digest.controlPlane.ok);
    assert.deepEqual([digest.controlPlane.value.ready, digest.controlPlane.value.istiods.length, digest.controlPlane.value.ended], [2, 2, ['istiod-5c8d7f6b9-old (Evicted)']]);
  });

  it('an evicted pod of a newer version does not fake skew either', async () => {
    const list = istiodPodList([{ name: 'istiod-7d4b9c8f6d-a1', version: '1.24.2' }]) as { items: unknown[] };
    list.items.push(evicted('istiod-9f8e7d6c5-new', '1.25.0'));
    pods(200, list);
    const current = await listIstiods(kube(), 'istio-system');
    assert.ok(current.ok);
    assert.deepEqual(current.value.map((pod) => pod.version), ['1.24.2']);
  });

  it('takes the version from the discovery image tag when no version label is set', async () => {
    const list = istiodPodList([{ name: 'istiod-x' }]) as { items: { metadata: { labels: Record<string, string> }; spec: { containers: { image: string }[] } }[] };
    const first = list.items[0];
    assert.ok(first?.spec.containers[0]);
    first.spec.containers[0].image = 'gcr.io/istio-release/pilot:1.23.4-distroless';
    pods(200, list);
    const result = await listIstiods(kube(), 'istio-system');
    assert.equal(result.ok && result.value[0]?.version, '1.23.4');
  });

  for (const [status, body, headers, expected] of [
    [403, FORBIDDEN_PODS_STATUS, {}, /mesh-bot may not list pods in istio-system in cluster prod-eu \(403 Forbidden\)/],
    [401, undefined, {}, /rejected mesh-bot's credentials .* \(401\)\. Refresh the kubeconfig/],
    [429, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Too many requests, please try again later.', reason: 'TooManyRequests', details: { retryAfterSeconds: 3 }, code: 429 }, { 'Retry-After': '3' }, /throttling requests \(429\) .* Try again in 3 seconds/],
    [500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request timed out', reason: 'InternalError', code: 500 }, {}, /failed to list pods in istio-system \(500 InternalError: etcdserver: request timed out\)/],
  ] as const) {
    it(`explains a ${status} in one sentence with what to do`, async () => {
      pods(status, body, headers);
      const result = await listIstiods(kube(), 'istio-system');
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.error.message, expected);
    });
  }

  it('says the API is unreachable when the connection is refused', async () => {
    nock(NOCK_KUBE_URL).get('/api/v1/namespaces/istio-system/pods').query(true).replyWithError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), { code: 'ECONNREFUSED' }));
    const result = await listIstiods(kube(), 'istio-system');
    assert.match(result.ok ? '' : result.error.message, /Kubernetes API of cluster prod-eu is not reachable \(ECONNREFUSED\)/);
  });

  it('refuses a kubeconfig context that does not exist, naming it', () => {
    const missing = createKubeFor(nockKubeConfig)({ ...cluster, name: 'staging', context: 'kind-staging' });
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.error.message, /kubeconfig context "kind-staging" of cluster staging does not exist/);
  });
});
