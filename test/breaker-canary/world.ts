/**
 * The outside review's world: route shapes the canary authors did not seed, written into the in-process Kubernetes
 * API, and what a person sees of them through the terminal and signed Slack requests (test/support does the rest).
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack, type RecordedResponse, type StoredMessage } from '../../src/sandbox/slack-api.ts';
import { buttons } from '../support/blocks.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { cli } from '../support/cli.ts';

export const VS_API = 'networking.istio.io/v1';
export const ROUTE_API = 'gateway.networking.k8s.io/v1';
export const ISTIOCTL = { version: '1.24.2', scenario: 'healthy' } as const;

export const CONFIG = `
access:
  operators: { users: [U0ALICE, U0DAVE] }
  approvers: { users: [U0BOB, U0CAROL] }
approvals:
  ttl: 30m
  channel: C0REL
  propagationTimeout: 200ms
  propagationInterval: 50ms
`;

export interface SlackWorld {
  readonly api: FakeKubeApi;
  readonly slack: FakeSlack;
  readonly bot: Bot;
}

/**
 * One fake Slack for the test file, and for each test a fresh in-process API server and a bot configured with
 * `configYaml` (the hooks are registered in the calling describe). The getter is for use inside the tests.
 */
export function slackWorldPerTest(configYaml: string): () => SlackWorld {
  let slack: FakeSlack | undefined;
  let world: SlackWorld | undefined;
  before(async () => {
    slack = await startFakeSlack();
  });
  after(() => slack?.close());
  beforeEach(async () => {
    if (slack === undefined) throw new Error('the fake Slack did not start (see the before hook)');
    slack.reset();
    const api = await startFakeKubeApi();
    world = { api, slack, bot: await startBot({ istioctl: ISTIOCTL, kubeConfig: () => api.kubeConfig(), sharedSlack: slack, configYaml }) };
  });
  afterEach(async () => {
    await world?.bot.close();
    await world?.api.close();
    world = undefined;
  });
  return () => {
    if (world === undefined) throw new Error('no Slack world outside a test');
    return world;
  };
}

export interface Destination {
  readonly host: string;
  readonly subset?: string;
  readonly weight?: number;
}

/** `{ destination: {host, subset}, weight }` entries of one VirtualService http route. */
export function route(name: string | undefined, destinations: readonly Destination[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...(name === undefined ? {} : { name }),
    ...extra,
    route: destinations.map(({ host, subset, weight }) => ({ destination: { host, ...(subset === undefined ? {} : { subset }) }, ...(weight === undefined ? {} : { weight }) })),
  };
}

export function putVirtualService(api: FakeKubeApi, http: readonly Record<string, unknown>[], options: { name?: string; namespace?: string; metadata?: Record<string, unknown>; hosts?: string[] } = {}): void {
  api.put({ apiVersion: VS_API, kind: 'VirtualService', metadata: { name: options.name ?? 'reviews', namespace: options.namespace ?? 'bookinfo', ...options.metadata }, spec: { hosts: options.hosts ?? ['reviews'], http } });
}

/** A Service with `selector`, a DestinationRule subset per version, and `pods` running pods per version. */
export function putService(api: FakeKubeApi, name: string, pods: Readonly<Record<string, number>>, options: { namespace?: string; subsets?: boolean } = {}): void {
  const namespace = options.namespace ?? 'bookinfo';
  api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] } });
  if (options.subsets !== false) {
    api.put({ apiVersion: VS_API, kind: 'DestinationRule', metadata: { name, namespace }, spec: { host: name, subsets: Object.keys(pods).map((version) => ({ name: version, labels: { version } })) } });
  }
  for (const [version, count] of Object.entries(pods)) {
    for (let index = 0; index < count; index += 1) {
      api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-${version}-${index}`, namespace, labels: { app: name, version } }, spec: { containers: [{ name, image: `example/${name}:${version}` }] }, status: { phase: 'Running' } });
    }
  }
}

/** A backend Service of an HTTPRoute (`app: name` selector) with `pods` running pods. */
export function putBackend(api: FakeKubeApi, name: string, pods: number, namespace = 'bookinfo'): void {
  api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] } });
  for (let index = 0; index < pods; index += 1) {
    api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-${index}`, namespace, labels: { app: name } }, spec: { containers: [{ name, image: `example/${name}` }] }, status: { phase: 'Running' } });
  }
}

