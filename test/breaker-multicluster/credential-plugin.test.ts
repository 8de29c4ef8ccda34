// Clusters whose kubeconfig user runs a credential plugin (`exec:` — aws eks get-token, kubelogin,
// gke-gcloud-auth-plugin), the common case for a bot that serves several clusters. client-node ran the plugin with an
// open stdin pipe and no deadline, before each request's own deadline starts: a plugin asking for a login (an expired
// kubelogin/SSO session) or stuck on the network left every command of that cluster without an answer, for ever, while
// istioctl (client-go gives a plugin no stdin when there is no terminal) failed at once. It never ran a plugin again
// after the API refused its token, resolved no `./` command beside the kubeconfig, and ran the plugin once per request.

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createKubeFor } from '../../src/kube/clients.ts';
import { describeKubeError } from '../../src/kube/errors.ts';
import { loadKubeConfigAsKubectl } from '../../src/kube/kubeconfig-files.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { meshBot, namespace, standIn, type StandIn } from '../breaker-ambient/support/harness.ts';
import { CLUSTERS, execCredential, execUser, kubeconfigYaml, plugin, tempDir, tokenApi, type TokenApi } from './support.ts';

const CONFIG = 'clusters:\n  - { name: east, context: ctx-east, default: true }\n  - { name: west, context: ctx-west }\n';

describe('mesh-bot in a terminal, cluster west behind a credential plugin', () => {
  let east: FakeKubeApi;
  let west: FakeKubeApi;
  let istioctl: StandIn;
  let dir: string;
  before(async () => {
    east = await startFakeKubeApi({ objects: [namespace('bookinfo')] });
    west = await startFakeKubeApi({ objects: [namespace('bookinfo')] });
    istioctl = await standIn('1.28.1', []);
    dir = await tempDir('plugin');
    await writeFile(join(dir, 'config.yaml'), CONFIG);
  });
  after(async () => {
    await east.close();
    await west.close();
  });

  async function run(westUser: Record<string, unknown>): Promise<{ code: number; stderr: string; stdout: string }> {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml([{ name: 'ctx-east', server: east.url, user: { token: 'east-token' } }, { name: 'ctx-west', server: west.url, user: westUser }]));
    return meshBot(['canary', 'status', 'reviews', '-n', 'bookinfo', '--cluster', 'west'], { KUBECONFIG: kubeconfig, ISTIOCTL: istioctl.path, MESH_BOT_CONFIG: join(dir, 'config.yaml'), POD_NAMESPACE: 'mesh-bot' });
  }

  it('a plugin asking for a login (expired session) gets no terminal: the answer names it with its own words, at once (defect: no answer, ever)', async () => {
    const login = await plugin(join(dir, 'kubelogin.sh'), `echo "Open https://login.example/device and enter the code:" >&2\nif read code; then echo '${execCredential('west-token')}'; else echo "error: no terminal to log in on" >&2; exit 1; fi`);
    const { code, stderr } = await run(execUser(login));
    assert.equal(code, 1, `mesh-bot must answer (harness kill = -1): ${stderr}`);
    assert.match(stderr, /kubelogin\.sh/);
    assert.match(stderr, /no terminal to log in on/);
    assert.match(stderr, /cluster west/);
    assert.equal(west.requests.length, 0, 'nothing was sent to west without credentials');
  });

  it('runs a plugin named relative to the kubeconfig (./bin/token.sh), as client-go does (defect: "is not found")', async () => {
    await mkdir(join(dir, 'bin'), { recursive: true });
    await plugin(join(dir, 'bin', 'token.sh'), `echo '${execCredential('west-token')}'`);
    const { code, stderr } = await run(execUser('./bin/token.sh'));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /Neither a VirtualService nor an HTTPRoute named bookinfo\/reviews exists in cluster west/);
    assert.doesNotMatch(stderr, /not found on the PATH|credential plugin/);
  });
});

