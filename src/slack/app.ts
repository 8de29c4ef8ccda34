import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import bolt from '@slack/bolt';
import type { App as BoltApp } from '@slack/bolt';
import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { WebClientOptions } from '@slack/web-api';
import type { SlackSettings } from '../config.ts';
import { configuredSecrets, type Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { ReadinessCheck } from '../readiness.ts';
import type { ListenerContext } from './context.ts';
import { slackApprovalCards } from './cards.ts';
import { registerListeners } from './listeners/index.ts';
import { slackRedaction, type SlackRedaction } from './outgoing.ts';
import { patientFetch } from './patient-fetch.ts';

const { App, HTTPReceiver, SocketModeReceiver } = bolt;

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail: string }>>;
}

export interface SlackAppOptions {
  readonly slack: SlackSettings & { readonly botToken: string };
  readonly port: number;
  readonly ctx: ListenerContext;
  readonly metrics: Metrics;
  /** Checks beyond Slack for `/readyz` (the Kubernetes API). */
  readonly readinessChecks: ReadinessCheck;
}

export interface RunningSlackApp {
  readonly app: BoltApp;
  /** The command dependencies as listeners see them (with the approval-card port on this app's client). */
  readonly deps: ListenerContext['deps'];
  readonly mode: 'socket' | 'http';
  /** The HTTP server (HTTP mode: /slack/events + ops; Socket Mode: ops endpoints only). */
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * WebClient defaults retry for about 30 minutes with no request timeout; during an incident a bounded
 * answer is better than a silent wait. Socket Mode would otherwise also raise retries to 100. `secrets`: the
 * configured credentials (configuredSecrets), redacted from every request body the client sends.
 */
export function webClientOptions(apiUrl: string | undefined, secrets: readonly string[] = []): WebClientOptions {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    fetch: slackRedaction(secrets).fetch((url, init) => globalThis.fetch(url, init)),
    timeout: 10_000,
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000, randomize: true },
    rejectRateLimitedCalls: false,
  };
}

/**
 * The app's client and respond(): patientFetch alone decides what is sent again (a 429 waited out for that request
 * only, a post never resent after a lost answer) and bounds each attempt, so the client itself retries nothing.
 */
export function appClientOptions(apiUrl: string | undefined, outgoing: SlackRedaction = slackRedaction([])): WebClientOptions {
  return {
    ...webClientOptions(apiUrl),
    fetch: outgoing.fetch(patientFetch(apiUrl)),
    timeout: 0,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  };
}

function slackLogger(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'bolt' });
  const join = (parts: unknown[]) => parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
  return {
    debug: (...parts: unknown[]) => child.debug(join(parts)),
    info: (...parts: unknown[]) => child.info(join(parts)),
    warn: (...parts: unknown[]) => child.warn(join(parts)),
    error: (...parts: unknown[]) => child.error(join(parts)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

function opsRoutes(metrics: Metrics, readiness: () => Promise<Readiness>) {
  const send = (res: ServerResponse, status: number, contentType: string, body: string) => {
    res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  // Any other method on an ops path is 405 with Allow, not Bolt's 404: a probe configured with the wrong method
  // (`httpGet` is GET, but some load balancers POST) then says what is wrong instead of "no such endpoint".
  const wrongMethod = (path: string) => ({
    path,
    method: ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      res.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET, HEAD', 'Cache-Control': 'no-store' });
      res.end(`${path} answers GET and HEAD only\n`);
    },
  });
  // HEAD as well as GET: uptime monitors and `curl -I` ask with HEAD, and a GET resource answers it (RFC 9110).
  return [
    ...['/healthz', '/readyz', '/metrics'].map(wrongMethod),
    { path: '/healthz', method: ['GET', 'HEAD'], handler: (_req: IncomingMessage, res: ServerResponse) => send(res, 200, 'text/plain', 'ok\n') },
    {
      path: '/readyz',
      method: ['GET', 'HEAD'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        readiness().then(
          (report) => send(res, report.ready ? 200 : 503, 'application/json', `${JSON.stringify(report)}\n`),
          () => send(res, 503, 'application/json', '{"ready":false}\n'),
        );
      },
    },
    {
      path: '/metrics',
      method: ['GET', 'HEAD'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        metrics.registry.metrics().then(
          (text) => send(res, 200, metrics.registry.contentType, text),
          () => send(res, 500, 'text/plain', 'metrics unavailable\n'),
        );
      },
    },
  ];
}

/** Slack's rule: a request whose timestamp is more than 5 minutes away from now, either way, may be a replay. */
const MAX_CLOCK_DISTANCE_S = 5 * 60;

/**
 * Bolt 5 refuses timestamps more than 5 minutes old but accepts any in the future, so a signed request dated ahead
 * would stay replayable until that date. This refuses those before Bolt reads them; everything else (the
 * signature, old timestamps, ssl_check) stays Bolt's to check.
 */
function refuseFutureTimestamps(receiver: InstanceType<typeof HTTPReceiver>, logger: Logger): void {
  const verify = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const header = req.headers['x-slack-request-timestamp'];
    // Read as Bolt reads it (Number(), so `+1e10` counts) and signs it (the number, not the header's spelling).
    const timestamp = typeof header === 'string' ? Number(header) : Number.NaN;
    if (timestamp - Math.floor(Date.now() / 1000) > MAX_CLOCK_DISTANCE_S) {
      logger.warn({ timestamp }, 'refused a Slack request dated more than 5 minutes in the future');
      req.resume();
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end();
      return;
    }
    verify(req, res);
  };
}

/**
 * An ack is the one answer that does not leave through fetch: it is the HTTP response (HTTP mode) or the Socket Mode
 * envelope, written by the receiver. Both receivers hand every event to `app.processEvent`, so that is where its
 * ack is wrapped.
 */
function redactAcks(app: BoltApp, outgoing: SlackRedaction): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event) => processEvent({ ...event, ack: (response) => event.ack(outgoing.payload(response)) });
}

