// DESIGN.md §2: "A missing or invalid setting stops the process at start with one line that names the setting and
// the problem"; README: "`ISTIOCTL` naming a directory, a file that is not executable or nothing stops the start
// too" and, for the terminal, exit 2 "for usage or configuration errors". An ISTIOCTL set to something that can
// never run is that: `mesh-bot` stops before reading anything, names ISTIOCTL, and exits 2 — where it used to read
// the cluster and exit 1 as if the cluster were unreadable. The default `istioctl` missing from PATH stays a
// command failure (exit 1), as it is only a warning for the Slack app.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startAmbientApi } from '../support/ambient-api.ts';
import { cli } from '../support/cli.ts';

let api: FakeKubeApi;
let dir: string;
before(async () => {
  api = await startAmbientApi();
  dir = await mkdtemp(join(tmpdir(), 'mesh-bot-contract-istioctl-'));
  await writeFile(join(dir, 'config'), api.kubeConfigYaml());
  await writeFile(join(dir, 'not-executable'), '#!/bin/sh\necho 1.24.6\n');
  await chmod(join(dir, 'not-executable'), 0o644);
  process.env['KUBECONFIG'] = join(dir, 'config');
});
after(() => api.close());

describe('ISTIOCTL that can never run, in a terminal', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a path that does not exist', () => join(dir, 'missing', 'istioctl'), /does not exist/],
    ['a directory', () => dir, /is a directory/],
    ['a file that is not executable', () => join(dir, 'not-executable'), /is not executable/],
  ];
  for (const [label, path, problem] of cases) {
    it(`${label}: exit 2, one line naming ISTIOCTL, the JSON envelope with it, nothing read`, async () => {
      const requestsBefore = api.requests.length;
      const run = await cli(['status', '-o', 'json'], {}, { ISTIOCTL: path() });
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr.split('\n').filter((line) => line !== '').length, 1, run.stderr);
      assert.match(run.stderr, /^mesh-bot: ISTIOCTL: /);
      assert.match(run.stderr, problem);
      const json = JSON.parse(run.stdout) as { command: string; errors: string[] };
      assert.equal(json.command, 'status');
      assert.match(json.errors[0] ?? '', /^ISTIOCTL: /);
      assert.equal(api.requests.length, requestsBefore, 'the cluster was not read');
    });
  }

  it('the default istioctl missing from PATH is not a setting: the command runs and says so (exit 1)', async () => {
    const run = await cli(['status', '-o', 'json'], {}, { ISTIOCTL: '', PATH: dir });
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /^mesh-bot: ISTIOCTL: /);
    assert.match(run.stderr, /istioctl/);
  });
});
