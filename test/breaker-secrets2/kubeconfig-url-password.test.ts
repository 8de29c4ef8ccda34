// A kubeconfig whose server URL carries a password (`server: https://admin:PASSWORD@host:6443`, how some
// installers and old tutorials write basic auth). The Kubernetes client refuses such a URL, and fetch's refusal
// quotes the URL whole: the password reached the answer (terminal, `-o json`, Slack), the log, and the body of
// /readyz, which in HTTP mode is served on the port Slack reaches (often through a public Ingress).

import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { cluster, meshBot, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';
import { fakeIstioctl, startBot } from '../support/bot.ts';

const PASSWORD = 'Zq8rT4nPassw0rdInUrl';

let kube: Cluster;
let istioctl: string;
let kubeconfig: string;
before(async () => {
  kube = await cluster([namespace('mesh-bot'), namespace('istio-system')]);
  istioctl = (await fakeIstioctl({ version: '1.24.2' })).path;
  const config = parse(await readFile(kube.kubeconfig, 'utf8')) as { clusters: { cluster: { server: string } }[] };
  for (const entry of config.clusters) entry.cluster.server = entry.cluster.server.replace('://', `://admin:${PASSWORD}@`);
  kubeconfig = join(await mkdtemp(join(tmpdir(), 'mesh-bot-url-password-')), 'kubeconfig');
  await writeFile(kubeconfig, stringify(config));
});
after(() => kube?.close());

describe('a kubeconfig server URL with a password in it', () => {
  it('is named with what to do, and the password is in neither the answer nor the log', async () => {
    const run = await meshBot(['status', '-o', 'json'], { KUBECONFIG: kubeconfig, ISTIOCTL: istioctl, LOG_LEVEL: 'debug' });
    const said = (JSON.parse(run.stdout) as { errors: readonly string[] }).errors.join('\n');
    assert.match(said, /server URL .*user name or password/);
    assert.match(said, /Remove them from the server URL/);
    assert.doesNotMatch(`${run.stdout}\n${run.stderr}`, new RegExp(PASSWORD));
  });
});

describe('/readyz of a bot whose kubeconfig server URL has a password in it', () => {
  it('answers not ready, names the problem, and does not carry the password', async () => {
    const bot = await startBot({
      kubeConfig: () => {
        const config = new KubeConfig();
        config.loadFromFile(kubeconfig);
        return config;
      },
    });
    try {
      const response = await fetch(`${bot.url}/readyz`);
      const body = await response.text();
      assert.equal(response.status, 503);
      assert.match(body, /server URL .*user name or password/);
      assert.doesNotMatch(body, new RegExp(PASSWORD));
    } finally {
      await bot.close();
    }
  });
});