export function putHttpRoute(api: FakeKubeApi, rules: readonly Record<string, unknown>[], options: { name?: string; namespace?: string; metadata?: Record<string, unknown> } = {}): void {
  api.put({
    apiVersion: ROUTE_API,
    kind: 'HTTPRoute',
    metadata: { name: options.name ?? 'reviews', namespace: options.namespace ?? 'bookinfo', ...options.metadata },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }], rules },
  } as KubeObject);
}

/** `subset=weight` of every destination of every http route, as stored. */
export function vsWeights(api: FakeKubeApi, name = 'reviews', namespace = 'bookinfo'): string[][] {
  const vs = api.get(VS_API, 'VirtualService', namespace, name) as { spec: { http: { route?: { destination: { subset?: string }; weight?: number }[] }[] } };
  return vs.spec.http.map((http) => (http.route ?? []).map((entry) => `${entry.destination.subset ?? '-'}=${entry.weight ?? '-'}`));
}

export function annotationsOf(api: FakeKubeApi, apiVersion: string, kind: string, name = 'reviews', namespace = 'bookinfo'): Record<string, string> {
  return ((api.get(apiVersion, kind, namespace, name)?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations) ?? {};
}

/** Writes that were not dry runs (PATCH/PUT/POST on the routes). */
export function routeWrites(api: FakeKubeApi): { readonly method: string; readonly path: string }[] {
  return api.requests.filter((request) => ['PATCH', 'PUT'].includes(request.method) && /(virtualservices|httproutes)\//.test(request.path) && request.query['dryRun'] === undefined);
}

/** Points the terminal mode (and only it) at `api`, as a shell's KUBECONFIG would. */
export async function useKubeconfig(api: FakeKubeApi): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-breaker-'));
  await writeFile(join(dir, 'config'), api.kubeConfigYaml());
  process.env['KUBECONFIG'] = join(dir, 'config');
}

/** `mesh-bot canary …` in the terminal: exit code and everything printed. */
export async function terminal(...argv: string[]): Promise<{ code: number; out: string; json: () => Record<string, unknown> }> {
  const run = await cli(['canary', ...argv], ISTIOCTL, { POD_NAMESPACE: 'mesh-bot' });
  return { code: run.code, out: run.stdout + run.stderr, json: () => JSON.parse(run.stdout) as Record<string, unknown> };
}

/** Whatever Slack showed the user for a slash command: the ack, or what came through response_url. */
export async function slashAnswer(slack: FakeSlack, bot: Bot, text: string, pattern: RegExp, userId = 'U0ALICE'): Promise<string> {
  const { http, responseUrl } = await bot.slash(text, { userId, channelId: 'C0OPS' });
  const acked = String((JSON.parse(http.body || '{}') as { text?: unknown }).text ?? '');
  if (pattern.test(acked)) return acked;
  const response = await answerTo(slack, responseUrl, pattern);
  return String(response.body['text']);
}

/** What came back through one command's response_url (never another command's late answer). */
function answerTo(slack: FakeSlack, responseUrl: string, pattern: RegExp): Promise<RecordedResponse> {
  const id = decodeURIComponent(responseUrl.slice(responseUrl.lastIndexOf('/') + 1));
  return slack.waitFor((fake) => fake.responses.find((candidate) => candidate.id === id && pattern.test(String(candidate.body['text'] ?? ''))), { timeoutMs: 10_000 });
}

/** Asks for a promotion in C0OPS and returns the approval card posted in C0REL. */
export async function requestCard(slack: FakeSlack, bot: Bot, text: string): Promise<{ card: StoredMessage; id: string }> {
  const before = new Set(slack.messages('C0REL').map((message) => message.ts));
  const { http, responseUrl } = await bot.slash(text, { userId: 'U0ALICE', channelId: 'C0OPS' });
  assert.equal(http.status, 200);
  // The requester's confirmation comes last: after it the request is fully recorded.
  await answerTo(slack, responseUrl, /Approval requested/);
  const card = await slack.waitFor((fake) => fake.messages('C0REL').find((message) => message.via === 'api' && message.threadTs === undefined && !before.has(message.ts)), { timeoutMs: 10_000 });
  const id = buttons(card.blocks).find((element) => element.action_id === 'canary_approve')?.value;
  assert.ok(id, `the card has an Approve button: ${card.text}`);
  return { card, id };
}
