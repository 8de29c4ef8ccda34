// The domain of `ztunnel-config` and the ambient part of `status` with stand-in istioctl answers: how many ztunnels a
// mesh-wide certificate summary reads, and what an install without the DaemonSet permission still answers.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import nock from 'nock';
import { readStatus } from '../../commands/status.ts';
import type { CommandDeps } from '../../src/command.ts';
import type { ClusterConfig } from '../../src/config.ts';
import type { Istioctl } from '../../src/istioctl/istioctl.ts';
import { parseProxyStatus } from '../../src/istioctl/parsers/proxy-status.ts';
import { createKubeFor } from '../../src/kube/clients.ts';
import { quietLogger } from '../support/quiet.ts';
import { NOCK_KUBE_URL, istiodPodList, nockKubeConfig } from '../support/kube-nock.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { CERTIFICATE_ZTUNNELS_READ, readZtunnelConfig } from '../../src/mesh/ztunnel-config.ts';
import { summarizeStatus } from '../../src/mesh/status.ts';
import { ok, err } from '../../src/result.ts';

const CERTIFICATES = readFileSync(new URL('../fixtures/istioctl/ambient/ztunnel-config/certificates/v1.22+_secretsummary.txt', import.meta.url), 'utf8');
const cluster: ClusterConfig = { name: 'prod', istioNamespace: 'istio-system', defaultNamespace: 'default' } as ClusterConfig;
const NOW = new Date('2026-12-01T00:00:00Z');

function deps(istioctl: Partial<Istioctl>, kubeConfig: () => ReturnType<typeof nockKubeConfig>): CommandDeps {
  return {
    config: { clusters: [cluster], certificates: { caWarnDays: 90, caCriticalDays: 14 } } as unknown as CommandDeps['config'],
    istioctl: { clientVersion: async () => ok({ version: '1.28.1', minor: { major: 1, minor: 28 } }), ...istioctl } as Istioctl,
    kubeFor: createKubeFor(kubeConfig),
    state: () => err({ message: 'no state here' }),
    now: () => NOW,
    sleep: async () => {},
    logger: quietLogger(),
  };
}

describe('ztunnel-config certificates across the mesh', () => {
  let api: FakeKubeApi;
  before(async () => {
    const ztunnels = Array.from({ length: 25 }, (_, index) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `ztunnel-${String(index).padStart(2, '0')}`, namespace: 'istio-system', labels: { app: 'ztunnel' } },
      spec: { nodeName: `node-${String(index).padStart(2, '0')}`, containers: [{ name: 'istio-proxy', image: 'ztunnel' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'istio-proxy', ready: true, restartCount: 0, image: 'ztunnel', imageID: '', started: true }] },
    }));
    api = await startFakeKubeApi({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } }, ...ztunnels] });
  });
  after(() => api.close());

  it(`reads at most ${CERTIFICATE_ZTUNNELS_READ} of 25 ztunnels, four istioctl runs at a time, and says how many`, async () => {
    let running = 0;
    let most = 0;
    const pods: string[] = [];
    const istioctl: Partial<Istioctl> = {
      ztunnelConfig: async (_cluster, request) => {
        running += 1;
        most = Math.max(most, running);
        pods.push(request.pod);
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
        return ok({ value: { type: request.type, stdout: CERTIFICATES }, asOf: NOW });
      },
    };
    const result = await readZtunnelConfig(cluster, { type: 'certificates' }, deps(istioctl, () => api.kubeConfig()));
    assert.equal(pods.length, 20);
    assert.equal(new Set(pods).size, 20, 'each ztunnel once');
    assert.equal(most, 4);
    assert.equal(result.ztunnelCount, 25);
    assert.equal(result.report?.type === 'certificates' ? result.report.perZtunnel.length : 0, 20);
  });

  it('a ztunnel whose istioctl run failed or whose answer cannot be parsed is not counted as read; its error is', async () => {
    const istioctl: Partial<Istioctl> = {
      ztunnelConfig: async (_cluster, request) => {
        if (request.pod === 'ztunnel-03') return err({ kind: 'port-forward', message: 'Port-forwarding to the pod failed.', detail: 'pod ztunnel-03 is not running', exitCode: 1 });
        return ok({ value: { type: request.type, stdout: request.pod === 'ztunnel-04' ? 'not a table\n' : CERTIFICATES }, asOf: NOW });
      },
    };
    const result = await readZtunnelConfig(cluster, { type: 'certificates' }, deps(istioctl, () => api.kubeConfig()));
    assert.equal(result.read.length, 18);
    assert.ok(!result.read.some((pod) => pod.name === 'ztunnel-03' || pod.name === 'ztunnel-04'));
    assert.deepEqual(result.errors.map((error) => error.split(':')[0]), ['istioctl on ztunnel-03', 'istioctl on ztunnel-04']);
  });
});

