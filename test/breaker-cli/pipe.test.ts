import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { fakeIstioctl } from '../support/bot.ts';

/**
 * `mesh-bot status -o json | head`: the reader stops after a few bytes and closes the pipe while mesh-bot still
 * writes a large answer. kubectl ends quietly there; a Node stack trace ("Unhandled 'error' event … EPIPE") on the
 * terminal looks like mesh-bot crashed.
 */
const bin = fileURLToPath(new URL('../../bin/mesh-bot.js', import.meta.url));

let api: FakeKubeApi;
let env: Record<string, string>;

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-pipe-'));
  api = await startFakeKubeApi({ objects: ['default', 'istio-system'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })) });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, api.kubeConfigYaml());
  // 5000 STALE proxies in istioctl 1.22–1.26's table (tabwriter columns): a JSON answer of over a megabyte, far
  // above a pipe's buffer.
  const row = (cells: readonly string[]) => cells.map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(24))).join('');
  const rows = Array.from({ length: 5000 }, (_, index) => row([`proxy-${String(index).padStart(5, '0')}.default`, 'cluster1', 'STALE', 'SYNCED', 'SYNCED', 'NOT SENT', 'SYNCED', 'istiod1', '1.24.2']));
  const table = join(dir, 'proxy-status.txt');
  await writeFile(table, `${[row(['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION']), ...rows].join('\n')}\n`);
  const istioctl = await fakeIstioctl({ version: '1.24.2', proxyStatusFile: table });
  env = { PATH: process.env['PATH'] ?? '', HOME: dir, KUBECONFIG: kubeconfig, ISTIOCTL: istioctl.path };
});
after(() => api.close());

function pipeline(command: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', () => resolve({ stdout, stderr }));
  });
}

describe('a reader that closes the pipe early', () => {
  it('mesh-bot status -o json | head -c 40: no stack trace, and mesh-bot exits with its own code', async () => {
    const run = await pipeline(`"${process.execPath}" "${bin}" status -o json | head -c 40; echo; echo "mesh-bot exit \${PIPESTATUS[0]}"`);
    assert.match(run.stdout, /^\{\n {2}"command": "status/);
    assert.doesNotMatch(run.stderr, /EPIPE|Unhandled 'error' event|^\s+at /m);
    // 5000 STALE proxies: degraded, and the command ran (exit 0 as documented).
    assert.match(run.stdout, /\nmesh-bot exit 0\n$/);
  });
});
