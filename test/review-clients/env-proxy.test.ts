// NO_PROXY as Go's golang.org/x/net/http/httpproxy reads it (istioctl and kubectl are Go): mesh-bot must pick the same
// route to each API server, or one of them reads a cluster the other cannot reach. The table is Go's own
// (httpproxy's UseProxyTests with its NO_PROXY), plus the API server given as an IP and a proxy with credentials.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createKubeFor } from '../../src/kube/clients.ts';
import { describeKubeError } from '../../src/kube/errors.ts';
import { proxyFor } from '../../src/kube/env-proxy.ts';
import { loadKubeConfigAsKubectl } from '../../src/kube/kubeconfig-files.ts';
import { kubeconfigYaml, tempDir } from '../breaker-multicluster/support.ts';

const GO_NO_PROXY = 'foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64';

/** host → whether Go sends an http:// request to it through HTTP_PROXY. */
const GO_USE_PROXY: readonly (readonly [string, boolean])[] = [
  ['localhost', false],
  ['127.0.0.1', false],
  ['127.0.0.2', false],
  ['[::1]', false],
  ['[::2]', true],
  ['192.168.1.1', false],
  ['192.168.1.2', true],
  ['192.168.1.3', false],
  ['192.168.1.4', true],
  ['10.0.0.2', false],
  ['[2001:db8::52:0:1]', false],
  ['[2001:db8::52:0:2]', true],
  ['[2001:db8::52:0:3]', false],
  ['[2002:db8:a::123]', false],
  ['[fe80::424b:c8be:1643:a1b6]', true],
  ['barbaz.net', true],
  ['www.barbaz.net', false],
  ['foobar.com', false],
  ['www.foobar.com', false],
  ['foofoobar.com', true],
  ['baz.com', true],
  ['localhost.net', true],
  ['local.localhost', true],
  ['barbarbaz.net', true],
  ['wildcard.io', true],
  ['nested.wildcard.io', false],
  ['awildcard.io', true],
];

describe('NO_PROXY as Go reads it', () => {
  for (const [host, proxied] of GO_USE_PROXY) {
    it(`${host} ${proxied ? 'goes through' : 'bypasses'} the proxy`, () => {
      const proxy = proxyFor(`http://${host}`, { HTTP_PROXY: 'http://proxy.corp:3128', NO_PROXY: GO_NO_PROXY });
      assert.equal(proxy, proxied ? 'http://proxy.corp:3128' : undefined);
    });
  }

  it('an API server given as an IP with its port is exempted by the IP, the IP:port, or a CIDR; not by another port', () => {
    const env = (noProxy: string) => ({ HTTPS_PROXY: 'proxy.corp:3128', NO_PROXY: noProxy });
    assert.equal(proxyFor('https://10.20.0.5:6443', env('10.20.0.5')), undefined);
    assert.equal(proxyFor('https://10.20.0.5:6443', env('10.20.0.5:6443')), undefined);
    assert.equal(proxyFor('https://10.20.0.5:6443', env('10.20.0.0/16')), undefined);
    assert.equal(proxyFor('https://10.20.0.5:6443', env('10.20.0.5:443')), 'http://proxy.corp:3128');
    assert.equal(proxyFor('https://10.20.0.5:6443', env('*')), undefined);
    assert.equal(proxyFor('https://api.example.com', env('.example.com')), undefined);
    assert.equal(proxyFor('https://example.com', env('.example.com')), 'http://proxy.corp:3128');
  });

  it('a proxy\'s password stays out of the answer when the proxy cannot be reached', async () => {
    const dir = await tempDir('review-proxy');
    const file = join(dir, 'kubeconfig');
    await writeFile(file, kubeconfigYaml([{ name: 'ctx-west', server: 'https://api.west.example:6443', user: { token: 't' } }]));
    const saved = { https: process.env['HTTPS_PROXY'], no: process.env['NO_PROXY'] };
    process.env['HTTPS_PROXY'] = 'http://bot:s3cr3t-proxy-pass@127.0.0.1:9';
    delete process.env['NO_PROXY'];
    try {
      const kube = createKubeFor(() => loadKubeConfigAsKubectl({ KUBECONFIG: file }), { requestMs: 3_000, leaseMs: 3_000 })({ name: 'west', context: 'ctx-west', default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' });
      assert.ok(kube.ok);
      const cause = await kube.value.core.readNamespace({ name: 'bookinfo' }).then(() => assert.fail('answered through a closed port'), (error: unknown) => error);
      const said = describeKubeError(cause, 'read namespace bookinfo', 'west');
      assert.doesNotMatch(said, /s3cr3t-proxy-pass/);
      assert.doesNotMatch(JSON.stringify(cause, Object.getOwnPropertyNames(cause as object)), /s3cr3t-proxy-pass/);
    } finally {
      if (saved.https === undefined) delete process.env['HTTPS_PROXY'];
      else process.env['HTTPS_PROXY'] = saved.https;
      if (saved.no !== undefined) process.env['NO_PROXY'] = saved.no;
    }
  });
});
