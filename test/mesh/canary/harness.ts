/** createCanaryService against the in-process Kubernetes API, with a clock the test moves and seams for faults. */
import assert from 'node:assert/strict';
import type { ClusterConfig } from '../../../src/config.ts';
import type { IstioctlError } from '../../../src/istioctl/errors.ts';
import type { Istioctl } from '../../../src/istioctl/istioctl.ts';
import type { AnalyzeFinding } from '../../../src/istioctl/parsers/analyze.ts';
import type { ProxyStatusReport } from '../../../src/istioctl/types.ts';
import { createKubeFor } from '../../../src/kube/clients.ts';
import { createGatewayApiObjects, type GatewayApiObjects } from '../../../src/kube/gateway-api.ts';
import { createIstioObjects, type IstioObjects } from '../../../src/kube/istio-objects.ts';
import { createStateStore, type StateStore } from '../../../src/kube/state-store.ts';
import { promotionRequestSchema, type PromotionRequest } from '../../../src/mesh/canary/request.ts';
import { createCanaryService, type CanaryDeps } from '../../../src/mesh/canary/service.ts';
import { err, ok } from '../../../src/result.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../../src/sandbox/kube-api.ts';
import { seedReviews } from '../../support/bookinfo.ts';
import { quietLogger } from '../../support/quiet.ts';

export const cluster: ClusterConfig = { name: 'prod-eu', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };

export interface HarnessOptions {
  readonly istioVersions?: readonly string[];
  readonly findings?: readonly AnalyzeFinding[] | 'broken';
  /** Wraps the real Istio objects client, to inject faults at the seam the service sees. */
  readonly istio?: (real: IstioObjects) => IstioObjects;
  /** Gives the service HTTPRoutes (production always does); wraps the real client when a function. */
  readonly gateway?: true | ((real: GatewayApiObjects) => GatewayApiObjects);
  /** What proxy-status answers, given when it was asked; an IstioctlError is a failed run. */
  readonly proxyStatus?: (asOf: Date) => ProxyStatusReport | IstioctlError;
  readonly propagation?: CanaryDeps['propagation'];
  readonly cards?: CanaryDeps['cards'];
}

export interface Harness {
  readonly api: FakeKubeApi;
  readonly store: StateStore;
  /** The test's clock; `sleep` advances it. */
  now: Date;
  advance(ms: number): void;
  /** A replica: a canary service on the same API server and state. */
  replica(options?: Pick<HarnessOptions, 'istio' | 'gateway'>): ReturnType<typeof createCanaryService>;
  /** The request as stored. */
  stored(id: string): Promise<PromotionRequest | undefined>;
  close(): Promise<void>;
}

