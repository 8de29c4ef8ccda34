// README "Bounded": the concurrency limit is per kubeconfig context "so a cluster whose runs hang never leaves another
// without a slot", and in all "that number plus one per further cluster". With two clusters hung (an API server gone
// in one region takes two contexts with it), the two hung ones took every slot of the total between them and the
// third, healthy cluster's commands waited until they "did not finish".

import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createIstioctlRunner } from '../../src/istioctl/runner.ts';

describe('istioctl with two of three clusters hung', () => {
  it('the healthy cluster still gets a run, and the total stays at the limit plus one per further cluster', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'review-host-istioctl-'));
    const release = join(dir, 'release');
    const log = join(dir, 'runs.log');
    const binary = join(dir, 'istioctl');
    await writeFile(log, '');
    // Runs against ctx-a and ctx-b hang until the test lets them go; ctx-c answers at once.
    await writeFile(binary, `#!/bin/sh\necho start >> ${log}\ncase "$*" in *ctx-c*) echo end >> ${log}; echo ok; exit 0;; esac\nwhile [ ! -f ${release} ]; do sleep 0.05; done\necho end >> ${log}\necho ok\n`);
    await chmod(binary, 0o755);
    const run = createIstioctlRunner({ binary, timeoutMs: 20_000, cacheTtlMs: 0, concurrency: 2, maxOutputBytes: 1024 * 1024 });
    const hung = ['ctx-a', 'ctx-b'].flatMap((context) => [1, 2].map((n) => run({ args: ['version', String(n)], context, shareable: false })));
    // Every hung run that could start has started before the healthy cluster asks.
    for (let tries = 0; tries < 200 && (await readFile(log, 'utf8')).split('\n').filter((line) => line === 'start').length < 3; tries += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    const healthy = await Promise.race([run({ args: ['version', 'c'], context: 'ctx-c', shareable: false }), Promise.all(hung).then(() => 'the hung runs ended first' as const)]);
    assert.notEqual(healthy, 'the hung runs ended first');
    assert.ok(typeof healthy !== 'string' && healthy.ok && healthy.value.stdout === 'ok\n', `the healthy cluster's run did not answer: ${JSON.stringify(healthy)}`);
    await writeFile(release, '');
    const results = await Promise.all(hung);
    assert.ok(results.every((result) => result.ok), 'every hung run answered once released');
    let now = 0;
    let most = 0;
    for (const line of (await readFile(log, 'utf8')).split('\n')) {
      if (line === 'start') most = Math.max(most, (now += 1));
      if (line === 'end') now -= 1;
    }
    assert.ok(most <= 2 + 3 - 1, `${most} istioctl processes ran at once with istioctl.concurrency 2 and 3 clusters`);
  });
});
