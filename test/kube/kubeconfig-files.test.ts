// Which kubeconfig mesh-bot reads, as kubectl and istioctl choose it: the file KUBECONFIG names, else ~/.kube/config.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { KubeconfigFileError, loadKubeConfigAsKubectl } from '../../src/kube/kubeconfig-files.ts';

const saved = { HOME: process.env['HOME'], KUBECONFIG: process.env['KUBECONFIG'] };
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
