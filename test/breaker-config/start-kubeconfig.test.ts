// DESIGN.md §2: "KUBECONFIG: standard; in a pod the in-cluster service account is used" and "A missing or invalid
// setting stops the process at start with one line that names the setting and the problem". Standard means what
// kubectl and istioctl (client-go) do with the same variable: a `:`-joined list skips files that do not exist, and
// the first file to set current-context (or a name) wins.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { emptyHome, start, startWorld } from './support/start.ts';

const BOT_TOKEN = 'xoxb-1-2-breakerconfigtoken';
const SIGNING_SECRET = 'breaker-config-signing-secret';

const world = startWorld();

async function baseEnv(): Promise<Record<string, string>> {
  return { HOME: await emptyHome(), SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: world().slack.apiUrl, PORT: '0', POD_NAMESPACE: 'mesh-bot', ISTIOCTL: world().istioctl };
}

function oneLine(lines: readonly string[]): string {
  const written = lines.filter((line) => line.trim() !== '');
  assert.equal(written.length, 1, `expected exactly one line, got:\n${written.join('\n')}`);
  const [line] = written;
  assert.equal(line?.includes(BOT_TOKEN), false, 'the bot token is not echoed');
  assert.equal(line?.includes(SIGNING_SECRET), false, 'the signing secret is not echoed');
  return line ?? '';
}

describe('no kubeconfig at all', () => {
  it('outside a pod: stops at start with one line naming KUBECONFIG, instead of serving against http://localhost:8080', async () => {
    const outcome = await start(await baseEnv());
    assert.equal(outcome.result, 2, `expected exit 2, got ${String(outcome.result)}:\n${outcome.lines.join('\n')}`);
    assert.match(oneLine(outcome.lines), /^mesh-bot: KUBECONFIG: .*KUBECONFIG is not set.*\.kube\/config does not exist/);
  });

  it('in a pod without a service account token: names the token and automountServiceAccountToken', async () => {
    const outcome = await start({ ...(await baseEnv()), KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
    assert.equal(outcome.result, 2, outcome.lines.join('\n'));
    assert.match(oneLine(outcome.lines), /^mesh-bot: KUBECONFIG: .*service account token.*automountServiceAccountToken/);
  });
});

describe('KUBECONFIG naming several files, as kubectl accepts them', () => {
  it('skips a listed file that does not exist and serves with the one that does', async () => {
    const outcome = await start({ ...(await baseEnv()), KUBECONFIG: `/nonexistent/breaker-config/kubeconfig:${world().kube.kubeconfig}` }, true);
    try {
      assert.equal(outcome.result, 'serving', outcome.lines.join('\n'));
      const ready = await fetch(`http://127.0.0.1:${String(outcome.port)}/readyz`);
      assert.equal(ready.status, 200, await ready.text());
    } finally {
      await outcome.stop();
    }
  });

  it('uses the current-context of the first file that sets one, and the first definition of a user both files name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'breaker-config-kubeconfig-'));
    // Both files call their user "admin" (as kind, k3d and many installers do) and set their own current-context.
    const file = (name: string, server: string) =>
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name, cluster: { server, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'admin', user: { token: `${name}-token` } }],
        contexts: [{ name, context: { cluster: name, user: 'admin' } }],
        'current-context': name,
      });
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    await writeFile(first, file('first', world().kube.api.url));
    // Nothing listens on port 1: had mesh-bot taken this file's current-context, its API reads would all fail.
    await writeFile(second, file('second', 'https://127.0.0.1:1'));
    const outcome = await start({ ...(await baseEnv()), KUBECONFIG: `${first}:${second}` }, true);
    try {
      assert.equal(outcome.result, 'serving', outcome.lines.join('\n'));
      const ready = await fetch(`http://127.0.0.1:${String(outcome.port)}/readyz`);
      const report = (await ready.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
      assert.equal(report.checks['kubernetes']?.ok, true, report.checks['kubernetes']?.detail);
    } finally {
      await outcome.stop();
    }
  });
});
