// A kubeconfig whose cluster entry names files that are not where mesh-bot runs: the CA, client certificate and key
// paths of the laptop it was copied from (minikube, kind, a cloud CLI writes them so), put into a Secret for the bot.
// kubectl and istioctl refuse such a kubeconfig naming the file; mesh-bot called the cluster's API "not reachable
// (ENOENT)" and sent people to check the network.

import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { createKubeFor } from '../../src/kube/clients.ts';
import { describeKubeError } from '../../src/kube/errors.ts';
import { loadKubeConfigAsKubectl } from '../../src/kube/kubeconfig-files.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { meshBot, namespace, standIn, type StandIn } from '../breaker-ambient/support/harness.ts';
import { CLUSTERS, tempDir } from './support.ts';

const LAPTOP = '/Users/alice/.minikube/profiles/west';

describe('cluster west\'s kubeconfig names a client certificate that is not there', () => {
  let east: FakeKubeApi;
  let west: FakeKubeApi;
  let istioctl: StandIn;
  let dir: string;
  before(async () => {
    east = await startFakeKubeApi({ objects: [namespace('bookinfo')] });
    west = await startFakeKubeApi({ objects: [namespace('bookinfo')] });
    istioctl = await standIn('1.28.1', []);
    dir = await tempDir('files');
  });
  after(async () => {
    await east.close();
    await west.close();
  });

  function kubeconfig(westUser: Record<string, unknown>, westCluster: Record<string, unknown> = { server: west.url, 'insecure-skip-tls-verify': true }): string {
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'east', cluster: { server: east.url, 'insecure-skip-tls-verify': true } }, { name: 'west', cluster: westCluster }],
      users: [{ name: 'east', user: { token: 'e' } }, { name: 'west', user: westUser }],
      contexts: [{ name: 'ctx-east', context: { cluster: 'east', user: 'east' } }, { name: 'ctx-west', context: { cluster: 'west', user: 'west' } }],
      'current-context': 'ctx-east',
    });
  }

  it('the terminal names the file and stops as for any unusable kubeconfig, exit 2 (defect: "not reachable (ENOENT)", exit 1)', async () => {
    await writeFile(join(dir, 'kubeconfig'), kubeconfig({ 'client-certificate': `${LAPTOP}/client.crt`, 'client-key': `${LAPTOP}/client.key` }));
    await writeFile(join(dir, 'config.yaml'), 'clusters:\n  - { name: east, context: ctx-east, default: true }\n  - { name: west, context: ctx-west }\n');
    const run = await meshBot(['canary', 'status', 'reviews', '-n', 'bookinfo', '--cluster', 'west'], { KUBECONFIG: join(dir, 'kubeconfig'), ISTIOCTL: istioctl.path, MESH_BOT_CONFIG: join(dir, 'config.yaml'), POD_NAMESPACE: 'mesh-bot' });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /\/Users\/alice\/\.minikube\/profiles\/west\/client\.crt/);
    assert.match(run.stderr, /cluster west/);
    assert.doesNotMatch(run.stderr, /not reachable|network/);
    // east, whose entry is fine, still answers.
    const eastRun = await meshBot(['canary', 'status', 'reviews', '-n', 'bookinfo', '--cluster', 'east'], { KUBECONFIG: join(dir, 'kubeconfig'), ISTIOCTL: istioctl.path, MESH_BOT_CONFIG: join(dir, 'config.yaml'), POD_NAMESPACE: 'mesh-bot' });
    assert.match(eastRun.stderr, /Neither a VirtualService nor an HTTPRoute named bookinfo\/reviews exists in cluster east/);
  });

  it('a running bot whose CA file went away names that file, not the network (defect: "not reachable (ENOENT)")', async () => {
    const ca = join(dir, 'west-ca.crt');
    await writeFile(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const file = join(dir, 'kubeconfig-ca');
    await writeFile(file, kubeconfig({ token: 'w' }, { server: west.url.replace('http:', 'https:'), 'certificate-authority': ca }));
    const kube = createKubeFor(() => loadKubeConfigAsKubectl({ KUBECONFIG: file }))(CLUSTERS(['ctx-east', 'ctx-west'])[1]!);
    assert.ok(kube.ok, kube.ok ? '' : kube.error.message);
    await rm(ca);
    const said = await kube.value.core.readNamespace({ name: 'bookinfo' }).then(
      () => assert.fail('read without its CA'),
      (cause: unknown) => describeKubeError(cause, 'get namespace bookinfo', 'west'),
    );
    assert.match(said, /west-ca\.crt/);
    assert.doesNotMatch(said, /not reachable/);
  });
});
