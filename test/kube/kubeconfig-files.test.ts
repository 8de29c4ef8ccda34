// Which kubeconfig mesh-bot reads, as kubectl and istioctl choose it: the file KUBECONFIG names, else ~/.kube/config.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { KubeconfigFileError, loadKubeConfigAsKubectl } from '../../src/kube/kubeconfig-files.ts';
import { findKubeconfig, SERVICE_ACCOUNT_TOKEN } from '../../src/kube/kubeconfig-source.ts';

const saved = { HOME: process.env['HOME'], KUBECONFIG: process.env['KUBECONFIG'], KUBERNETES_SERVICE_HOST: process.env['KUBERNETES_SERVICE_HOST'], KUBERNETES_SERVICE_PORT: process.env['KUBERNETES_SERVICE_PORT'] };
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const kubeconfig = (context: string) =>
  `apiVersion: v1\nkind: Config\ncurrent-context: ${context}\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: ${context}\n  context:\n    cluster: c\n    user: u\n`;

/** A home directory whose ~/.kube/config holds `text`. */
async function home(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-home-'));
  await mkdir(join(dir, '.kube'));
  await writeFile(join(dir, '.kube', 'config'), text);
  process.env['HOME'] = dir;
  return dir;
}

describe('the kubeconfig mesh-bot reads', () => {
  it('is ~/.kube/config without KUBECONFIG', async () => {
    await home(kubeconfig('home-context'));
    delete process.env['KUBECONFIG'];
    assert.equal(loadKubeConfigAsKubectl({}).getCurrentContext(), 'home-context');
  });

  it('is never ~/.kube/config when KUBECONFIG names only files that do not exist (another cluster than istioctl\'s)', async () => {
    await home(kubeconfig('home-context'));
    process.env['KUBECONFIG'] = '/nonexistent/mesh-bot/kubeconfig';
    assert.throws(() => loadKubeConfigAsKubectl({ KUBECONFIG: '/nonexistent/mesh-bot/kubeconfig' }));
  });

  it('names ~/.kube/config when it cannot be read as a kubeconfig', async () => {
    const dir = await home('apiVersion: v1\nclusters: [\n  - bad: : :\n');
    delete process.env['KUBECONFIG'];
    assert.throws(() => loadKubeConfigAsKubectl({}), (error: unknown) => error instanceof KubeconfigFileError && error.message.startsWith(`${join(dir, '.kube', 'config')} cannot be read as a kubeconfig (`) && !error.message.includes('\n'));
  });
});

// client-go (kubectl, istioctl) skips KUBECONFIG files that do not exist and, finding no configuration, uses the pod's
// service account after warning "Config not found". mesh-bot stopped instead, while the istioctl it runs worked.
describe('KUBECONFIG naming only files that do not exist, in a pod', () => {
  const missing = '/nonexistent/mesh-bot/kubeconfig';
  const pod = { KUBECONFIG: missing, KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
  const tokenMounted = (path: string) => path === SERVICE_ACCOUNT_TOKEN;

  it('uses the service account, with a warning that names KUBECONFIG and what to do', () => {
    const found = findKubeconfig(pod, tokenMounted);
    assert.equal(found.ok, true);
    assert.equal(found.ok && found.value, `KUBECONFIG is set to ${missing}, but no such file exists; using the pod's service account, as kubectl and istioctl do. Mount the file or unset KUBECONFIG.`);
    Object.assign(process.env, pod);
    const config = loadKubeConfigAsKubectl(pod, tokenMounted);
    assert.equal(config.getCurrentCluster()?.server, 'https://10.96.0.1:443');
  });

  it('still stops outside a pod, and in a pod whose token is not mounted', () => {
    const outside = findKubeconfig({ KUBECONFIG: missing }, tokenMounted);
    assert.match(outside.ok ? '' : outside.error, /no such file exists\. Point KUBECONFIG at/);
    const untokened = findKubeconfig(pod, () => false);
    assert.equal(untokened.ok, false);
  });

  it('is not a warning when a listed file exists', () => {
    assert.deepEqual(findKubeconfig({ ...pod, KUBECONFIG: `${missing}:/etc/kubeconfig` }, (path) => path === '/etc/kubeconfig'), { ok: true, value: null });
  });
});
