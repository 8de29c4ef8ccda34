// A remote cluster whose API server is reached through the company's HTTP proxy, set as HTTPS_PROXY / HTTP_PROXY
// (with NO_PROXY for what is near), the usual way in corporate networks. istioctl (Go's net/http, client-go) honours
// those variables, so it reached west; mesh-bot's Kubernetes client (undici, with its own dispatcher) ignored them and
// went direct: "The Kubernetes API of cluster west is not reachable (ENOTFOUND)" while istioctl answered for west.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { proxyFor } from '../../src/kube/env-proxy.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { meshBot, namespace, standIn, type StandIn } from '../breaker-ambient/support/harness.ts';
import { kubeconfigYaml, tempDir } from './support.ts';

/**
 * A forward proxy that sends everything to `target` (the only way to west.cluster.invalid) and records the host each
 * request asked for: CONNECT tunnels (https) and absolute-URI requests (http), as a company proxy takes both.
 */
async function tunnellingProxy(target: { host: string; port: number }): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const asked = new URL(request.url ?? '/', 'http://unknown');
    tunnels.push(asked.host);
    const upstream = httpRequest({ host: target.host, port: target.port, method: request.method, path: `${asked.pathname}${asked.search}`, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  server.on('connect', (request, client: Socket) => {
    tunnels.push(request.url ?? '');
    const upstream = connect(target.port, target.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(client).add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('cluster west reachable only through HTTPS_PROXY', () => {
  let east: FakeKubeApi;
  let west: FakeKubeApi;
  let proxy: Awaited<ReturnType<typeof tunnellingProxy>>;
  let istioctl: StandIn;
  let env: Record<string, string> & { KUBECONFIG: string; ISTIOCTL: string };
  before(async () => {
    east = await startFakeKubeApi({ objects: [namespace('bookinfo')] });
    west = await startFakeKubeApi({ objects: [namespace('bookinfo')] });
    const { port } = new URL(west.url);
    proxy = await tunnellingProxy({ host: '127.0.0.1', port: Number(port) });
    istioctl = await standIn('1.28.1', []);
    const dir = await tempDir('proxy');
    // west's name resolves nowhere (.invalid): only the proxy knows the way.
    await writeFile(join(dir, 'kubeconfig'), kubeconfigYaml([{ name: 'ctx-east', server: east.url, user: { token: 'e' } }, { name: 'ctx-west', server: `http://west.cluster.invalid:${port}`, user: { token: 'w' } }]));
    await writeFile(join(dir, 'config.yaml'), 'clusters:\n  - { name: east, context: ctx-east, default: true }\n  - { name: west, context: ctx-west }\n');
    env = { KUBECONFIG: join(dir, 'kubeconfig'), ISTIOCTL: istioctl.path, MESH_BOT_CONFIG: join(dir, 'config.yaml'), POD_NAMESPACE: 'mesh-bot', HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url };
  });
  after(async () => {
    await proxy.close();
    await east.close();
    await west.close();
  });

  const canaryStatus = (cluster: string, extra: Record<string, string> = {}) => meshBot(['canary', 'status', 'reviews', '-n', 'bookinfo', '--cluster', cluster], { ...env, ...extra });

  it('reads west through the proxy, as istioctl does (defect: "not reachable (ENOTFOUND)")', async () => {
    const run = await canaryStatus('west');
    assert.match(run.stderr, /Neither a VirtualService nor an HTTPRoute named bookinfo\/reviews exists in cluster west/);
    assert.ok(proxy.tunnels.some((tunnel) => tunnel.startsWith('west.cluster.invalid:')), proxy.tunnels.join(', '));
  });

  it('goes direct to a loopback API server (east) and to hosts NO_PROXY names, as Go does', async () => {
    const before = proxy.tunnels.length;
    const eastRun = await canaryStatus('east');
    assert.match(eastRun.stderr, /exists in cluster east/);
    const westRun = await canaryStatus('west', { NO_PROXY: 'localhost,.cluster.invalid' });
    assert.match(westRun.stderr, /cluster west is not reachable/);
    assert.equal(proxy.tunnels.length, before, 'nothing went through the proxy');
  });
});

describe('which API servers go through the proxy (Go\'s httpproxy rules, which istioctl follows)', () => {
  const env = { HTTPS_PROXY: 'proxy.corp:3128', HTTP_PROXY: 'http://plain.corp:8080' };
  const cases: readonly [string, string, string | undefined][] = [
    ['https://api.west.example:6443', '', 'http://proxy.corp:3128'],
    ['http://api.west.example', '', 'http://plain.corp:8080'],
    ['https://127.0.0.1:6443', '', undefined],
    ['https://localhost:6443', '', undefined],
    ['https://[::1]:6443', '', undefined],
    ['https://api.west.example:6443', '*', undefined],
    ['https://api.west.example:6443', 'example', undefined],
    ['https://api.west.example:6443', 'st.example', 'http://proxy.corp:3128'],
    ['https://api.west.example:6443', 'west.example', undefined],
    ['https://west.example:6443', '.west.example', 'http://proxy.corp:3128'],
    ['https://api.west.example:6443', '*.west.example', undefined],
    ['https://api.west.example:6443', 'api.west.example:443', 'http://proxy.corp:3128'],
    ['https://api.west.example:6443', 'api.west.example:6443', undefined],
    ['https://10.20.30.40:6443', '10.0.0.0/8', undefined],
    ['https://10.20.30.40:6443', '192.168.0.0/16, 10.20.30.41', 'http://proxy.corp:3128'],
    ['https://10.20.30.40:6443', ' 10.20.30.40 ', undefined],
  ];
  for (const [server, noProxy, expected] of cases) {
    it(`${server} with NO_PROXY="${noProxy}": ${expected ?? 'direct'}`, () => {
      assert.equal(proxyFor(server, { ...env, NO_PROXY: noProxy }), expected);
    });
  }
  it('reads the lower-case names too, the upper-case one first', () => {
    assert.equal(proxyFor('https://api.west.example', { https_proxy: 'http://lower:1' }), 'http://lower:1');
    assert.equal(proxyFor('https://api.west.example', { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' }), 'http://upper:1');
    assert.equal(proxyFor('https://api.west.example', { HTTPS_PROXY: 'http://upper:1', no_proxy: 'west.example' }), undefined);
  });
});
