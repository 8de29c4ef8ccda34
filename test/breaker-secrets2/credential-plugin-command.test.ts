// A kubeconfig credential plugin written with its arguments in `command` (`command: "kubelogin get-token
// --oidc-client-secret=…"` instead of `args:`), a common slip: the spawn fails (no program has that name) and the
// answer names the command, as it should, but with the client secret in it, in the terminal, Slack and the log.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { cluster, meshBot, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';
import { fakeIstioctl } from '../support/bot.ts';

const CLIENT_SECRET = 'Qz7Wn2Lp9Rt4Yx8Kd3Mv';

let kube: Cluster;
let istioctl: string;
let kubeconfig: string;
before(async () => {
  kube = await cluster([namespace('mesh-bot'), namespace('istio-system')]);
  istioctl = (await fakeIstioctl({ version: '1.24.2' })).path;
  const config = parse(await readFile(kube.kubeconfig, 'utf8')) as { users: { user: Record<string, unknown> }[] };
  for (const entry of config.users) entry.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: `kubelogin get-token --oidc-client-secret=${CLIENT_SECRET}` } };
  kubeconfig = join(await mkdtemp(join(tmpdir(), 'mesh-bot-plugin-command-')), 'kubeconfig');
  await writeFile(kubeconfig, stringify(config));
});
after(() => kube?.close());

describe('a credential plugin whose command line carries a secret', () => {
  it('is named without the secret', async () => {
    const run = await meshBot(['status', '-o', 'json'], { KUBECONFIG: kubeconfig, ISTIOCTL: istioctl, LOG_LEVEL: 'debug' });
    const said = (JSON.parse(run.stdout) as { errors: readonly string[] }).errors.join('\n');
    assert.match(said, /credential plugin `kubelogin get-token --oidc-client-secret=\[redacted\]`/);
    assert.doesNotMatch(`${run.stdout}\n${run.stderr}`, new RegExp(CLIENT_SECRET));
  });
});
