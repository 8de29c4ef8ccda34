// Two clusters as a multi-cluster user has them: one kubeconfig with a context per cluster, and API servers that
// answer only the bearer token they currently accept (a real API server refuses an expired or revoked one with 401).

import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface TokenApi {
  readonly url: string;
  /** The token the server accepts from now on; any other is refused with 401. */
  accept(token: string): void;
  /** The bearer tokens of every request so far, in order ('' for none). */
  readonly seen: readonly string[];
  close(): Promise<void>;
}

/** Answers `GET /api/v1/namespaces/NAME` with that Namespace and `/version`, to the accepted token only. */
export async function tokenApi(accepted: string): Promise<TokenApi> {
  let current = accepted;
  const seen: string[] = [];
  const server: Server = createServer((request, response) => {
    const token = /^Bearer (.*)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    seen.push(token);
    response.setHeader('Content-Type', 'application/json');
    if (token !== current) {
      response.writeHead(401);
      response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
      return;
    }
    const namespace = /^\/api\/v1\/namespaces\/([^/?]+)$/.exec((request.url ?? '').split('?')[0] ?? '')?.[1];
    if (namespace) response.end(JSON.stringify({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: namespace } }));
    else response.end(JSON.stringify({ major: '1', minor: '31', gitVersion: 'v1.31.2' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accept: (token) => void (current = token),
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ContextSpec {
  readonly name: string;
  readonly server: string;
  /** The kubeconfig `user:` entry of this context, as written in the file. */
  readonly user: Record<string, unknown>;
}

/** One kubeconfig file with a cluster, a user and a context per entry; the first context is the current one. */
export function kubeconfigYaml(contexts: readonly ContextSpec[]): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((context) => ({ name: context.name, cluster: { server: context.server, 'insecure-skip-tls-verify': true } })),
    users: contexts.map((context) => ({ name: context.name, user: context.user })),
    contexts: contexts.map((context) => ({ name: context.name, context: { cluster: context.name, user: context.name } })),
    'current-context': contexts[0]?.name ?? '',
  });
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `breaker-multicluster-${prefix}-`));
}

/** A credential plugin: a shell script printing what `body` prints, executable. */
export async function plugin(path: string, body: string): Promise<string> {
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

/** What a credential plugin prints on stdout (client.authentication.k8s.io/v1). */
export function execCredential(token: string, expirationTimestamp?: string): string {
  return JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token, ...(expirationTimestamp ? { expirationTimestamp } : {}) } });
}

/** The `exec:` entry of a kubeconfig user running `command`. */
export function execUser(command: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { exec: { apiVersion: 'client.authentication.k8s.io/v1', command, interactiveMode: 'IfAvailable', ...extra } };
}

export const CLUSTERS = (contexts: readonly string[]) => contexts.map((context, index) => ({ name: context.replace(/^ctx-/, ''), context, default: index === 0, istioNamespace: 'istio-system', defaultNamespace: 'default' }));
