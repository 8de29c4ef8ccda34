/**
 * One world per fault run: the in-process API server and Slack, a virtual wall clock, replicas of the bot built
 * from the production modules (command, click listeners, canary service, Slack cards) with every outside call a
 * fault point, and a history of the VirtualService and the promotion records after every single API request.
 */
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { canaryCommand } from '../../commands/canary.ts';
import { cardHeadline } from '../../commands/canary.render.ts';
import { createAccessPolicy } from '../../src/access.ts';
import type { CommandDeps, CommandResult } from '../../src/command.ts';
import { loadConfig, type AppConfig, type ClusterConfig } from '../../src/config.ts';
import type { Istioctl } from '../../src/istioctl/istioctl.ts';
import { createKubeFor, type ClusterKube } from '../../src/kube/clients.ts';
import { createStateStore } from '../../src/kube/state-store.ts';
import { promotionRequestSchema } from '../../src/mesh/canary/request.ts';
import { canaryServiceFor } from '../../src/mesh/canary/wiring.ts';
import { createMetrics, type Metrics } from '../../src/metrics.ts';
import { ok } from '../../src/result.ts';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject, type RecordedRequest } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack, type StoredMessage } from '../../src/sandbox/slack-api.ts';
import { slackApprovalCards } from '../../src/slack/cards.ts';
import type { ListenerContext } from '../../src/slack/context.ts';
import { registerCanaryDecisions } from '../../src/slack/listeners/actions/canary-decision.ts';
import { registerCanaryRollback } from '../../src/slack/listeners/actions/canary-rollback.ts';
import { FaultServer, kubeConfigAt, pooledKube, Replica, type Fault } from './faults.ts';
import { quietLogger } from './quiet.ts';

export const NAMESPACE = 'bookinfo';
export const VS_NAME = 'reviews';
export const CARD_CHANNEL = 'C0REL';
export const OPS_CHANNEL = 'C0OPS';
export const TTL_MS = 30 * 60_000;

const CONFIG_YAML = `
access:
  operators: { users: [U0ALICE, U0DAVE] }
  approvers: { users: [U0BOB, U0CAROL, U0DAVE] }
approvals:
  ttl: 30m
  channel: ${CARD_CHANNEL}
  propagationTimeout: 1s
  propagationInterval: 100ms
`;

let configOnce: Promise<AppConfig> | undefined;
function suiteConfig(): Promise<AppConfig> {
  configOnce ??= loadConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: 'fault-suite-secret', MESH_BOT_CONFIG: '/fault-suite/config.yaml', POD_NAMESPACE: 'mesh-bot' }, async () => CONFIG_YAML).then((loaded) => {
    if (!loaded.ok) throw new Error(`fault suite config refused: ${loaded.error.message}`);
    return loaded.value;
  });
  return configOnce;
}

let metricsOnce: Metrics | undefined;

/** istioctl is not a fault point here: every proxy is in sync at once, analyze finds nothing. */
const calmIstioctl: Istioctl = {
  clientVersion: async () => ok({ version: '1.24.2', minor: { major: 1, minor: 24 } }),
  proxyStatus: async () => ok({ value: { format: 'xds-table', proxies: [], istiods: [] }, asOf: new Date(0) }),
  analyze: async () => ok({ value: { findings: [], client: { version: '1.24.2', minor: { major: 1, minor: 24 } } }, asOf: new Date(0) }),
  proxyConfig: async () => ({ ok: false, error: { kind: 'failed', message: 'not used by the fault suite', detail: '', exitCode: 1 } }),
  ztunnelConfig: async () => ({ ok: false, error: { kind: 'failed', message: 'not used by the fault suite', detail: '', exitCode: 1 } }),
  waypoint: async () => ({ ok: false, error: { kind: 'failed', message: 'not used by the fault suite', detail: '', exitCode: 1 } }),
};

export interface Route {
  name?: string;
  match?: unknown[];
  route: { destination: { host: string; subset: string }; weight: number }[];
  /**
   * The spec fields that say which traffic the rules apply to (a VirtualService's hosts/gateways/exportTo, an
   * HTTPRoute's parentRefs/hostnames), on each rule: a rule that now routes other traffic is not the rule approved.
   */
  scope?: Scope;
}

/** A VirtualService's or HTTPRoute's scope fields as stored (absent fields left out). */
export type Scope = Readonly<Record<string, unknown>>;

