// The serving process (src/main.ts in a child process) given a config whose cluster names a kubeconfig context
// that does not exist. Contract §2/§4: "A missing or invalid setting stops the process at start with one line that
// names the setting and the problem" — here it starts, logs a warning, turns scheduled digests off and serves.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { cluster, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

let kube: Cluster;
let slack: FakeSlack;
before(async () => {
  kube = await cluster([namespace('mesh-bot')]);
  slack = await startFakeSlack();
});
after(async () => {
  await slack?.close();
  await kube?.close();
});

describe('a cluster whose kubeconfig context does not exist', () => {
  it('stops the start with one line naming clusters[0].context', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'breaker-context-'));
    const config = join(dir, 'config.yaml');
    // A typo of the context the kubeconfig has ("fake"); the digest on that cluster could never run.
    await writeFile(config, 'clusters:\n  - name: prod\n    context: gke_prod_europe-west1\ndigests:\n  - { channel: C0OPS, schedule: "0 9 * * 1-5", cluster: prod }\n');
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, SLACK_BOT_TOKEN: 'xoxb-1-2-three', SLACK_SIGNING_SECRET: 'a-signing-secret-of-length', SLACK_API_URL: slack.apiUrl, PORT: '0', KUBECONFIG: kube.kubeconfig, MESH_BOT_CONFIG: config, POD_NAMESPACE: 'mesh-bot' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const serving = new Promise<'serving'>((resolve) => child.stdout.on('data', () => output.includes('is serving Slack') && resolve('serving')));
    const first = await Promise.race([exited, serving, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000))]);
    if (first !== 2) child.kill('SIGTERM');
    await exited;
    assert.equal(first, 2, `expected exit 2, got ${String(first)}:\n${output}`);
    assert.match(output, /clusters\[0\]\.context|gke_prod_europe-west1/);
  });
});
