// The istiod side of `mesh-bot status` in a sidecar mesh with revisions: a crash-looping canary istiod, an Evicted
// pod of an old ReplicaSet, every istiod down while proxies still report SYNCED. README Commands: istiod pods (ready,
// version, restarts); ended pods "ended, not counted" (`controlPlane.ended`), neither unready nor a running version.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/sandbox/kube-api.ts';
import { cluster, proxyStatus122, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from './support/sidecar.ts';

const SYNCED = ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT'] as const;
const TABLE = proxyStatus122([
  { name: 'productpage-v1-7d9f8c6b5-x2k4m.default', states: SYNCED, istiod: 'istiod-5d8f7c9b6d-a1b2c', version: '1.24.6' },
  { name: 'reviews-v2-6c8d9e7f5-m4n8p.shop', states: SYNCED, istiod: 'istiod-5d8f7c9b6d-a1b2c', version: '1.25.2' },
  { name: 'legacy-5b9c8d7f6-h7j3n.shop', states: SYNCED, istiod: 'istiod-5d8f7c9b6d-a1b2c', version: '1.22.3' },
]);
const RULES = [{ when: ['proxy-status'], stdout: TABLE }];

/** A crash-looping istiod: Running, its container not ready, restarted 17 times, waiting in CrashLoopBackOff. */
function crashLooping(name: string, version: string, revision: string): KubeObject {
  const pod = istiod(name, version, { ready: false, revision }) as { status: { containerStatuses: Record<string, unknown>[] } };
  pod.status.containerStatuses = [{ name: 'discovery', ready: false, restartCount: 17, image: 'pilot', imageID: '', started: false, state: { waiting: { reason: 'CrashLoopBackOff' } } }];
  return pod as unknown as KubeObject;
}

/** An istiod pod the kubelet evicted: phase Failed, reason Evicted; the API keeps it until someone deletes it. */
function evicted(name: string, version: string): KubeObject {
  const pod = istiod(name, version, { ready: false }) as { status: Record<string, unknown> };
  pod.status = { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' };
  return pod as unknown as KubeObject;
}

describe('a stable istiod, a crash-looping canary revision and an evicted pod', () => {
  let kube: Cluster;
  before(async () => {
    kube = await cluster([...sidecarNamespaces(), istiod('istiod-5d8f7c9b6d-a1b2c', '1.24.6'), crashLooping('istiod-1-25-6c7d8e9f0-z9y8x', '1.25.2', '1-25'), evicted('istiod-5d8f7c9b6d-old01', '1.23.0')]);
  });
  after(() => kube.close());

  it('JSON: degraded (1 of 2 ready); the evicted pod is ended, not an istiod; 1.25 proxies match the canary, 1.22 does not', async () => {
    const run = await runStatus(kube, '1.24.6', RULES, ['status', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const json = run.json as NonNullable<typeof run.json> & { controlPlane: { ended: { name: string; reason: string }[] } };
    assert.equal(json.verdict, 'degraded');
    assert.deepEqual(json.controlPlane.istiods.map((pod) => [pod.name, pod.ready, pod.version]), [
      ['istiod-1-25-6c7d8e9f0-z9y8x', false, '1.25.2'],
      ['istiod-5d8f7c9b6d-a1b2c', true, '1.24.6'],
    ]);
    assert.deepEqual(json.controlPlane.ended.map((pod) => [pod.name, pod.reason]), [['istiod-5d8f7c9b6d-old01', 'Evicted']]);
    assert.deepEqual(json.versionSkew?.controlPlane, ['1.24.6', '1.25.2']);
    assert.deepEqual(json.versionSkew?.mismatched.map((entry) => [entry.version, entry.proxies]), [['1.22.3', ['legacy-5b9c8d7f6-h7j3n.shop']]]);
  });

  it('text: the canary is NOT READY with its restarts; the evicted pod is "ended, not counted"', async () => {
    const run = await runStatus(kube, '1.24.6', RULES, ['ps']);
    assert.match(run.stdout, /^Mesh status: default — Degraded/);
    assert.match(run.stdout, /Control plane: istiod 1\/2 ready/);
    assert.match(run.stdout, /istiod-1-25-6c7d8e9f0-z9y8x: NOT READY \(Running, 0\/1\), 1\.25\.2, 17 restarts/);
    assert.match(run.stdout, /istiod-5d8f7c9b6d-old01 \(Evicted\): ended, not counted/);
  });
});

describe('every istiod down while proxies still report SYNCED', () => {
  let kube: Cluster;
  before(async () => {
    kube = await cluster([...sidecarNamespaces(), crashLooping('istiod-5d8f7c9b6d-a1b2c', '1.24.6', 'default'), crashLooping('istiod-5d8f7c9b6d-d3e4f', '1.24.6', 'default')]);
  });
  after(() => kube.close());

  it('is "control plane down", never healthy, whatever the proxies last acknowledged', async () => {
    const run = await runStatus(kube, '1.24.6', RULES, ['status', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json?.verdict, 'control-plane-down');
    assert.equal(run.json?.proxies?.total, 3);
  });
});