describe('ztunnel-config workloads when the opted-out pods cannot be listed', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('says so, and shows such a pod as not captured rather than guessing', async () => {
    const forbidden = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'pods is forbidden' };
    const empty = { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] };
    nock(NOCK_KUBE_URL)
      .get('/api/v1/pods')
      .query({ labelSelector: 'app=ztunnel' })
      .reply(200, { ...empty, items: [{ metadata: { name: 'ztunnel-a', namespace: 'istio-system' }, spec: { nodeName: 'node-1' }, status: { phase: 'Running', containerStatuses: [{ name: 'istio-proxy', ready: true }] } }] })
      .get('/api/v1/namespaces')
      .query(true)
      .reply(200, { kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'shop' } }] })
      .get('/api/v1/pods')
      .query((query) => query['labelSelector'] !== 'istio.io/dataplane-mode=none' && query['labelSelector'] !== 'app=ztunnel')
      .times(2)
      .reply(200, empty)
      .get('/api/v1/namespaces/shop/pods')
      .query({ labelSelector: 'security.istio.io/tlsMode' })
      .reply(200, empty)
      .get('/api/v1/pods')
      .query({ labelSelector: 'istio.io/dataplane-mode=none' })
      .reply(403, forbidden);
    const stdout = 'NAMESPACE POD NAME                ADDRESS  NODE   WAYPOINT PROTOCOL\nshop      legacy-batch-5c8d-fghij 10.0.0.1 node-1 None     TCP\n';
    const istioctl: Partial<Istioctl> = { ztunnelConfig: async (_cluster, request) => ok({ value: { type: request.type, stdout }, asOf: NOW }) };
    const result = await readZtunnelConfig(cluster, { type: 'workloads' }, deps(istioctl, nockKubeConfig));
    assert.deepEqual(result.errors, [
      'Kubernetes API: mesh-bot may not list the pods labelled istio.io/dataplane-mode=none in cluster prod (403 Forbidden). Grant it with the Role in deploy/ or check `kubectl auth can-i` for its service account. (pods opted out with istio.io/dataplane-mode=none may be listed as not captured)',
    ]);
    assert.deepEqual(result.report?.type === 'workloads' ? result.report.workloads.map((row) => [row.pod, row.notCaptured, row.optedOut]) : null, [['legacy-batch-5c8d-fghij', true, false]]);
  });
});

describe('status without the DaemonSet permission', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('still answers, says that ztunnel and istio-cni readiness is unknown, and calls nothing healthy', async () => {
    nock(NOCK_KUBE_URL)
      .get('/api/v1/namespaces/istio-system/pods')
      .query(true)
      .reply(200, istiodPodList([{ name: 'istiod-a', version: '1.28.1' }]))
      .get('/apis/apps/v1/daemonsets')
      .reply(403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'daemonsets.apps is forbidden' })
      .get('/api/v1/pods')
      .query(true)
      .times(6)
      .reply(200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] });
    const stdout = 'NAME                          CLUSTER  CDS      LDS      EDS      RDS      ECDS     ISTIOD    VERSION\nztunnel-abcde.istio-system    K        IGNORED  IGNORED  IGNORED  IGNORED  IGNORED  istiod-a  1.28.1\n';
    const report = parseProxyStatus(stdout);
    assert.ok(report.ok);
    const istioctl: Partial<Istioctl> = { proxyStatus: async () => ok({ value: report.value, asOf: NOW }) };
    const result = await readStatus(cluster, undefined, deps(istioctl, nockKubeConfig));
    assert.deepEqual(result.errors, [
      'Kubernetes API: mesh-bot may not list DaemonSets across namespaces (to find ztunnel and istio-cni) in cluster prod (403 Forbidden). Grant it with the Role in deploy/ or check `kubectl auth can-i` for its service account. (ztunnel and istio-cni readiness unknown)',
    ]);
    assert.equal(result.summary.proxies?.byKind.ztunnel, 1);
    assert.deepEqual([result.summary.ambient?.ztunnels, result.summary.ambient?.ztunnelPods, result.summary.ambient?.ztunnelDaemonSetMissing], [null, null, false]);
    // The ztunnel is in sync, but no node is known to run a ready ztunnel: the verdict claims nothing.
    assert.equal(result.summary.verdict, 'unknown');
  });
});

