// Adversarial checks of mesh-bot's own runner for kubeconfig credential plugins (src/kube/credential-plugin.ts) and of
// the re-read after a 401 (src/kube/clients.ts): what a user of a multi-cluster bot would notice — a `kubelogin` left
// running per request, a token in an answer, one cluster's token sent to another, a refused token hammering the API.

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createKubeFor } from '../../src/kube/clients.ts';
import { describeKubeError } from '../../src/kube/errors.ts';
import { loadKubeConfigAsKubectl } from '../../src/kube/kubeconfig-files.ts';
import { execCredential, execUser, kubeconfigYaml, plugin, tempDir, tokenApi, type TokenApi } from '../breaker-multicluster/support.ts';

const CLUSTER = { name: 'west', context: 'ctx-west', default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' } as const;
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZXNoLWJvdCJ9.c2lnbmF0dXJlLW9mLWEtcmVhbC10b2tlbg';

/** Whether a process is still running (a zombie waiting to be reaped is not). */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z /.test(stat);
}

describe('credential plugins under attack', () => {
  let api: TokenApi;
  let other: TokenApi;
  let dir: string;
  before(async () => {
    api = await tokenApi('west-token');
    other = await tokenApi('east-token');
    dir = await tempDir('review-clients');
  });
  after(async () => {
    await api.close();
    await other.close();
  });

  const kubeFor = async (file: string, contexts: Parameters<typeof kubeconfigYaml>[0], requestMs = 15_000) => {
    await writeFile(file, kubeconfigYaml(contexts));
    return createKubeFor(() => loadKubeConfigAsKubectl({ KUBECONFIG: file }), { requestMs, leaseMs: 4_000 });
  };

  it('a plugin still running at the deadline is ended with everything it started (no kubelogin left per request)', async () => {
    const pidFile = join(dir, 'child.pid');
    const stuck = await plugin(join(dir, 'stuck.sh'), `sleep 300 &\necho $! > ${pidFile}\nwait`);
    const kube = (await kubeFor(join(dir, 'kc-stuck'), [{ name: 'ctx-west', server: api.url, user: execUser(stuck) }], 1_500))(CLUSTER);
    assert.ok(kube.ok);
    await assert.rejects(kube.value.core.readNamespace({ name: 'bookinfo' }), /stuck\.sh/);
    const child = Number(await readFile(pidFile, 'utf8'));
    for (let tries = 0; tries < 100 && (await running(child)); tries += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await running(child), false, 'the plugin\'s child process was left running');
  });

  it('a failing plugin\'s stderr reaches the answer without the token it printed', async () => {
    const leaky = await plugin(join(dir, 'leaky.sh'), `echo "cached token ${JWT} expired; error: no terminal to log in on" >&2\nexit 1`);
    const kube = (await kubeFor(join(dir, 'kc-leaky'), [{ name: 'ctx-west', server: api.url, user: execUser(leaky) }]))(CLUSTER);
    assert.ok(kube.ok);
    const cause = await kube.value.core.readNamespace({ name: 'bookinfo' }).then(() => assert.fail('no credentials, yet it answered'), (error: unknown) => error);
    const said = describeKubeError(cause, 'read namespace bookinfo', 'west');
    assert.match(said, /no terminal to log in on/);
    assert.doesNotMatch(said, /c2lnbmF0dXJl/);
  });

  it('two contexts sharing one plugin user (provideClusterInfo) each get their own cluster\'s token', async () => {
    // The plugin answers the token of the cluster KUBERNETES_EXEC_INFO names, as `aws eks get-token` does per cluster.
    const perCluster = await plugin(join(dir, 'per-cluster.sh'), `case "$KUBERNETES_EXEC_INFO" in *"${api.url}"*) t=west-token ;; *) t=east-token ;; esac\necho "{\\"apiVersion\\":\\"client.authentication.k8s.io/v1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"$t\\"}}"`);
    const file = join(dir, 'kc-shared');
    const yaml = kubeconfigYaml([{ name: 'ctx-west', server: api.url, user: {} }, { name: 'ctx-east', server: other.url, user: {} }]).replace(/users:[\s\S]*?contexts:/, `users:\n  - name: shared\n    user:\n      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: ${perCluster}\n        provideClusterInfo: true\n        interactiveMode: Never\ncontexts:`).replace(/user: ctx-(west|east)/g, 'user: shared');
    await writeFile(file, yaml);
    const kubeFor = createKubeFor(() => loadKubeConfigAsKubectl({ KUBECONFIG: file }));
    const west = kubeFor(CLUSTER);
    const east = kubeFor({ ...CLUSTER, name: 'east', context: 'ctx-east', default: false });
    assert.ok(west.ok && east.ok);
    const [a, b] = await Promise.all([west.value.core.readNamespace({ name: 'bookinfo' }), east.value.core.readNamespace({ name: 'bookinfo' })]);
    assert.equal(a.metadata?.name, 'bookinfo');
    assert.equal(b.metadata?.name, 'bookinfo');
    assert.ok(!api.seen.includes('east-token') && !other.seen.includes('west-token'), 'a cluster got the other\'s token');
  });

  it('a token the API keeps refusing costs one plugin run and one request per command, no loop', async () => {
    const runs = join(dir, 'runs.log');
    await writeFile(runs, '');
    const revoked = await plugin(join(dir, 'revoked.sh'), `echo run >> ${runs}\necho '${execCredential('revoked-token')}'`);
    const before = api.seen.length;
    const kube = (await kubeFor(join(dir, 'kc-revoked'), [{ name: 'ctx-west', server: api.url, user: execUser(revoked) }]))(CLUSTER);
    assert.ok(kube.ok);
    for (let command = 0; command < 4; command += 1) await assert.rejects(kube.value.core.readNamespace({ name: 'bookinfo' }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(api.seen.length - before, 4, 'each command sent one request');
    assert.ok((await readFile(runs, 'utf8')).split('\n').filter(Boolean).length <= 4, 'the plugin ran more than once per command');
  });
});

describe('a failing plugin that prints an opaque token on stderr', () => {
  it('the answer keeps its words and drops the token (defect: a GCP access token reached the answer whole)', async () => {
    const api = await tokenApi('gke-token');
    const dir = await tempDir('review-opaque');
    try {
      const opaque = 'ya29.a0AfH6SMBxYz0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
      const leaky = await plugin(join(dir, 'gke.sh'), `echo "refreshing ${opaque} failed: Reauthentication required, run gcloud auth login" >&2\nexit 1`);
      const file = join(dir, 'kubeconfig');
      await writeFile(file, kubeconfigYaml([{ name: 'ctx-west', server: api.url, user: execUser(leaky) }]));
      const kube = createKubeFor(() => loadKubeConfigAsKubectl({ KUBECONFIG: file }))(CLUSTER);
      assert.ok(kube.ok);
      const cause = await kube.value.core.readNamespace({ name: 'bookinfo' }).then(() => assert.fail('no credentials, yet it answered'), (error: unknown) => error);
      const said = describeKubeError(cause, 'read namespace bookinfo', 'west');
      assert.match(said, /Reauthentication required, run gcloud auth login/);
      assert.doesNotMatch(said, /a0AfH6SMBx/);
    } finally {
      await api.close();
    }
  });
});
