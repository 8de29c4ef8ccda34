// DESIGN.md §5 when istioctl fails at every run (the Kubernetes API still answers): each command still prints its
// documented fields — those istioctl would have given null — with the reason in `errors`, and exits 1 (README:
// "1 when nothing could be read, when too little was read for a verdict").
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { z } from 'zod';
import { runCli } from '../../src/cli.ts';
import type { FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startAmbientApi } from '../support/ambient-api.ts';
import { analyze, envelope, proxyConfigSecret, status, violations, waypoint, ztunnelCertificates, ztunnelWorkloads } from './schema.ts';

let api: FakeKubeApi;
let kubeconfig: string;
before(async () => {
  api = await startAmbientApi();
  kubeconfig = join(await mkdtemp(join(tmpdir(), 'mesh-bot-contract-')), 'config');
  await writeFile(kubeconfig, api.kubeConfigYaml());
});
after(() => api.close());

/** `mesh-bot LINE -o json` with an istioctl that exits 1 and prints nothing at every run. */
async function failingIstioctl(line: string): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  err.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await runCli([...line.split(' '), '-o', 'json'], { KUBECONFIG: kubeconfig, ISTIOCTL: '/bin/false', POD_NAMESPACE: 'mesh-bot', PATH: process.env['PATH'] ?? '' }, out, err);
  return { code, json: JSON.parse(stdout) as Record<string, unknown>, stderr };
}

const CASES: readonly [string, z.ZodType, readonly string[]][] = [
  ['status', status, ['proxies']],
  ['analyze -A', analyze, ['findings']],
  ['pc secret web-1.shop', proxyConfigSecret, ['certificates']],
  ['zc workloads', ztunnelWorkloads, ['workloads', 'notCaptured']],
  ['zc certificates', ztunnelCertificates, ['certificates']],
  ['waypoint -A', waypoint, ['waypoints']],
  ['digest', envelope, []],
];

describe('JSON when istioctl fails at every run (DESIGN.md §5)', { concurrency: 4 }, () => {
  for (const [line, schema, unread] of CASES) {
    it(`mesh-bot ${line} -o json: the documented shape, ${unread.length > 0 ? `${unread.join(', ')} null, ` : ''}the reason in errors, exit 1`, async () => {
      const run = await failingIstioctl(line);
      assert.equal(run.code, 1, run.stderr);
      assert.deepEqual(violations(schema, run.json), []);
      for (const field of unread) assert.equal(run.json[field], null, field);
      const errors = run.json['errors'] as string[];
      assert.ok(errors.length > 0);
      assert.match(errors.join('\n'), /istioctl failed with exit code 1/);
      assert.ok(run.stderr.startsWith(`mesh-bot: ${errors[0]}`), 'stderr starts with the first error');
    });
  }
});
