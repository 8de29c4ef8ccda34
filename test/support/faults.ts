/**
 * Fault injection from the outside: every Kubernetes and Slack call a replica makes passes through a numbered
 * fault point. A call can crash the replica (its effect lands or not, and neither it nor any later call of that
 * replica ever answers), stall until the test lets it go, or fail with an HTTP status, a timeout or a connection
 * reset — optionally after the write reached the server (an ambiguous failure). Failed calls are really sent over
 * HTTP to a small fault server, so the production code sees the exact errors its clients throw.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConfiguration, KubeConfig, ResponseContext, ServerConfiguration, wrapHttpLibrary } from '@kubernetes/client-node';
import { LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import type { ClusterKube } from '../../src/kube/clients.ts';
import { appClientOptions } from '../../src/slack/app.ts';

export type FailureKind = 409 | 422 | 429 | 500 | 'timeout' | 'reset';
/** Every failure a write can meet. */
export const FAILURE_KINDS: readonly FailureKind[] = [409, 422, 429, 500, 'timeout', 'reset'];
/**
 * The failures a read can meet: throttling, a server error, a broken connection. 409 and 422 answer writes only,
 * and the API server's 504 Timeout is a 5xx Status answer to a GET exactly like 500.
 */
export const READ_FAILURE_KINDS: readonly FailureKind[] = [429, 500, 'reset'];
/**
 * Failures after which the write may still have landed (the answer was lost, not the request): a Status error
 * and a broken connection for Kubernetes (its 504 Timeout is a Status error like 500); for Slack also a timeout,
 * which the client itself raises.
 */
export const AMBIGUOUS_KINDS: { readonly kube: readonly FailureKind[]; readonly slack: readonly FailureKind[] } = { kube: [500, 'reset'], slack: [500, 'timeout', 'reset'] };

export type Fault =
  /** The call's effect lands, then this replica is gone: no answer, and no later call of it ever answers. */
  | { readonly kind: 'crash'; readonly at: number }
  /** The replica is gone just before this call: it never reaches the server. */
  | { readonly kind: 'crash-before'; readonly at: number }
  /** The call waits until the test releases it (a slow Slack retry, a GC pause, a paused pod). */
  | { readonly kind: 'stall'; readonly at: number }
  /** The call fails; `applied` sends it to the server first and loses the answer; `persistent` fails every retry. */
  | { readonly kind: 'fail'; readonly at: number; readonly failure: FailureKind; readonly applied: boolean; readonly persistent: boolean };

export function describeFault(fault: Fault | null): string {
  if (!fault) return 'no fault';
  if (fault.kind !== 'fail') return `${fault.kind} at call ${fault.at}`;
  return `${fault.failure}${fault.applied ? ' after the write landed' : ''}${fault.persistent ? '' : ' (first attempt only)'} at call ${fault.at}`;
}

