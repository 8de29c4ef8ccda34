// BS-12 (OPEN: src/istioctl/runner.ts maps EACCES to "not installed", src/istioctl/errors.ts words it; neither is the
// status breaker's). ISTIOCTL names a file that exists but is not executable (a downloaded binary without chmod +x):
// "istioctl was not found at …" sends the user looking for a file that is there. One clear sentence plus what to do.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { cluster, meshBot, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, sidecarNamespaces } from './support/sidecar.ts';

let kube: Cluster;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), istiod('istiod-7d4f9c8b6d-k2x9q', '1.24.6')]);
});
after(() => kube.close());

it('says the file is not executable, not that it was not found', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'breaker-status-istioctl-')), 'istioctl');
  await writeFile(path, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
  const run = await meshBot(['status'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: path });
  const first = run.stderr.split('\n')[0] ?? '';
  assert.doesNotMatch(first, /not found/);
  assert.match(first, /not executable|permission/i);
});

it('says ISTIOCTL names a directory, and which file to name instead, when it is istioctl\'s folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'breaker-status-istioctl-dir-'));
  const run = await meshBot(['status'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: dir });
  const first = run.stderr.split('\n')[0] ?? '';
  assert.match(first, /is a directory, not the istioctl executable/);
  assert.ok(first.includes(`${dir}/istioctl`), first);
  assert.doesNotMatch(first, /chmod/);
});
