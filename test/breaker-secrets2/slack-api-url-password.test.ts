// SLACK_API_URL with a user name and password in it (`https://user:password@slack-proxy.corp/api/`, how some
// egress proxies are written). fetch refuses such a URL and quotes it whole, and mesh-bot printed the refusal:
// "could not connect to Slack (… includes credentials: https://admin:PASSWORD@…)" — the password in the pod's log,
// and a start that failed with advice ("check the network path") that does not help.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const PASSWORD = 'Hunter2Hunter2Proxy';

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN], { env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('SLACK_API_URL with a password in it', () => {
  it('stops the start naming SLACK_API_URL and what to do, without printing the password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-api-url-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: abc}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: mesh-bot}}]\ncurrent-context: x\n');
    const result = await run({
      SLACK_BOT_TOKEN: 'xoxb-1-2-three',
      SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99e0d1c2b3a4',
      SLACK_API_URL: `https://admin:${PASSWORD}@127.0.0.1:1/api/`,
      KUBECONFIG: kubeconfig,
      ISTIOCTL: '/bin/true',
      PORT: '0',
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /SLACK_API_URL: .*user name or password/);
    assert.doesNotMatch(`${result.stdout}\n${result.stderr}`, new RegExp(PASSWORD));
  });
});