const VIRTUAL_SERVICE_SCOPE = ['hosts', 'gateways', 'exportTo'] as const;
const HTTP_ROUTE_SCOPE = ['parentRefs', 'hostnames'] as const;

function scopeOf(spec: Record<string, unknown>, fields: readonly string[]): Scope {
  return Object.fromEntries(fields.filter((field) => spec[field] !== undefined).map((field) => [field, structuredClone(spec[field])]));
}

/** The parts of an HTTPRoute's spec the fault suite writes and reads. */
export interface HttpRouteSpec {
  parentRefs?: Record<string, unknown>[];
  hostnames?: string[];
  rules?: { name?: string; matches?: unknown[]; backendRefs?: { name: string; port?: number; weight?: number; [key: string]: unknown }[] }[];
}

export interface Seed {
  /**
   * `HTTPRoute`: the same split as a Gateway API HTTPRoute whose backendRefs are Services named `v1` and `v2`
   * (so plans, cards and invariants read the same); no VirtualService exists.
   */
  readonly kind?: 'VirtualService' | 'HTTPRoute';
  readonly weights?: readonly [number, number];
  /** The route's name; null seeds an unnamed route with a URI match (guarded by its destinations only). */
  readonly routeName?: string | null;
}

export function reviewsRoute(weights: readonly [number, number], name: string | null, match?: unknown[]): Route {
  return {
    ...(name === null ? {} : { name }),
    ...(match ? { match } : name === null ? { match: [{ uri: { prefix: '/reviews' } }] } : {}),
    route: [
      { destination: { host: VS_NAME, subset: 'v1' }, weight: weights[0] },
      { destination: { host: VS_NAME, subset: 'v2' }, weight: weights[1] },
    ],
  };
}

/** A world's objects and bot messages, to start other worlds from. */
export interface Frozen {
  readonly now: number;
  readonly objects: readonly KubeObject[];
  readonly messages: readonly { readonly channel: string; readonly text: string; readonly blocks: unknown[] | undefined; readonly threadTs: string | undefined; readonly ts: string }[];
}

const FROZEN_KINDS: readonly (readonly [string, string, string])[] = [
  ['networking.istio.io/v1', 'VirtualService', NAMESPACE],
  ['networking.istio.io/v1', 'DestinationRule', NAMESPACE],
  ['gateway.networking.k8s.io/v1', 'HTTPRoute', NAMESPACE],
  ['v1', 'Service', NAMESPACE],
  ['v1', 'Pod', NAMESPACE],
  ['v1', 'ConfigMap', 'mesh-bot'],
  ['v1', 'Event', NAMESPACE],
];

/** What one snapshot of the world holds: the VirtualService's routes and every promotion and lock record. */
export interface Snapshot {
  readonly at: number;
  /** `spec.http` of the VirtualService, null while it does not exist. */
  readonly http: Route[] | null;
  readonly requests: ReadonlyMap<string, RequestView>;
  readonly locks: readonly string[];
  /** The API request served just before this snapshot was taken, or the test's own change. */
  readonly cause: string;
  /** Written by the test (another writer), not by mesh-bot. */
  readonly external: boolean;
}

export interface RequestView {
  readonly id: string;
  readonly state: string;
  readonly requester: string;
  readonly decidedBy: string | null;
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly card: { channel: string; ts: string } | null;
  readonly changes: readonly { index: number; after: readonly { subset: string; weight: number }[] }[];
  readonly change: string;
  /** Applied, neither rolled back nor superseded: its card says its weights are the ones in force ("Now"). */
  readonly claimsLive: boolean;
}

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function requestView(configMap: KubeObject): RequestView | null {
  const data = (configMap['data'] as Record<string, string> | undefined)?.['value.json'];
  if (!data) return null;
  const value = JSON.parse(data) as {
    id: string;
    state: string;
    requester: string;
    decidedBy: string | null;
    requestedAt: string;
    expiresAt: string;
    card: { channel: string; ts: string } | null;
    rolledBack: unknown;
    supersededBy?: unknown;
    plan: { stableSubset: string; changes: { index: number; before: { subset: string; weight: number }[]; after: { subset: string; weight: number }[] }[] };
  };
  const first = value.plan.changes[0];
  const split = (list: readonly { subset: string; weight: number }[]) =>
    [...list]
      .sort((a, b) => (a.subset === value.plan.stableSubset ? -1 : b.subset === value.plan.stableSubset ? 1 : 0))
      .map((destination) => `${destination.subset} ${destination.weight}%`)
      .join(' / ');
  return {
    id: value.id,
    state: value.state,
    requester: value.requester,
    decidedBy: value.decidedBy,
    requestedAt: value.requestedAt,
    expiresAt: value.expiresAt,
    card: value.card,
    changes: value.plan.changes.map((change) => ({ index: change.index, after: change.after })),
    change: first ? `${split(first.before)} → ${split(first.after)}` : '',
    claimsLive: value.state === 'applied' && !value.rolledBack && !value.supersededBy,
  };
}

