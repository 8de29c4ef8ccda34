// A kubeconfig whose user names its bearer token by file (`tokenFile:`, client-go's field), how a projected or
// otherwise rotated ServiceAccount token is handed to tools in another cluster or a sidecar. istioctl (client-go)
// reads it, and reads it again as it rotates; mesh-bot's Kubernetes client did not read `tokenFile` at all (it knows
// only `token-file`, and reads that once at start), so every API call of mesh-bot went out without a token: "rejected
// mesh-bot's credentials (401)" while istioctl, with the same kubeconfig, worked.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadKubeConfigAsKubectl } from '../../src/kube/kubeconfig-files.ts';
import { startBot } from '../support/bot.ts';

let token = 'projected-token-one-0123456789';
let api: Server;
let dir: string;
let url: string;

/** An API server that answers /version only to the current token, as a real one answers only a valid token. */
before(async () => {
  api = createServer((request, response) => {
    const ok = request.headers.authorization === `Bearer ${token}`;
    response.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(ok ? { major: '1', minor: '31', gitVersion: 'v1.31.2' } : { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'mesh-bot-token-file-'));
});
after(() => new Promise<void>((resolve) => api.close(() => resolve())));

async function kubeconfig(user: Record<string, string>): Promise<string> {
  const file = join(dir, `kubeconfig-${Object.keys(user).join('-')}`);
  const cluster = `{name: c, cluster: {server: "${url}", insecure-skip-tls-verify: true}}`;
  const fields = Object.entries(user).map(([key, value]) => `${key}: "${value}"`).join(', ');
  await writeFile(file, `apiVersion: v1\nkind: Config\nclusters: [${cluster}]\nusers: [{name: u, user: {${fields}}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: mesh-bot}}]\ncurrent-context: x\n`);
  return file;
}

async function readiness(file: string): Promise<{ status: number; body: string }> {
  const bot = await startBot({ kubeConfig: () => loadKubeConfigAsKubectl({ KUBECONFIG: file }) });
  try {
    const response = await fetch(`${bot.url}/readyz`);
    return { status: response.status, body: await response.text() };
  } finally {
    await bot.close();
  }
}

describe('a kubeconfig user whose token is in a file', () => {
  it('tokenFile (client-go\'s field, a path relative to the kubeconfig): mesh-bot sends the token and is ready', async () => {
    await writeFile(join(dir, 'token'), token);
    const { status, body } = await readiness(await kubeconfig({ tokenFile: 'token' }));
    assert.equal(status, 200, body);
    assert.match(body, /v1\.31\.2/);
  });

  it('takes precedence over a token written beside it, as client-go reads it', async () => {
    await writeFile(join(dir, 'token'), token);
    const { status, body } = await readiness(await kubeconfig({ token: 'stale-token-from-last-year', tokenFile: join(dir, 'token') }));
    assert.equal(status, 200, body);
  });

  it('reads a token file written with a trailing newline (echo TOKEN > file) as client-go does, trimmed', async () => {
    await writeFile(join(dir, 'token'), `${token}\n`);
    const { status, body } = await readiness(await kubeconfig({ tokenFile: join(dir, 'token') }));
    assert.equal(status, 200, body);
    assert.doesNotMatch(body, new RegExp(token));
  });
});