/** Listeners get the command dependencies plus what only Slack has: the approval-card port on the app's client. */
function withCards(app: BoltApp, ctx: ListenerContext): ListenerContext {
  return { ...ctx, deps: { ...ctx.deps, cards: slackApprovalCards(app.client, ctx.logger, ctx.deps.now) } };
}

export async function startSlackApp(options: SlackAppOptions): Promise<RunningSlackApp> {
  const { slack } = options;
  // Everything mesh-bot says in Slack leaves through this client's fetch (Web API, response_url, uploads) or an ack.
  const outgoing = slackRedaction(configuredSecrets({ slack }));
  const ctx: ListenerContext = { ...options.ctx, outgoing };
  let slackConnected = false;
  const readiness = async (): Promise<Readiness> => {
    const checks = { slack: { ok: slackConnected, detail: slackConnected ? 'connected' : 'not connected' }, ...(await options.readinessChecks()) };
    return { ready: Object.values(checks).every((check) => check.ok), checks };
  };
  const routes = opsRoutes(options.metrics, readiness);
  const logger = slackLogger(ctx.logger);
  const clientOptions = appClientOptions(slack.apiUrl, outgoing);

  if (slack.appToken !== undefined) {
    // The Socket Mode client builds its own WebClient from installerOptions.clientOptions: without them it
    // ignores SLACK_API_URL and silently retries apps.connections.open 100 times.
    const socketClientOptions: WebClientOptions = {
      ...webClientOptions(slack.apiUrl),
      fetch: outgoing.fetch((url, init) => globalThis.fetch(url, init)),
      retryConfig: { retries: 10, factor: 1.6, minTimeout: 1_000, maxTimeout: 30_000, randomize: true },
    };
    const receiver = new SocketModeReceiver({ appToken: slack.appToken, logger, customRoutes: routes, installerOptions: { port: options.port, clientOptions: socketClientOptions } });
    receiver.client.on('connected', () => (slackConnected = true));
    // The client says "reconnecting" only after waiting to retry (5 s, then longer); the socket is down from "close".
    receiver.client.on('close', () => (slackConnected = false));
    receiver.client.on('reconnecting', () => (slackConnected = false));
    receiver.client.on('disconnected', () => (slackConnected = false));
    const app = new App({ token: slack.botToken, receiver, logger, clientOptions, deferInitialization: true });
    redactAcks(app, outgoing);
    await app.init();
    const listenerCtx = withCards(app, ctx);
    registerListeners(app, listenerCtx);
    app.error(async (error) => ctx.logger.error({ err: error }, 'Slack listener error'));
    await app.start();
    return { app, deps: listenerCtx.deps, mode: 'socket', port: options.port, stop: () => app.stop().then(() => undefined) };
  }

  const receiver = new HTTPReceiver({
    signingSecret: slack.signingSecret ?? '',
    customRoutes: routes,
    logger,
    // The HTTP response is the ack: it must leave before slow istioctl work, never after it.
    processBeforeResponse: false,
  });
  refuseFutureTimestamps(receiver, ctx.logger);
  const app = new App({ token: slack.botToken, receiver, logger, clientOptions, deferInitialization: true });
  redactAcks(app, outgoing);
  await app.init();
  slackConnected = true;
  const listenerCtx = withCards(app, ctx);
  registerListeners(app, listenerCtx);
  app.error(async (error) => ctx.logger.error({ err: error }, 'Slack listener error'));
  const server = (await app.start(options.port)) as Server;
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return { app, deps: listenerCtx.deps, mode: 'http', port, stop: () => app.stop().then(() => undefined) };
}