describe('ambient verdict', () => {
  const istiod = { name: 'i', ready: true, readyContainers: 1, totalContainers: 1, version: '1.28.1', revision: '', restarts: 0, phase: 'Running' };
  // One ztunnel per node of the three the DaemonSets below schedule on.
  const ztunnelRow = parseProxyStatus(
    'NAME                          CLUSTER     ISTIOD     VERSION     SUBSCRIBED TYPES\n' +
      ['a', 'b', 'c'].map((node) => `ztunnel-${node}.istio-system        K           i          1.28.1      2 (WADS,WDS)\n`).join(''),
  );
  it('a node without a ready istio-cni agent degrades the mesh, as one without a ready ztunnel does', () => {
    assert.ok(ztunnelRow.ok);
    const base = { report: ztunnelRow.value, istiods: [{ name: 'i', ready: true, readyContainers: 1, totalContainers: 1, version: '1.28.1', revision: '', restarts: 0, phase: 'Running' }] };
    const ready = { name: 'ztunnel', namespace: 'istio-system', desired: 3, ready: 3 };
    assert.equal(summarizeStatus({ ...base, ambientDaemonSets: { ztunnel: ready, cni: { name: 'istio-cni-node', namespace: 'istio-system', desired: 3, ready: 3 } } }).verdict, 'healthy');
    assert.equal(summarizeStatus({ ...base, ambientDaemonSets: { ztunnel: ready, cni: { name: 'istio-cni-node', namespace: 'istio-system', desired: 3, ready: 2 } } }).verdict, 'degraded');
    assert.equal(summarizeStatus({ ...base, ambientDaemonSets: { ztunnel: { ...ready, ready: 2 }, cni: ready } }).verdict, 'degraded');
  });

  it('a ztunnel DaemonSet without any istio-cni node agent degrades the mesh and says so', () => {
    assert.ok(ztunnelRow.ok);
    const summary = summarizeStatus({ report: ztunnelRow.value, istiods: [istiod], ambientDaemonSets: { ztunnel: { name: 'ztunnel', namespace: 'kube-system', desired: 3, ready: 3 }, cni: null } });
    assert.deepEqual([summary.verdict, summary.ambient?.cniMissing], ['degraded', true]);
  });

  it('ztunnels ready but not connected to istiod degrade the whole-mesh answer, also when none is connected', () => {
    const one = parseProxyStatus('NAME                          CLUSTER     ISTIOD     VERSION     SUBSCRIBED TYPES\nztunnel-a.istio-system        K           i          1.28.1      2 (WADS,WDS)\n');
    assert.ok(one.ok);
    const daemonSets = { ztunnel: { name: 'ztunnel', namespace: 'istio-system', desired: 3, ready: 3 }, cni: { name: 'istio-cni-node', namespace: 'istio-system', desired: 3, ready: 3 } };
    const some = summarizeStatus({ report: one.value, istiods: [istiod], ambientDaemonSets: daemonSets });
    assert.deepEqual([some.verdict, some.ambient?.notConnected], ['degraded', 2]);
    const none = summarizeStatus({ report: { format: 'xds-table', proxies: [], istiods: [] }, istiods: [istiod], ambientDaemonSets: daemonSets });
    assert.deepEqual([none.verdict, none.ambient?.notConnected], ['degraded', 3]);
    // A namespace's answer has no ztunnel rows (they live in their own namespace): nothing to compare there.
    const scoped = summarizeStatus({ report: one.value, istiods: [istiod], ambientDaemonSets: daemonSets, namespace: 'shop' });
    assert.deepEqual([scoped.verdict, scoped.ambient?.notConnected], ['no-proxies', null]);
  });

  it('a ztunnel whose WDS is STALE is a problem proxy; its IGNORED Envoy columns are not (1.27+ verbose table)', () => {
    const table = parseProxyStatus(
      'NAME                        CLUSTER     CDS         ECDS        EDS         LDS         RDS         WADS        WDS         ISTIOD     VERSION\n' +
        'web-1.shop                  K           SYNCED      IGNORED     SYNCED      SYNCED      SYNCED      IGNORED     IGNORED     i          1.28.1\n' +
        'ztunnel-a.istio-system      K           IGNORED     IGNORED     IGNORED     IGNORED     IGNORED     SYNCED      STALE       i          1.28.1\n',
    );
    assert.ok(table.ok);
    const summary = summarizeStatus({ report: table.value, istiods: [] });
    assert.deepEqual(summary.proxies?.byKind, { sidecar: 1, waypoint: 0, ztunnel: 1, gateway: 0 });
    assert.deepEqual(summary.proxies?.problems.map((problem) => [problem.name, problem.stale]), [['ztunnel-a.istio-system', ['WDS']]]);
    assert.deepEqual(summary.proxies?.byType['CDS'], { SYNCED: 1 });
    assert.deepEqual(summary.ambient?.sync, { connected: 1, synced: 0, problems: 1, notSynced: 0, stateNotShown: 0 });
  });
});