export interface CallRecord {
  readonly n: number;
  readonly site: string;
  readonly write: boolean;
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** mulberry32: a small seeded generator, so every schedule the suite explores can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ArmedFailure {
  readonly failure: FailureKind;
  readonly applied: boolean;
  readonly persistent: boolean;
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const KUBE_REASONS: Record<number, string> = { 409: 'Conflict', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 504: 'Timeout' };

/**
 * Answers the one call armed at a time with its failure; `applied` first forwards it to the real (fake) server.
 * A Kubernetes timeout is the API server's own 504 Timeout Status (the write may have been committed); a Slack
 * timeout is an answer that never comes, so the client's own timeout fires.
 */
export class FaultServer {
  #armed: ArmedFailure | null = null;
  readonly #held: ServerResponse[] = [];
  readonly #server: Server;
  readonly url: string;
  readonly #upstream: string;
  readonly #flavour: 'kube' | 'slack';

  private constructor(server: Server, url: string, upstream: string, flavour: 'kube' | 'slack') {
    this.#server = server;
    this.url = url;
    this.#upstream = upstream;
    this.#flavour = flavour;
  }

  static async start(upstream: string, flavour: 'kube' | 'slack'): Promise<FaultServer> {
    let instance: FaultServer | undefined;
    const server = createServer((request, response) => {
      void instance?.handle(request, response).catch(() => response.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    instance = new FaultServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, upstream.replace(/\/$/, ''), flavour);
    return instance;
  }

  arm(failure: ArmedFailure): void {
    this.#armed = failure;
  }

  private async forward(request: IncomingMessage, body: Buffer): Promise<Response> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string' && name !== 'host' && name !== 'content-length' && name !== 'connection') headers.set(name, value);
    const path = this.#flavour === 'slack' ? (request.url ?? '/').replace(/^\/api\//, '/') : (request.url ?? '/');
    return fetch(`${this.#upstream}${path}`, { method: request.method ?? 'GET', headers, ...(body.length > 0 ? { body } : {}) });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readAll(request);
    const armed = this.#armed;
    if (!armed) {
      // A retry after a first-attempt-only failure: served normally.
      const answer = await this.forward(request, body);
      const headers: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection' && name !== 'keep-alive') headers[name] = value;
      });
      response.writeHead(answer.status, headers);
      response.end(Buffer.from(await answer.arrayBuffer()));
      return;
    }
    if (!armed.persistent) this.#armed = null;
    if (armed.applied) await (await this.forward(request, body)).arrayBuffer();
    if (armed.failure === 'reset') {
      request.socket.destroy();
      return;
    }
    if (armed.failure === 'timeout' && this.#flavour === 'slack') {
      this.#held.push(response);
      return;
    }
    const code = armed.failure === 'timeout' ? 504 : armed.failure;
    if (this.#flavour === 'slack') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      // Slack always asks for at least a second; 0 keeps the suite fast and exercises the same retry path.
      if (code === 429) headers['retry-after'] = '0';
      response.writeHead(code, headers);
      response.end(JSON.stringify(code === 429 ? { ok: false, error: 'ratelimited' } : { ok: false, error: 'fatal_error' }));
      return;
    }
    const reason = KUBE_REASONS[code] ?? 'InternalError';
    const message =
      code === 504 ? 'Timeout: request did not complete within requested timeout - context deadline exceeded' : code === 429 ? 'Too many requests, please try again later.' : `injected ${code} ${reason}`;
    response.writeHead(code, { 'content-type': 'application/json', ...(code === 429 ? { 'retry-after': '1' } : {}) });
    response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
  }

  async close(): Promise<void> {
    for (const held of this.#held.splice(0)) held.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Which of several concurrent operations (lanes) a call belongs to, for the interleaving scheduler. */
const laneStorage = new AsyncLocalStorage<string>();

export function inLane<T>(lane: string, run: () => Promise<T>): Promise<T> {
  return laneStorage.run(lane, run);
}

/**
 * Runs concurrent operations one call at a time in a seeded order: every call waits for its turn; once every
 * live lane is waiting (or finished, or dead), one waiting lane chosen by the seed proceeds.
 */
export class Interleaver {
  readonly #waiting = new Map<string, () => void>();
  readonly #finished = new Set<string>();
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  turn(lane: string): Promise<void> {
    return new Promise((resolve) => this.#waiting.set(lane, resolve));
  }

  /** `beforeStep` runs before the n-th call is let go (time passing at a seeded moment, say). */
  async run(lanes: ReadonlyMap<string, () => Promise<unknown>>, isDead: (lane: string) => boolean, beforeStep: (step: number) => void = () => undefined): Promise<Map<string, unknown>> {
    const results = new Map<string, unknown>();
    const all = [...lanes.keys()];
    for (const [lane, start] of lanes) {
      void inLane(lane, start).then(
        (value) => {
          results.set(lane, value);
          this.#finished.add(lane);
        },
        (error: unknown) => {
          results.set(lane, error);
          this.#finished.add(lane);
        },
      );
    }
    const settled = (lane: string) => this.#finished.has(lane) || this.#waiting.has(lane) || isDead(lane);
    for (let step = 1; ; step += 1) {
      const deadline = Date.now() + 30_000;
      while (!all.every(settled)) {
        if (Date.now() > deadline) throw new Error(`interleaving stuck: lanes ${all.filter((lane) => !settled(lane)).join(', ')} neither call nor finish`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const waiting = all.filter((lane) => this.#waiting.has(lane) && !isDead(lane));
      if (waiting.length === 0) return results;
      const chosen = waiting[Math.floor(this.#random() * waiting.length)] ?? waiting[0];
      if (chosen === undefined) return results;
      const go = this.#waiting.get(chosen);
      this.#waiting.delete(chosen);
      beforeStep(step);
      go?.();
      // Let the chosen call leave before judging who waits next.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

function isWriteCall(method: string, args: readonly unknown[]): boolean {
  if (!/^(create|replace|patch|delete)/.test(method)) return false;
  const first = args[0] as { dryRun?: unknown } | undefined;
  return first?.dryRun === undefined;
}

function kubeSite(api: string, method: string, args: readonly unknown[]): string {
  const first = (args[0] ?? {}) as { name?: unknown; plural?: unknown; body?: { metadata?: { name?: unknown } }; dryRun?: unknown; labelSelector?: unknown };
  const name = typeof first.name === 'string' ? first.name : typeof first.body?.metadata?.name === 'string' ? first.body.metadata.name : '';
  const what = [typeof first.plural === 'string' ? first.plural : '', name.replace(/pr-[0-9a-f]{12}/, 'pr-*').replace(/-[0-9a-f]{8,}$/, '-*')].filter((part) => part !== '').join('/');
  return `kube ${api}.${method}(${what}${first.dryRun !== undefined ? ', dryRun' : ''})`;
}

/**
 * One bot process as the fault model sees it: its calls are numbered from 1, and at most one fault hits it.
 * `crashed`/`stalled` resolve when the fault fires, so a test can wait for "done, crashed or stalled".
 */
export class Replica {
  readonly calls: CallRecord[] = [];
  dead = false;
  #crashed: () => void = () => undefined;
  readonly crashed: Promise<void>;
  #stalled: () => void = () => undefined;
  readonly stalled: Promise<void>;
  #release: () => void = () => undefined;
  readonly #released: Promise<void>;
  interleaver: Interleaver | null = null;
  /** Calls sent and not yet answered (a stalled call does not count: it waits for the test, not for I/O). */
  inFlight = 0;
  readonly name: string;
  readonly #fault: Fault | null;
  readonly #faults: { readonly kube: FaultServer; readonly slack: FaultServer };

  constructor(name: string, fault: Fault | null, faults: { readonly kube: FaultServer; readonly slack: FaultServer }) {
    this.name = name;
    this.#fault = fault;
    this.#faults = faults;
    this.crashed = new Promise((resolve) => (this.#crashed = resolve));
    this.stalled = new Promise((resolve) => (this.#stalled = resolve));
    this.#released = new Promise((resolve) => (this.#release = resolve));
  }

  release(): void {
    this.#release();
  }

  private die(): void {
    this.dead = true;
    this.#crashed();
  }

  async invoke<T>(site: string, write: boolean, flavour: 'kube' | 'slack', real: () => Promise<T>, failing: () => Promise<T>): Promise<T> {
    const lane = laneStorage.getStore();
    if (this.interleaver && lane !== undefined) await this.interleaver.turn(lane);
    if (this.dead) return never<T>();
    const call: CallRecord = { n: this.calls.length + 1, site, write };
    this.calls.push(call);
    const fault = this.#fault?.at === call.n ? this.#fault : null;
    if (fault?.kind === 'crash-before') {
      this.die();
      return never<T>();
    }
    if (fault?.kind === 'stall') {
      this.#stalled();
      await this.#released;
    }
    if (fault?.kind === 'crash') {
      this.inFlight += 1;
      await real().catch(() => undefined);
      this.inFlight -= 1;
      this.die();
      return never<T>();
    }
    let answer: Promise<T>;
    if (fault?.kind === 'fail') {
      const server = flavour === 'kube' ? this.#faults.kube : this.#faults.slack;
      // Left armed: a persistent failure also meets attempts the client makes after it gave up on the call.
      server.arm({ failure: fault.failure, applied: fault.applied, persistent: fault.persistent });
      answer = failing();
    } else {
      answer = real();
    }
    this.inFlight += 1;
    const answered = answer.finally(() => (this.inFlight -= 1));
    // A replica that died while this call was in flight never sees its answer either.
    return answered.then(
      (value) => (this.dead ? never<T>() : value),
      (error: unknown) => (this.dead ? never<T>() : Promise.reject(error)),
    );
  }

  /** The Kubernetes clients of this replica, each call a fault point; `failing` are production clients of the fault server. */
  kube(real: ClusterKube, failing: ClusterKube): ClusterKube {
    const wrap = <T extends object>(label: string, client: T, twin: T): T =>
      new Proxy(client, {
        get: (target, property, receiver) => {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== 'function' || typeof property !== 'string') return value;
          return (...args: unknown[]) =>
            this.invoke(
              kubeSite(label, property, args),
              isWriteCall(property, args),
              'kube',
              () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args),
              () => (Reflect.get(twin, property) as (...a: unknown[]) => Promise<unknown>).apply(twin, args),
            );
        },
      });
    const wrapped: Record<string, unknown> = { ...real };
    for (const [key, client] of Object.entries(real)) {
      const twin: unknown = Reflect.get(failing, key);
      if (key !== 'cluster' && typeof client === 'object' && client !== null && typeof twin === 'object' && twin !== null) wrapped[key] = wrap(key, client, twin);
    }
    return wrapped as unknown as ClusterKube;
  }

  /** A WebClient as production configures it (`options` of the given API URL; the app's by default), each API call a fault point. */
  slackClient(slackApiUrl: string, options: (apiUrl: string) => WebClientOptions = appClientOptions): WebClient {
    const replica = this;
    const production = options(this.#faults.slack.url + '/api/');
    // The production retry policy with the waiting taken out, and a short timeout for answers that never come.
    const failing = new WebClient('xoxb-test-token', { ...production, retryConfig: { retries: production.retryConfig?.retries ?? 10, factor: 1, minTimeout: 1, maxTimeout: 2 }, timeout: 50, logLevel: LogLevel.ERROR });
    class FaultPointClient extends WebClient {
      override apiCall(method: string, options?: Record<string, unknown>): ReturnType<WebClient['apiCall']> {
        return replica.invoke(`slack ${method}`, !/\.(list|info|history|replies)$/.test(method), 'slack', () => super.apiCall(method, options), () => failing.apiCall(method, options));
      }
    }
    return new FaultPointClient('xoxb-test-token', { ...options(slackApiUrl), logLevel: LogLevel.ERROR });
  }
}

/** A kubeconfig like `base` but pointing at another server (the fault server). */
export function kubeConfigAt(base: KubeConfig, server: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: base.clusters.map((cluster) => ({ ...cluster, server })),
    users: base.users,
    contexts: base.contexts,
    currentContext: base.currentContext,
  });
  return config;
}

/**
 * Virtual time for the scheduler and leader: `runUntil` fires timers in order, each only once every replica's
 * calls have been answered, so the outcome depends on the virtual times alone, never on how fast I/O was.
 */
export class StepClock {
  #now: number;
  #timers: { readonly at: number; readonly seq: number; readonly resolve: () => void }[] = [];
  #seq = 0;

  constructor(start: string) {
    this.#now = Date.parse(start);
  }

  now = (): number => this.#now;
  monotonic = (): number => this.#now;

  sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = { at: this.#now + Math.max(0, ms), seq: (this.#seq += 1), resolve: () => resolve() };
      this.#timers.push(timer);
      signal.addEventListener(
        'abort',
        () => {
          this.#timers = this.#timers.filter((candidate) => candidate !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });

  async runUntil(until: number, replicas: readonly Replica[], onTick: (now: number) => void = () => undefined): Promise<void> {
    for (;;) {
      await quiet(replicas);
      onTick(this.#now);
      const next = [...this.#timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next || next.at > until) break;
      this.#timers = this.#timers.filter((timer) => timer !== next);
      this.#now = Math.max(this.#now, next.at);
      next.resolve();
    }
    this.#now = until;
  }
}

/** Waits until no live replica has a call in flight, and the work those answers triggered has run. */
async function quiet(replicas: readonly Replica[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  let calm = 0;
  while (calm < 3) {
    if (Date.now() > deadline) throw new Error('replicas never went quiet');
    await new Promise((resolve) => setImmediate(resolve));
    calm = replicas.every((replica) => replica.dead || replica.inFlight === 0) ? calm + 1 : 0;
  }
}

/**
 * `shape`'s Kubernetes clients for calls that are answered normally, over Node's pooled keep-alive connections.
 * client-node opens a new connection per request, which is most of a call's cost; failing calls keep client-node's own transport, so the
 * errors the production code sees are exactly client-node's.
 */
export function pooledKube(config: KubeConfig, shape: ClusterKube): ClusterKube {
  const server = config.getCurrentCluster()?.server ?? '';
  const httpApi = wrapHttpLibrary({
    async send(request) {
      const body = request.getBody();
      const answer = await fetch(request.getUrl(), { method: request.getHttpMethod(), headers: request.getHeaders(), ...(body === undefined ? {} : { body: body as string }) });
      const headers: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const text = await answer.text();
      return new ResponseContext(answer.status, headers, { text: async () => text, binary: async () => Buffer.from(text), stream: () => null });
    },
  });
  const configuration = createConfiguration({ baseServer: new ServerConfiguration(server, {}), authMethods: { default: config }, httpApi });
  const pooled: Record<string, unknown> = { ...shape };
  for (const [key, client] of Object.entries(shape)) {
    if (key === 'cluster' || typeof client !== 'object' || client === null) continue;
    const type = client.constructor as new (configuration: ReturnType<typeof createConfiguration>) => unknown;
    pooled[key] = new type(configuration);
  }
  return pooled as unknown as ClusterKube;
}
