import { readFileSync } from 'node:fs';
import type { CommandDeps } from '../../../src/command.ts';
import { loadConfig } from '../../../src/config.ts';
import { buildCommandDeps } from '../../../src/deps.ts';
import { createLogger } from '../../../src/log.ts';
import { fakeIstioctl, type FakeIstioctlSettings } from '../../support/bot.ts';
import { afterEach, beforeEach } from 'node:test';
import type { ClusterConfig } from '../../../src/config.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../../src/sandbox/kube-api.ts';
import { quietStream } from '../../support/quiet.ts';

export const BOT_NAMESPACE = 'mesh-bot';

/** The one cluster of a config without `clusters:`: what the digests of these tests read. */
export const DEFAULT_CLUSTER: ClusterConfig = { name: 'default', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };

/** For each test of the file, a fresh fake API server with one ready istiod (no restarts) and the mesh root CA. */
export function meshPerTest(): () => FakeKubeApi {
  let api: FakeKubeApi | undefined;
  beforeEach(async () => {
    api = await startFakeKubeApi();
    putIstiod(api, { restarts: 0 });
    putRootCert(api);
  });
  afterEach(() => api?.close());
  return () => {
    if (api === undefined) throw new Error('meshPerTest: used outside a test');
    return api;
  };
}
export const ROOT_CERT_PEM = readFileSync(new URL('../../fixtures/digest/istio-ca-root-cert.pem', import.meta.url), 'utf8');
/** The fake istioctl's `healthy` mesh: its one istiod and its six proxies (src/sandbox/istioctl/README.md). */
export const ISTIOD = 'istiod-7d4f74889d-mb5dh';

/**
 * Real CommandDeps (runner, istioctl client, kube clients, state store) against the fake istioctl and the fake
 * Kubernetes API. A new call is a new process as far as the digest knows: no cache, no memory.
 */
export async function digestDeps(api: FakeKubeApi, istioctl: FakeIstioctlSettings, now: Date): Promise<CommandDeps> {
  const fake = await fakeIstioctl(istioctl);
  const loaded = await loadConfig({ ISTIOCTL: fake.path, POD_NAMESPACE: BOT_NAMESPACE });
  if (!loaded.ok) throw new Error(loaded.error.message);
  const quiet = quietStream();
  return buildCommandDeps({ config: loaded.value, logger: createLogger('error', quiet), loadKubeConfig: () => api.kubeConfig(), now: () => now });
}

export function putIstiod(api: FakeKubeApi, options: { name?: string; restarts: number; ready?: boolean; version?: string }): void {
  const version = options.version ?? '1.24.2';
  api.put({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: options.name ?? ISTIOD, namespace: 'istio-system', labels: { app: 'istiod', 'app.kubernetes.io/version': version } },
    spec: { containers: [{ name: 'discovery', image: `docker.io/istio/pilot:${version}` }] },
    status: {
      phase: 'Running',
      containerStatuses: [{ name: 'discovery', ready: options.ready ?? true, restartCount: options.restarts, image: `docker.io/istio/pilot:${version}`, imageID: '' }],
    },
  });
}

export function putRootCert(api: FakeKubeApi, namespace = 'istio-system', pem = ROOT_CERT_PEM): void {
  api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-ca-root-cert', namespace }, data: { 'root-cert.pem': pem } });
}

/** A promotion request as src/mesh/canary stores it (ConfigMap labelled mesh-bot/kind=promotion). */
export function putPromotion(api: FakeKubeApi, request: { id: string; cluster?: string; namespace?: string; state?: string; requestedAt: string; expiresAt: string; requester?: string }): void {
  const value = {
    id: request.id,
    cluster: request.cluster ?? 'default',
    namespace: request.namespace ?? 'bookinfo',
    virtualService: 'reviews',
    apiVersion: 'v1',
    requester: request.requester ?? 'U0ALICE',
    requestChannel: 'C0OPS',
    requestedAt: request.requestedAt,
    expiresAt: request.expiresAt,
    state: request.state ?? 'pending',
    card: null,
    decidedBy: null,
    decidedAt: null,
    plan: {
      host: 'reviews',
      stableSubset: 'v1',
      canarySubset: 'v2',
      currentWeight: 10,
      targetWeight: 50,
      resourceVersion: '1',
      changes: [
        {
          index: 0,
          name: 'reviews-route',
          before: [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }],
          after: [{ host: 'reviews', subset: 'v1', weight: 50 }, { host: 'reviews', subset: 'v2', weight: 50 }],
          readRoute: [],
        },
      ],
      patch: [],
    },
    preflight: { notes: [] },
    outcome: null,
    rolledBack: null,
  };
  api.put({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `mesh-bot-promo-${request.id}`, namespace: BOT_NAMESPACE, labels: { 'mesh-bot/kind': 'promotion' } },
    data: { 'value.json': JSON.stringify(value) },
  });
}

/** `istioctl analyze -o json` output: what FAKE_ISTIOCTL_ANALYZE_FILE replays. */
export function analyzeJson(findings: readonly { code: string; level: 'Error' | 'Warning' | 'Info'; message: string; origin: string }[]): string {
  return JSON.stringify(findings.map((finding) => ({ ...finding, documentationUrl: `https://istio.io/v1.24/docs/reference/config/analysis/${finding.code.toLowerCase()}/?ref=istioctl-analyze` })), null, '\t');
}