function istioctlWith(harness: () => Harness, options: HarnessOptions): Istioctl {
  const asOf = new Date('2026-11-21T10:00:00Z');
  const findings = options.findings ?? [];
  return {
    clientVersion: async () => ok({ version: '1.24.2', minor: { major: 1, minor: 24 } }),
    proxyStatus: async () => {
      const at = harness().now;
      const answer = options.proxyStatus?.(at) ?? { format: 'xds-table', proxies: [], istiods: [] };
      return 'kind' in answer ? err(answer) : ok({ value: answer, asOf: at });
    },
    analyze: async () =>
      findings === 'broken'
        ? err({ kind: 'timeout', message: 'istioctl analyze timed out after 50 s; analyze one namespace with `-n NAMESPACE`.', detail: '', exitCode: null })
        : ok({ value: { findings, client: { version: '1.24.2', minor: { major: 1, minor: 24 } } }, asOf }),
    proxyConfig: async () => err({ kind: 'failed', message: 'not used here', detail: '', exitCode: 1 }),
    ztunnelConfig: async () => err({ kind: 'failed', message: 'not used here', detail: '', exitCode: 1 }),
    waypoint: async () => err({ kind: 'failed', message: 'not used here', detail: '', exitCode: 1 }),
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const api = await startFakeKubeApi(options.istioVersions ? { istioVersions: options.istioVersions } : {});
  const kube = createKubeFor(() => api.kubeConfig())(cluster);
  assert.ok(kube.ok);
  const store = createStateStore(kube.value.core, 'mesh-bot', cluster.name);
  const harness: Harness = {
    api,
    store,
    now: new Date('2026-11-21T10:00:00Z'),
    advance(ms) {
      harness.now = new Date(harness.now.getTime() + ms);
    },
    replica(replicaOptions = {}) {
      const real = createIstioObjects(kube.value);
      const wrap = replicaOptions.istio ?? options.istio;
      const gateway = replicaOptions.gateway ?? options.gateway;
      const realGateway = createGatewayApiObjects(kube.value);
      return createCanaryService({
        cluster,
        istio: wrap ? wrap(real) : real,
        gateway: gateway === undefined ? undefined : gateway === true ? realGateway : gateway(realGateway),
        core: kube.value.core,
        store,
        istioctl: istioctlWith(() => harness, options),
        logger: quietLogger(),
        now: () => harness.now,
        sleep: async (ms) => harness.advance(ms),
        ttlMs: 30 * 60_000,
        propagation: options.propagation ?? { timeoutMs: 0, intervalMs: 0 },
        cards: options.cards,
      });
    },
    async stored(id) {
      const read = await store.get(`mesh-bot-promo-${id}`, promotionRequestSchema);
      assert.ok(read.ok);
      return read.value?.value;
    },
    close: () => api.close(),
  };
  return harness;
}

/** reviews 90/10 in bookinfo, and U0ALICE's pending request to go to 50/50. */
export async function pendingRequest(harness: Harness, weight = 50) {
  seedReviews(harness.api);
  const canary = harness.replica();
  const prepared = await canary.prepare('bookinfo', 'reviews', weight, undefined);
  assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
  const request = await canary.createRequest(prepared.value, 'U0ALICE', 'C0OPS');
  assert.ok(request.ok, request.ok ? '' : request.error);
  return { canary, prepared: prepared.value, request: request.value };
}

/**
 * An IstioObjects whose weight patches (not dry runs, not annotation-only writes) never answer: the replica
 * died there, after the write landed (`landed`) or before it was sent. `reached` resolves when it died.
 */
export function dieOnWeightPatch(landed: boolean): { readonly istio: (real: IstioObjects) => IstioObjects; readonly reached: Promise<void> } {
  let died: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => {
    died = resolve;
  });
  const istio = (real: IstioObjects): IstioObjects => ({
    ...real,
    async patchVirtualService(namespace, name, version, ops, options) {
      if (options.dryRun || !ops.some((op) => op.path.startsWith('/spec/http/') && op.op === 'add')) return real.patchVirtualService(namespace, name, version, ops, options);
      if (landed) await real.patchVirtualService(namespace, name, version, ops, options);
      died();
      return new Promise(() => undefined);
    },
  });
  return { istio, reached };
}

/** VirtualService writes that change weights (not dry runs). */
export function weightWrites(api: FakeKubeApi): number {
  return api.requests.filter(
    (request) =>
      request.method === 'PATCH' &&
      /virtualservices\/reviews$/.test(request.path) &&
      request.query['dryRun'] === undefined &&
      Array.isArray(request.body) &&
      (request.body as { op?: string; path?: string }[]).some((op) => op.op === 'add' && String(op.path).startsWith('/spec/http/')),
  ).length;
}

export function annotationsOfReviews(api: FakeKubeApi): Record<string, string> {
  const vs = api.get('networking.istio.io/v1', 'VirtualService', 'bookinfo', 'reviews') as { metadata?: { annotations?: Record<string, string> } } | undefined;
  return vs?.metadata?.annotations ?? {};
}

/** A request as stored: U0ALICE's pending request to take reviews from 90/10 to 50/50, with `overrides`. */
export function requestRecord(overrides: Partial<PromotionRequest> = {}): PromotionRequest {
  const before = [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }];
  const after = [{ host: 'reviews', subset: 'v1', weight: 50 }, { host: 'reviews', subset: 'v2', weight: 50 }];
  return {
    id: 'pr-0123456789ab',
    cluster: 'prod-eu',
    namespace: 'bookinfo',
    virtualService: 'reviews',
    apiVersion: 'v1',
    requester: 'U0ALICE',
    requestChannel: 'C0OPS',
    requestedAt: '2026-11-21T10:00:00.000Z',
    expiresAt: '2026-11-21T10:30:00.000Z',
    state: 'pending',
    card: { channel: 'C0REL', ts: '1.2' },
    decidedBy: null,
    decidedAt: null,
    plan: { host: 'reviews', stableSubset: 'v1', canarySubset: 'v2', currentWeight: 10, targetWeight: 50, resourceVersion: '7', changes: [{ index: 0, name: 'primary', before, after, readRoute: [] }], patch: [] },
    preflight: { notes: [] },
    outcome: null,
    rolledBack: null,
    ...overrides,
  };
}
