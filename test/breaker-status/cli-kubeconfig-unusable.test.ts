// BS-9 (OPEN: the exit code is src/cli.ts's, not the status breaker's). docs/CONTRACT.md §1 / README Terminal mode:
// "2 for usage or configuration errors — including no kubeconfig at all". A kubeconfig that names no current context
// (or is not YAML) is the same configuration error: nothing can be read until the user fixes it, as with none at all.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { meshBot, standIn } from '../breaker-ambient/support/harness.ts';

const KUBECONFIGS: readonly [string, string][] = [
  ['no current context', 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n'],
  ['not YAML', '{{{ not yaml\n'],
];

for (const [label, text] of KUBECONFIGS) {
  it(`a kubeconfig with ${label}: exit 2, one line naming the kubeconfig`, async () => {
    const kubeconfig = join(await mkdtemp(join(tmpdir(), 'breaker-status-kubeconfig-')), 'config');
    await writeFile(kubeconfig, text);
    // What istioctl says with such a kubeconfig does not matter here; it fails like any run without a cluster.
    const istioctl = await standIn('1.24.6', [{ when: ['proxy-status'], stderr: 'Error: invalid configuration: no configuration has been provided\n', exit: 1 }]);
    const run = await meshBot(['status'], { KUBECONFIG: kubeconfig, ISTIOCTL: istioctl.path });
    assert.equal(run.code, 2);
    assert.match(run.stderr.split('\n')[0] ?? '', /kubeconfig/i);
  });
}

it('a kubeconfig file that is not YAML is named, in one line, with the parser\'s complaint and what to do', async () => {
  const kubeconfig = join(await mkdtemp(join(tmpdir(), 'breaker-status-kubeconfig-')), 'broken-config');
  await writeFile(kubeconfig, 'apiVersion: v1\nclusters: [\n  - bad: : :\n');
  const istioctl = await standIn('1.24.6', [{ when: ['proxy-status'], stderr: 'Error: invalid configuration: no configuration has been provided\n', exit: 1 }]);
  const run = await meshBot(['status'], { KUBECONFIG: kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 2);
  const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, 1, run.stderr);
  assert.ok(lines[0]?.includes(`${kubeconfig} cannot be read as a kubeconfig`), run.stderr);
  assert.match(lines[0] ?? '', /Fix that file, or set KUBECONFIG to a working one\.$/);
});
