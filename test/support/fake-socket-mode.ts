import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeSlack } from '../../src/sandbox/slack-api.ts';

export interface SocketAck {
  readonly envelope_id: string;
  readonly payload?: Record<string, unknown>;
}

export interface FakeSocketMode {
  /** SLACK_API_URL for the bot: apps.connections.open is answered here, every other method goes to the fake Slack. */
  readonly apiUrl: string;
  /** Resolves once the bot holds a connection (after Slack's `hello`). */
  connected(): Promise<void>;
  /** Sends an envelope as Slack would and resolves with the bot's ack frame. */
  send(type: 'slash_commands' | 'interactive', payload: Record<string, unknown>): Promise<SocketAck>;
  close(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Slack's Socket Mode on loopback: `apps.connections.open` hands out a ws:// URL, the socket greets with
 * `hello`, envelopes go down the socket and the bot acks each by envelope_id.
 */
export async function startFakeSocketMode(slack: FakeSlack): Promise<FakeSocketMode> {
  const sockets: WebSocket[] = [];
  const waiting = new Map<string, (ack: SocketAck) => void>();
  let onConnected: (() => void) | undefined;
  const connectedOnce = new Promise<void>((resolve) => (onConnected = resolve));

  const server: Server = createServer((request, response) => {
    void (async () => {
      const raw = await body(request);
      if (request.url === '/api/apps.connections.open') {
        const token = request.headers.authorization ?? '';
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(token.startsWith('Bearer xapp-') ? { ok: true, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link` } : { ok: false, error: 'invalid_auth' }));
        return;
      }
      const forwarded = await fetch(new URL(request.url?.replace(/^\/api\//, '') ?? '', slack.apiUrl), {
        method: request.method ?? 'POST',
        headers: { 'content-type': request.headers['content-type'] ?? 'application/x-www-form-urlencoded', authorization: request.headers.authorization ?? '' },
        body: raw.length > 0 ? raw : null,
      });
      response.writeHead(forwarded.status, { 'Content-Type': forwarded.headers.get('content-type') ?? 'application/json', ...(forwarded.headers.get('retry-after') ? { 'Retry-After': forwarded.headers.get('retry-after') ?? '' } : {}) });
      response.end(Buffer.from(await forwarded.arrayBuffer()));
    })();
  });
  const wss = new WebSocketServer({ server, path: '/link' });
  wss.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => {
      const ack = JSON.parse(String(data)) as SocketAck;
      waiting.get(ack.envelope_id)?.(ack);
      waiting.delete(ack.envelope_id);
    });
    socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake-socket-mode', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0FAKE' } }));
    onConnected?.();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    connected: () => connectedOnce,
    send(type, payload) {
      const socket = sockets.at(-1);
      if (!socket) return Promise.reject(new Error('no Socket Mode connection'));
      const envelope_id = randomUUID();
      const acked = new Promise<SocketAck>((resolve) => waiting.set(envelope_id, resolve));
      socket.send(JSON.stringify({ envelope_id, type, payload, accepts_response_payload: type === 'slash_commands' }));
      return acked;
    },
    async close() {
      for (const socket of sockets) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
