// A loopback proxy in front of the fake Slack's Web API that misbehaves the way Slack's edge does: a method's call
// lands in Slack and its answer is lost (5xx), or it is refused with HTTP 429 and Retry-After before reaching Slack.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'landed-then-5xx'; status: number }
  | { kind: 'refused-429'; retryAfterSeconds: number }
  | { kind: 'refused-5xx'; status: number };

export interface FaultySlack {
  /** SLACK_API_URL for the bot. */
  readonly apiUrl: string;
  /** The next `times` calls of `method` meet `fault` (in channel `channel` only, when given). */
  inject(method: string, fault: Fault, options?: { times?: number; channel?: string }): void;
  /** Calls that met a fault, by method. */
  readonly faulted: string[];
  close(): Promise<void>;
}

export async function startFaultySlack(upstreamApiUrl: string): Promise<FaultySlack> {
  const injections: { method: string; fault: Fault; times: number; channel: string | undefined }[] = [];
  const faulted: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
        const channel = new URLSearchParams(body.toString('utf8')).get('channel') ?? undefined;
        const injection = injections.find((entry) => entry.method === method && entry.times > 0 && (entry.channel === undefined || entry.channel === channel));
        if (injection) {
          injection.times -= 1;
          faulted.push(method);
        }
        const fault = injection?.fault;
        if (fault?.kind === 'refused-429') {
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(fault.retryAfterSeconds) }).end('{"ok":false,"error":"ratelimited"}');
          return;
        }
        if (fault?.kind === 'refused-5xx') {
          res.writeHead(fault.status, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
          return;
        }
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers[name] = value;
        const upstream = await fetch(new URL(method, upstreamApiUrl), { method: req.method ?? 'POST', headers, ...(body.length > 0 ? { body } : {}) });
        const text = await upstream.text();
        if (fault?.kind === 'landed-then-5xx') {
          res.writeHead(fault.status, { 'content-type': 'text/html' }).end('<html>upstream timed out</html>');
          return;
        }
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(text);
      })().catch((error: unknown) => res.writeHead(599).end(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    faulted,
    inject(method, fault, { times = 1, channel } = {}) {
      injections.push({ method, fault, times, channel });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