/** A replica of the bot: production modules over fault-point clients. */
export interface Actor {
  readonly replica: Replica;
  readonly deps: CommandDeps;
  readonly ctx: ListenerContext;
  readonly handlers: ReadonlyMap<string, (args: Record<string, unknown>) => Promise<void>>;
  readonly web: WebClient;
}

export interface Answer {
  readonly text: string;
  readonly refused: boolean;
}

export class World {
  now: Date = new Date('2026-11-21T10:00:00Z');
  readonly history: Snapshot[] = [];
  #lastKey = '';
  #pendingCause = 'start';
  #kind: NonNullable<Seed['kind']> = 'VirtualService';

  readonly api: FakeKubeApi;
  readonly slack: FakeSlack;
  readonly faults: { readonly kube: FaultServer; readonly slack: FaultServer };
  readonly config: AppConfig;
  readonly cluster: ClusterConfig;

  private constructor(api: FakeKubeApi, slack: FakeSlack, faults: { readonly kube: FaultServer; readonly slack: FaultServer }, config: AppConfig, cluster: ClusterConfig) {
    this.api = api;
    this.slack = slack;
    this.faults = faults;
    this.config = config;
    this.cluster = cluster;
  }

  /** A fresh world seeded with `seed`, or exactly as `frozen` left another one (its objects and messages). */
  static async start(seed: Seed = {}, frozen?: Frozen): Promise<World> {
    const [api, slack, config] = await Promise.all([startFakeKubeApi(), startFakeSlack(), suiteConfig()]);
    const [kube, slackFaults] = await Promise.all([FaultServer.start(api.url, 'kube'), FaultServer.start(slack.apiUrl, 'slack')]);
    const cluster = config.clusters[0];
    if (!cluster) throw new Error('fault suite config has no cluster');
    const world = new World(api, slack, { kube, slack: slackFaults }, config, cluster);
    world.#kind = seed.kind ?? 'VirtualService';
    if (frozen) world.thaw(frozen);
    else world.seed(seed);
    world.watch();
    return world;
  }

  /** Everything a later run needs to start where this world is now. */
  freeze(): Frozen {
    const objects = FROZEN_KINDS.flatMap(([apiVersion, kind, namespace]) => this.api.list(apiVersion, kind, namespace).map((object) => structuredClone(object)));
    const messages = [CARD_CHANNEL, OPS_CHANNEL]
      .flatMap((channel) => this.slack.messages(channel).filter((message) => message.ephemeralTo === undefined && message.via === 'api'))
      .sort((a, b) => a.ts.localeCompare(b.ts))
      .map((message) => ({ channel: message.channel, text: message.text, blocks: message.blocks, threadTs: message.threadTs, ts: message.ts }));
    return { now: this.now.getTime(), objects, messages };
  }