describe('a long-running bot\'s clients for a cluster behind a credential plugin', () => {
  let api: TokenApi;
  let dir: string;
  before(async () => {
    api = await tokenApi('token-1');
    dir = await tempDir('plugin-bot');
  });
  after(() => api.close());

  /** A kubeconfig whose only user runs `script`; the loader reads it as the bot does, fresh each time it is asked. */
  async function clientsFor(script: string, timeouts = { requestMs: 5_000, leaseMs: 2_000 }) {
    const kubeconfig = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
    const command = await plugin(`${kubeconfig}.sh`, script);
    await writeFile(kubeconfig, kubeconfigYaml([{ name: 'ctx-west', server: api.url, user: execUser(command) }]));
    const kube = createKubeFor(() => loadKubeConfigAsKubectl({ KUBECONFIG: kubeconfig }), timeouts)(CLUSTERS(['ctx-west'])[0]!);
    assert.ok(kube.ok, kube.ok ? '' : kube.error.message);
    return kube.value;
  }

  it('a plugin that never answers fails the request within its deadline, naming the plugin (defect: hung for ever)', { timeout: 15_000 }, async () => {
    const kube = await clientsFor('exec sleep 60', { requestMs: 1_500, leaseMs: 1_000 });
    const failure = await kube.core.readNamespace({ name: 'bookinfo' }).then(
      () => assert.fail('read without credentials'),
      (cause: unknown) => describeKubeError(cause, 'get namespace bookinfo', 'west'),
    );
    assert.match(failure, /credential plugin/);
    assert.match(failure, /kubeconfig-[a-z0-9]+\.sh/);
    assert.match(failure, /cluster west/);
  });

  it('runs the plugin again after the API refused its token (401), as client-go does (defect: 401 until restarted)', async () => {
    const tokenFile = join(dir, 'issued-token');
    await writeFile(tokenFile, 'token-1');
    api.accept('token-1');
    const kube = await clientsFor(`printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$(cat '${tokenFile}')"`);
    assert.equal((await kube.core.readNamespace({ name: 'bookinfo' })).metadata?.name, 'bookinfo');
    // The identity provider revoked token-1 and now issues token-2; the plugin printed no expiry, so only the 401 says so.
    await writeFile(tokenFile, 'token-2');
    api.accept('token-2');
    await assert.rejects(kube.core.readNamespace({ name: 'bookinfo' }), (cause: unknown) => /401/.test(describeKubeError(cause, 'get namespace bookinfo', 'west')));
    assert.equal((await kube.core.readNamespace({ name: 'bookinfo' })).metadata?.name, 'bookinfo');
  });

  it('runs the plugin once for requests made together, not once each (aws eks get-token started for every request)', async () => {
    api.accept('token-1');
    const runs = join(dir, 'runs.log');
    await writeFile(runs, '');
    const kube = await clientsFor(`echo run >> '${runs}'\nsleep 0.3\necho '${execCredential('token-1', '2099-01-01T00:00:00Z')}'`);
    const reads = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => kube.core.readNamespace({ name })));
    assert.deepEqual(reads.map((read) => read.metadata?.name), ['a', 'b', 'c', 'd', 'e']);
    await kube.core.readNamespace({ name: 'f' });
    assert.equal((await readFile(runs, 'utf8')).trim().split('\n').length, 1);
  });

  it('refuses an expirationTimestamp that is no RFC 3339 time, as client-go does, naming it (defect: kept, and the plugin ran again for every request)', async () => {
    api.accept('token-1');
    const runs = join(dir, 'runs-bad-expiry.log');
    await writeFile(runs, '');
    const kube = await clientsFor(`echo run >> '${runs}'\necho '${execCredential('token-1', '2099-01-01 00:00:00')}'`);
    const failure = await kube.core.readNamespace({ name: 'bookinfo' }).then(
      () => assert.fail('read with a credential client-go would refuse'),
      (cause: unknown) => describeKubeError(cause, 'get namespace bookinfo', 'west'),
    );
    assert.match(failure, /printed an ExecCredential mesh-bot cannot use: its status\.expirationTimestamp is not an RFC 3339 time \(like 2026-12-08T10:00:00Z\), which client-go and istioctl refuse too/);
  });

  it('keeps a credential whose expirationTimestamp has fractional seconds and an offset, as Go parses them', async () => {
    api.accept('token-1');
    const runs = join(dir, 'runs-offset-expiry.log');
    await writeFile(runs, '');
    const kube = await clientsFor(`echo run >> '${runs}'\necho '${execCredential('token-1', '2099-01-01T00:00:00.123456+02:00')}'`);
    await kube.core.readNamespace({ name: 'a' });
    await kube.core.readNamespace({ name: 'b' });
    assert.equal((await readFile(runs, 'utf8')).trim().split('\n').length, 1, 'one run for both reads');
  });
});
