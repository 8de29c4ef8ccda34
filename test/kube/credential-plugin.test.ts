// A kubeconfig whose user runs a credential plugin (`aws eks get-token`, `kubelogin`, `gke-gcloud-auth-plugin`) that
// is not installed where mesh-bot runs: the answer names the plugin, not the network.

import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { cluster, meshBot, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';
import { fakeIstioctl } from '../support/bot.ts';

let kube: Cluster;
let istioctl: string;
let dir: string;
before(async () => {
  kube = await cluster([namespace('mesh-bot'), namespace('istio-system')]);
  istioctl = (await fakeIstioctl({ version: '1.24.2' })).path;
  dir = await mkdtemp(join(tmpdir(), 'mesh-bot-credential-plugin-'));
});
after(() => kube?.close());

/** The test cluster's kubeconfig with its user's credentials replaced by an exec plugin. */
async function withPlugin(command: string): Promise<string> {
  const config = parse(await readFile(kube.kubeconfig, 'utf8')) as { users: { name: string; user: Record<string, unknown> }[] };
  for (const entry of config.users) entry.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command, args: ['eks', 'get-token'] } };
  const file = join(dir, `kubeconfig-${config.users.length}-${command.replace(/\W/g, '')}`);
  await writeFile(file, stringify(config));
  return file;
}

type Answer = { readonly errors: readonly string[] };

describe('a kubeconfig credential plugin that cannot run', () => {
  it('is named, with what to do, when it is not installed (not "API not reachable")', async () => {
    const run = await meshBot(['status', '-o', 'json'], { KUBECONFIG: await withPlugin('mesh-bot-test-no-such-plugin'), ISTIOCTL: istioctl });
    const { errors } = JSON.parse(run.stdout) as Answer;
    const said = errors.join('\n');
    assert.match(said, /credential plugin `mesh-bot-test-no-such-plugin`/);
    assert.match(said, /not found/);
    assert.match(said, /[Ii]nstall it/);
    assert.doesNotMatch(said, /not reachable/);
  });

  it('is named when it is there but may not be run', async () => {
    const plugin = join(dir, 'not-executable-plugin');
    await writeFile(plugin, '#!/bin/sh\necho {}\n');
    await chmod(plugin, 0o644);
    const run = await meshBot(['status', '-o', 'json'], { KUBECONFIG: await withPlugin(plugin), ISTIOCTL: istioctl });
    const said = (JSON.parse(run.stdout) as Answer).errors.join('\n');
    assert.match(said, /credential plugin `.*not-executable-plugin` .*may not be run/);
    assert.doesNotMatch(said, /not reachable/);
  });
});