  private thaw(frozen: Frozen): void {
    this.now = new Date(frozen.now);
    for (const object of frozen.objects) {
      const { resourceVersion: _resourceVersion, ...metadata } = object.metadata ?? {};
      this.api.put({ ...structuredClone(object), metadata });
    }
    // Message timestamps are a sequence: posting the same messages in the same order gives them the same ts.
    for (const message of frozen.messages) {
      const posted = this.slack.postFromClient({ channel: message.channel, user: this.slack.botUserId, text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}), ...(message.threadTs ? { threadTs: message.threadTs } : {}), via: 'client' });
      if (posted.ts !== message.ts) throw new Error(`restored message got ts ${posted.ts}, not ${message.ts}`);
      posted.via = 'api';
    }
  }

  private seed(seed: Seed): void {
    if (this.#kind === 'HTTPRoute') this.seedHttpRoute(seed.weights ?? [90, 10]);
    else this.putVirtualService([reviewsRoute(seed.weights ?? [90, 10], seed.routeName === undefined ? 'reviews-route' : seed.routeName)]);
    this.api.put({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: VS_NAME, namespace: NAMESPACE },
      spec: { host: VS_NAME, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
    });
    this.api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: VS_NAME, namespace: NAMESPACE }, spec: { selector: { app: VS_NAME }, ports: [{ name: 'http', port: 9080 }] } });
    for (const version of ['v1', 'v2']) {
      this.api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `reviews-${version}-5fd6d4f8f8-abcde`, namespace: NAMESPACE, labels: { app: VS_NAME, version } }, spec: { containers: [{ name: VS_NAME, image: 'reviews' }] }, status: { phase: 'Running' } });
    }
  }

  /** The bookinfo reviews HTTPRoute (Istio's Gateway API sample) with backend Services `v1` and `v2`. */
  private seedHttpRoute(weights: readonly [number, number]): void {
    this.api.put({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: VS_NAME, namespace: NAMESPACE },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: VS_NAME, port: 9080 }],
        rules: [{ backendRefs: [{ name: 'v1', port: 9080, weight: weights[0] }, { name: 'v2', port: 9080, weight: weights[1] }] }],
      },
    });
    for (const version of ['v1', 'v2']) {
      this.api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: version, namespace: NAMESPACE }, spec: { selector: { app: VS_NAME, version }, ports: [{ name: 'http', port: 9080 }] } });
    }
  }

  /**
   * The VirtualService as another writer would leave it (kubectl, a GitOps tool): recorded as not mesh-bot's.
   * `scope` (hosts, gateways, exportTo) replaces the stored one when given; otherwise it is kept (hosts: reviews).
   */
  putVirtualService(http: Route[], annotations?: Record<string, string>, scope?: Scope): void {
    const existing = this.virtualService();
    const metadata = (existing?.metadata ?? {}) as Record<string, unknown>;
    const kept = existing ? scopeOf((existing['spec'] ?? {}) as Record<string, unknown>, VIRTUAL_SERVICE_SCOPE) : { hosts: [VS_NAME] };
    this.record(this.#pendingCause, false);
    this.api.put({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: VS_NAME, namespace: NAMESPACE, annotations: annotations ?? ((metadata['annotations'] ?? {}) as Record<string, string>) },
      spec: { ...(scope ?? kept), http: http.map(({ scope: _scope, ...route }) => route) },
    });
    this.record('another writer changed the VirtualService', true);
  }

  /** The route object of this world: its VirtualService, or its HTTPRoute. */
  virtualService(): KubeObject | undefined {
    return this.#kind === 'HTTPRoute' ? this.api.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NAMESPACE, VS_NAME) : this.api.get('networking.istio.io/v1', 'VirtualService', NAMESPACE, VS_NAME);
  }

  /**
   * `spec.http`, or an HTTPRoute's rules in the same shape: the backend Service as the subset, the rest of its
   * backendRef as the host, a missing weight 1; each with the object's scope fields.
   */
  http(): Route[] | null {
    if (this.#kind === 'HTTPRoute') {
      const spec = this.virtualService()?.['spec'] as HttpRouteSpec | undefined;
      if (!spec) return null;
      return (spec.rules ?? []).map((rule) => ({
        ...(rule.name === undefined ? {} : { name: rule.name }),
        ...(rule.matches === undefined ? {} : { match: structuredClone(rule.matches) }),
        route: (rule.backendRefs ?? []).map(({ name, weight, ...ref }) => ({ destination: { host: stableJson(ref), subset: name }, weight: weight ?? 1 })),
        scope: scopeOf(spec as Record<string, unknown>, HTTP_ROUTE_SCOPE),
      }));
    }
    const spec = this.virtualService()?.['spec'] as { http?: Route[] } | undefined;
    return spec ? structuredClone(spec.http ?? []).map((route) => ({ ...route, scope: scopeOf(spec, VIRTUAL_SERVICE_SCOPE) })) : null;
  }

  /** The VirtualService's hosts, gateways and exportTo as stored now. */
  virtualServiceScope(): Scope {
    return scopeOf((this.virtualService()?.['spec'] ?? {}) as Record<string, unknown>, VIRTUAL_SERVICE_SCOPE);
  }

  /** The HTTPRoute's spec as stored now. */
  httpRouteSpec(): HttpRouteSpec {
    const existing = this.virtualService();
    if (!existing) throw new Error('no HTTPRoute');
    return structuredClone(existing['spec']) as HttpRouteSpec;
  }

  /** The HTTPRoute as another writer leaves it (kubectl, a GitOps sync): its annotations kept unless given. */
  putHttpRoute(spec: HttpRouteSpec, annotations?: Record<string, string>): void {
    const metadata = (this.virtualService()?.metadata ?? {}) as Record<string, unknown>;
    this.record(this.#pendingCause, false);
    this.api.put({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: VS_NAME, namespace: NAMESPACE, annotations: annotations ?? ((metadata['annotations'] ?? {}) as Record<string, string>) },
      spec,
    });
    this.record('another writer changed the HTTPRoute', true);
  }

  /** Deleting needs the API (the fake has no direct delete): a request of the test's own, outside any replica. */
  async deleteVirtualService(): Promise<void> {
    const path = this.#kind === 'HTTPRoute' ? 'gateway.networking.k8s.io/v1' : 'networking.istio.io/v1';
    await fetch(`${this.api.url}/apis/${path}/namespaces/${NAMESPACE}/${this.#kind.toLowerCase()}s/${VS_NAME}`, { method: 'DELETE' });
    this.record(`another writer deleted the ${this.#kind}`, true);
  }

  requests(): Map<string, RequestView> {
    const views = new Map<string, RequestView>();
    for (const configMap of this.api.list('v1', 'ConfigMap', 'mesh-bot')) {
      const labels = (configMap.metadata?.labels ?? {}) as Record<string, string>;
      if (labels['mesh-bot/kind'] !== 'promotion') continue;
      const view = requestView(configMap);
      if (view) views.set(view.id, view);
    }
    return views;
  }

  /** The card headline of the request as stored now (what its card must say once updated). */
  headline(id: string): string | null {
    const configMap = this.api.get('v1', 'ConfigMap', 'mesh-bot', `mesh-bot-promo-${id}`);
    const data = (configMap?.['data'] as Record<string, string> | undefined)?.['value.json'];
    const parsed = data ? promotionRequestSchema.safeParse(JSON.parse(data)) : null;
    return parsed?.success ? cardHeadline(parsed.data) : null;
  }

  locks(): string[] {
    return this.api
      .list('v1', 'ConfigMap', 'mesh-bot')
      .map((configMap) => configMap.metadata?.name ?? '')
      .filter((name) => name.startsWith('mesh-bot-lock'));
  }

  /** Records the world after every API request (the fake serves each request synchronously, in arrival order). */
  private watch(): void {
    const requests = this.api.requests as RecordedRequest[];
    const push = requests.push.bind(requests);
    let lastWasRead = false;
    requests.push = (...items: RecordedRequest[]) => {
      // A read changes nothing: the state after it is the state recorded before it.
      if (!lastWasRead) this.record(this.#pendingCause, false);
      const item = items[0];
      lastWasRead = item?.method === 'GET';
      this.#pendingCause = item ? `${item.method} ${item.path}${item.query['dryRun'] ? ' (dry run)' : ''}` : 'request';
      return push(...items);
    };
    this.record('start', true);
  }

  record(cause: string, external: boolean): void {
    // resourceVersions say whether anything changed, without reading the records themselves.
    const versions = [this.virtualService(), ...this.api.list('v1', 'ConfigMap', 'mesh-bot')].map((object) => `${object?.metadata?.name ?? '-'}@${object?.metadata?.resourceVersion ?? ''}`);
    const key = versions.join(',');
    if (key === this.#lastKey && !external) return;
    this.#lastKey = key;
    this.history.push({ at: this.now.getTime(), http: this.http(), requests: this.requests(), locks: this.locks(), cause, external });
  }

  /** Moves the virtual wall clock (the one every replica reads). */
  advance(ms: number): void {
    this.record(this.#pendingCause, false);
    this.now = new Date(this.now.getTime() + ms);
  }

  actor(name: string, fault: Fault | null = null): Actor {
    const replica = new Replica(name, fault, this.faults);
    const logger = quietLogger();
    const base = this.api.kubeConfig();
    const failing = createKubeFor(() => kubeConfigAt(base, this.faults.kube.url))(this.cluster);
    if (!failing.ok) throw new Error(failing.error.message);
    const kube: ClusterKube = replica.kube(pooledKube(base, failing.value), failing.value);
    const store = createStateStore(kube.core, 'mesh-bot', this.cluster.name);
    const web = replica.slackClient(this.slack.apiUrl);
    const deps: CommandDeps = {
      config: this.config,
      istioctl: calmIstioctl,
      kubeFor: () => ok(kube),
      state: () => ok(store),
      now: () => this.now,
      // Waiting is virtual: a replica that sleeps moves the shared clock on (and yields, as a real sleep would).
      sleep: async (ms) => {
        this.advance(ms);
        await new Promise((resolve) => setImmediate(resolve));
      },
      logger,
      cards: slackApprovalCards(web, logger, () => this.now),
    };
    metricsOnce ??= createMetrics();
    const ctx: ListenerContext = {
      deps,
      access: createAccessPolicy({ access: this.config.access, postsTo: [CARD_CHANNEL], usergroupMembers: async () => [], logger }),
      metrics: metricsOnce,
      logger,
    };
    const handlers = new Map<string, (args: Record<string, unknown>) => Promise<void>>();
    const app = { action: (id: string, handler: (args: Record<string, unknown>) => Promise<void>) => handlers.set(id, handler) } as unknown as App;
    registerCanaryDecisions(app, ctx);
    registerCanaryRollback(app, ctx);
    return { replica, deps, ctx, handlers, web };
  }

  async command(actor: Actor, tokens: readonly string[], user: string): Promise<Answer> {
    const prepared = canaryCommand.prepare(tokens);
    if (!prepared.ok) throw new Error(prepared.error);
    const result: CommandResult = await prepared.value.execute(this.cluster, actor.deps, { surface: 'slack', user, channel: OPS_CHANNEL });
    return { text: result.toText(), refused: result.failed };
  }

  promote(actor: Actor, user = 'U0ALICE', weight = 50): Promise<Answer> {
    return this.command(actor, ['promote', VS_NAME, '--weight', String(weight), '-n', NAMESPACE], user);
  }

  rollback(actor: Actor, user = 'U0DAVE', extra: readonly string[] = []): Promise<Answer> {
    return this.command(actor, ['rollback', VS_NAME, '-n', NAMESPACE, ...extra], user);
  }

  /** A button press on the card as Bolt hands it to the listener; resolves with what the clicker was told. */
  async click(actor: Actor, actionId: string, requestId: string, user: string, messageTs = this.cardOf(requestId)?.ts): Promise<string[]> {
    const handler = actor.handlers.get(actionId);
    if (!handler) throw new Error(`no listener for ${actionId}`);
    const told: string[] = [];
    await handler({
      ack: async () => undefined,
      body: { user: { id: user }, channel: { id: CARD_CHANNEL }, container: { channel_id: CARD_CHANNEL, message_ts: messageTs }, message: { ts: messageTs } },
      action: { action_id: actionId, value: requestId, type: 'button' },
      client: actor.web,
      respond: async (message: { text?: string }) => {
        told.push(message.text ?? '');
      },
    });
    return told;
  }

  /** The leader's minute sweep, as server.ts runs it: settle and expire, then rewrite the affected cards. */
  async sweep(actor: Actor): Promise<void> {
    const service = canaryServiceFor(actor.deps, this.cluster);
    if (!service.ok) throw new Error(service.error);
    for (const changed of await service.value.sweepExpired()) await actor.deps.cards?.update(changed);
  }

  /** Every top-level bot message that is the card of `requestId` (the context line names the request). */
  /** A request's cards: those whose context line names it (another card may mention it, "superseded by request …"). */
  cards(requestId: string): StoredMessage[] {
    return [CARD_CHANNEL, OPS_CHANNEL].flatMap((channel) =>
      this.slack.messages(channel).filter((message) => message.threadTs === undefined && message.via === 'api' && JSON.stringify(message.blocks ?? []).includes(`"text":"request ${requestId}"`)),
    );
  }

  /** What was said in the threads of a request's cards. */
  replies(requestId: string): StoredMessage[] {
    const cards = this.cards(requestId);
    return [CARD_CHANNEL, OPS_CHANNEL].flatMap((channel) => this.slack.messages(channel).filter((message) => cards.some((card) => card.channel === message.channel && card.ts === message.threadTs)));
  }

  cardOf(requestId: string): StoredMessage | undefined {
    return this.cards(requestId)[0];
  }

  events(): { reason?: string; message?: string }[] {
    return this.api.list('v1', 'Event', NAMESPACE) as { reason?: string; message?: string }[];
  }

  async close(): Promise<void> {
    await Promise.all([this.api.close(), this.slack.close(), this.faults.kube.close(), this.faults.slack.close()]);
  }
}
