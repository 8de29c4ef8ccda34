// Slack's Socket Mode on loopback, reduced to what a readiness test needs: `apps.connections.open` hands out a ws://
// URL (and is counted), the socket greets with `hello`, `drop()` cuts the connection while the server stays up, so the
// bot's reconnect attempt is seen as the next `apps.connections.open`. Every other method goes to the fake Slack.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeSlack } from '../../../src/sandbox/slack-api.ts';

export interface DroppableSocketMode {
  readonly apiUrl: string;
  /** Resolves once a connection was greeted (again, after a drop). */
  connected(): Promise<void>;
  /** How many times the bot asked for a connection URL. */
  opens(): number;
  /** Cuts every open connection (as a network blip or Slack's own refresh does). */
  drop(): void;
  close(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startDroppableSocketMode(slack: FakeSlack): Promise<DroppableSocketMode> {
  const sockets: WebSocket[] = [];
  let opens = 0;
  let greeted: () => void = () => undefined;
  let connection = new Promise<void>((resolve) => (greeted = resolve));
  const server: Server = createServer((request, response) => {
    void (async () => {
      const raw = await body(request);
      if (request.url === '/api/apps.connections.open') {
        opens += 1;
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ ok: true, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link` }));
        return;
      }
      const forwarded = await fetch(new URL(request.url?.replace(/^\/api\//, '') ?? '', slack.apiUrl), {
        method: request.method ?? 'POST',
        headers: { 'content-type': request.headers['content-type'] ?? 'application/x-www-form-urlencoded', authorization: request.headers.authorization ?? '' },
        body: raw.length > 0 ? raw : null,
      });
      response.writeHead(forwarded.status, { 'Content-Type': forwarded.headers.get('content-type') ?? 'application/json' });
      response.end(Buffer.from(await forwarded.arrayBuffer()));
    })();
  });
  const wss = new WebSocketServer({ server, path: '/link' });
  wss.on('connection', (socket) => {
    sockets.push(socket);
    socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'droppable-socket-mode' }, connection_info: { app_id: 'A0FAKE' } }));
    greeted();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    connected: () => connection,
    opens: () => opens,
    drop() {
      connection = new Promise<void>((resolve) => (greeted = resolve));
      for (const socket of sockets.splice(0)) socket.terminate();
    },
    async close() {
      for (const socket of sockets.splice(0)) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
