// DESIGN.md §3: `GET /readyz` is 503 when the Kubernetes API is unreachable. An API that accepts the connection and
// never answers (overloaded API server, a half-open connection) must give the kubelet an answer within its probe
// timeout (deploy/: timeoutSeconds: 3), naming the cause, not make every probe time out silently; and an API that
// answers 401 is as unusable as one that is down.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, afterEach, describe, it, mock } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterKube, KubeFor } from '../../src/kube/clients.ts';
import { ok } from '../../src/result.ts';
import { kubeReadiness } from '../../src/readiness.ts';
import { startBot, type Bot } from '../support/bot.ts';

const CLUSTER = { name: 'prod-eu', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };

/** A Kubernetes API whose /version answers as `answer` says; `hang` keeps the request open until the test ends. */
async function apiServer(answer: 'hang' | 401): Promise<{ kubeConfig: () => KubeConfig; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const open = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/version')) requests += 1;
    if (answer === 'hang') {
      open.add(res);
      return;
    }
    res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    kubeConfig() {
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: [{ name: 'hung', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [{ name: 'sa', token: 'expired-service-account-token' }],
        contexts: [{ name: 'hung', cluster: 'hung', user: 'sa', namespace: 'mesh-bot' }],
        currentContext: 'hung',
      });
      return config;
    },
    requests: () => requests,
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('/readyz when the Kubernetes API does not answer', () => {
  let bot: Bot | undefined;
  let api: Awaited<ReturnType<typeof apiServer>> | undefined;
  afterEach(async () => {
    // The hung requests are cut first, so the bot's own shutdown does not wait them out.
    await api?.close();
    await bot?.close();
    bot = undefined;
    api = undefined;
  });

  it('answers 503 naming the API that did not answer, instead of waiting out the 15 s request timeout', async () => {
    api = await apiServer('hang');
    bot = await startBot({ kubeConfig: api.kubeConfig });
    const ready = await fetch(`${bot.url}/readyz`);
    assert.equal(ready.status, 503);
    const report = (await ready.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    assert.match(report.checks['kubernetes']?.detail ?? '', /^The Kubernetes API of cluster default did not answer \/version within 2 s\. Check/);
  });

  it('answers 503 naming the rejected credentials when the API says 401', async () => {
    api = await apiServer(401);
    bot = await startBot({ kubeConfig: api.kubeConfig });
    const ready = await fetch(`${bot.url}/readyz`);
    assert.equal(ready.status, 503);
    const report = (await ready.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    assert.match(report.checks['kubernetes']?.detail ?? '', /rejected mesh-bot's credentials .*\(401\)/);
  });
});

describe('the Kubernetes readiness check', () => {
  after(() => mock.timers.reset());

  it('is not ready once the API has not answered for 2 s, and probes meanwhile share the one request', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    let asked = 0;
    const hung = { version: { getCode: () => ((asked += 1), new Promise<never>(() => undefined)) } } as unknown as ClusterKube;
    const kubeFor: KubeFor = () => ok(hung);
    const check = kubeReadiness(kubeFor, CLUSTER);
    let settled = false;
    const first = check().then((result) => ((settled = true), result));
    const second = check();
    mock.timers.tick(1_999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'still waiting within the 2 s');
    mock.timers.tick(1);
    const [one, two] = await Promise.all([first, second]);
    assert.equal(one['kubernetes']?.ok, false);
    assert.match(one['kubernetes']?.detail ?? '', /cluster prod-eu did not answer \/version within 2 s/);
    assert.deepEqual(two, one);
    assert.equal(asked, 1, 'one request for both probes');
  });
});
