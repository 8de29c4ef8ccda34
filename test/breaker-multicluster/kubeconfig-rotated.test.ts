// A kubeconfig mounted from a Secret whose token for one cluster is rotated while the bot runs (a remote cluster's
// ServiceAccount token re-issued, the Secret updated; the kubelet updates the mounted file). istioctl reads the file
// on every run and has the new token at once; mesh-bot's clients read it once at start and were refused (401) for
// that cluster until restarted. After a 401 they now read the kubeconfig again, as client-go refreshes after a 401.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createKubeFor } from '../../src/kube/clients.ts';
import { describeKubeError } from '../../src/kube/errors.ts';
import { loadKubeConfigAsKubectl } from '../../src/kube/kubeconfig-files.ts';
import { CLUSTERS, kubeconfigYaml, tempDir, tokenApi, type TokenApi } from './support.ts';

describe('a bot serving east and west when west\'s token in the kubeconfig is rotated', () => {
  let east: TokenApi;
  let west: TokenApi;
  let file: string;
  before(async () => {
    east = await tokenApi('east-token');
    west = await tokenApi('west-token-1');
    file = join(await tempDir('rotated'), 'kubeconfig');
  });
  after(async () => {
    await east.close();
    await west.close();
  });

  const write = (westToken: string) =>
    writeFile(file, kubeconfigYaml([{ name: 'ctx-east', server: east.url, user: { token: 'east-token' } }, { name: 'ctx-west', server: west.url, user: { token: westToken } }]));

  it('uses the new token once the API refused the old one, and east is never disturbed (defect: 401 until restarted)', async () => {
    await write('west-token-1');
    const kubeFor = createKubeFor(() => loadKubeConfigAsKubectl({ KUBECONFIG: file }));
    const [eastCluster, westCluster] = CLUSTERS(['ctx-east', 'ctx-west']);
    const eastKube = kubeFor(eastCluster!);
    const westKube = kubeFor(westCluster!);
    assert.ok(eastKube.ok && westKube.ok);
    assert.equal((await westKube.value.core.readNamespace({ name: 'bookinfo' })).metadata?.name, 'bookinfo');

    await write('west-token-2');
    west.accept('west-token-2');
    // The first request after the rotation still carries the old token (as client-go's would); it is refused, and named.
    await assert.rejects(westKube.value.core.readNamespace({ name: 'bookinfo' }), (cause: unknown) => /cluster west rejected mesh-bot's credentials/.test(describeKubeError(cause, 'get namespace bookinfo', 'west')));
    assert.equal((await westKube.value.core.readNamespace({ name: 'bookinfo' })).metadata?.name, 'bookinfo');
    assert.equal((await eastKube.value.core.readNamespace({ name: 'bookinfo' })).metadata?.name, 'bookinfo');
    assert.deepEqual([...new Set(east.seen)], ['east-token']);
  });
});

describe('a cluster configured without a context (the current one) whose kubeconfig is rewritten while the bot runs', () => {
  let a: TokenApi;
  let b: TokenApi;
  let file: string;
  before(async () => {
    a = await tokenApi('a-token-1');
    b = await tokenApi('b-token');
    file = join(await tempDir('current'), 'kubeconfig');
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it('reads the credentials of the context it started with again, not of the file\'s new current-context', async () => {
    const write = (aToken: string, current: string) =>
      writeFile(file, kubeconfigYaml([{ name: current, server: current === 'ctx-a' ? a.url : b.url, user: { token: current === 'ctx-a' ? aToken : 'b-token' } }, ...(current === 'ctx-a' ? [{ name: 'ctx-b', server: b.url, user: { token: 'b-token' } }] : [{ name: 'ctx-a', server: a.url, user: { token: aToken } }])]));
    await write('a-token-1', 'ctx-a');
    const kube = createKubeFor(() => loadKubeConfigAsKubectl({ KUBECONFIG: file }))({ name: 'default', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' });
    assert.ok(kube.ok);
    assert.equal((await kube.value.core.readNamespace({ name: 'bookinfo' })).metadata?.name, 'bookinfo');
    // Someone ran `kubectl config use-context ctx-b` on the file, and a's token was rotated.
    await write('a-token-2', 'ctx-b');
    a.accept('a-token-2');
    await assert.rejects(kube.value.core.readNamespace({ name: 'bookinfo' }));
    assert.equal((await kube.value.core.readNamespace({ name: 'bookinfo' })).metadata?.name, 'bookinfo');
    assert.deepEqual(a.seen.slice(-1), ['a-token-2']);
    assert.equal(b.seen.length, 0);
  });
});
