// `istioctl.concurrency` became a limit per kubeconfig context (so a cluster whose runs hang cannot hold every slot).
// With nothing bounding the total, a bot serving N clusters ran N times that many istioctl processes at once — each
// one a Go binary of tens to hundreds of MB (a proxy-config dump, an analyze of a large mesh) in a pod whose memory
// limit was sized for `concurrency` of them. The total must stay near the configured number: one extra slot per
// further cluster keeps a hung cluster from starving the others, not N times the limit.

import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createIstioctlRunner } from '../../src/istioctl/runner.ts';

describe('istioctl processes across clusters', () => {
  it('three clusters with concurrency 2 never run six istioctl at once, and every run still answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'review-clients-istioctl-'));
    const log = join(dir, 'runs.log');
    const binary = join(dir, 'istioctl');
    await writeFile(log, '');
    await writeFile(binary, `#!/bin/sh\necho start >> ${log}\nsleep 0.4\necho end >> ${log}\necho ok\n`);
    await chmod(binary, 0o755);
    const run = createIstioctlRunner({ binary, timeoutMs: 15_000, cacheTtlMs: 0, concurrency: 2, maxOutputBytes: 1024 * 1024 });
    const contexts = ['ctx-a', 'ctx-b', 'ctx-c'];
    const results = await Promise.all(contexts.flatMap((context) => [1, 2, 3, 4].map((n) => run({ args: ['version', String(n)], context, shareable: false }))));
    assert.ok(results.every((result) => result.ok && result.value.stdout === 'ok\n'), 'a run did not answer');
    let now = 0;
    let most = 0;
    for (const line of (await readFile(log, 'utf8')).split('\n')) {
      if (line === 'start') most = Math.max(most, (now += 1));
      if (line === 'end') now -= 1;
    }
    assert.ok(most <= 2 + contexts.length - 1, `${most} istioctl processes ran at once with istioctl.concurrency 2`);
  });
});
