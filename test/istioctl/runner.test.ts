import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createIstioctlRunner, type RunnerOptions } from '../../src/istioctl/runner.ts';

/** A stand-in executable whose behaviour is baked into its source; every start is appended to a log file. */
async function executable(body: string): Promise<{ path: string; starts: () => Promise<number> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-runner-'));
  const log = join(dir, 'starts.log');
  const path = join(dir, 'istioctl');
  await writeFile(path, `#!/usr/bin/env node\nimport { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(log)}, 'x');\n${body}\n`);
  await chmod(path, 0o755);
  return {
    path,
    starts: async () => (await readFile(log, 'utf8').catch(() => '')).length,
  };
}

function runner(binary: string, overrides: Partial<RunnerOptions> = {}) {
  return createIstioctlRunner({ binary, timeoutMs: 10_000, cacheTtlMs: 5_000, concurrency: 4, maxOutputBytes: 1024 * 1024, ...overrides });
}

describe('istioctl runner', () => {
  it('passes arguments as an array (no shell) and returns stdout, stderr and the exit code', async () => {
    const fake = await executable(`process.stdout.write(JSON.stringify(process.argv.slice(2))); process.stderr.write('warn line\\n'); process.exitCode = 79;`);
    const outcome = await runner(fake.path)({ args: ['analyze', '-n', 'shop; rm -rf /', '$(whoami)'], context: 'prod ctx' });
    assert.ok(outcome.ok);
    assert.deepEqual(JSON.parse(outcome.value.stdout), ['analyze', '-n', 'shop; rm -rf /', '$(whoami)', '--context', 'prod ctx']);
    assert.equal(outcome.value.stderr, 'warn line\n');
    assert.equal(outcome.value.exitCode, 79);
  });

  it('kills a process that runs past its timeout and says so', async () => {
    const fake = await executable(`setTimeout(() => {}, 60_000);`);
    const outcome = await runner(fake.path, { timeoutMs: 300 })({ args: ['proxy-status'] });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.ok ? '' : outcome.error.kind, 'timeout');
  });

  it('stops reading output past the cap instead of exhausting memory', async () => {
    const fake = await executable(`process.stdout.write('x'.repeat(200_000));`);
    const outcome = await runner(fake.path, { maxOutputBytes: 10_000 })({ args: ['proxy-config', 'all', 'p.ns', '-o', 'json'] });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.ok ? '' : outcome.error.kind, 'output-too-large');
  });

  it('reports a missing binary as not installed', async () => {
    const outcome = await runner('/nonexistent/istioctl')({ args: ['version'] });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.ok ? '' : outcome.error.kind, 'not-installed');
  });

  it('runs ONE process for 20 identical read commands in flight, and answers all of them', async () => {
    const fake = await executable(`await new Promise((resolve) => setTimeout(resolve, 300)); process.stdout.write('table');`);
    const run = runner(fake.path);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => run({ args: ['proxy-status'] })));
    assert.equal(await fake.starts(), 1);
    assert.ok(outcomes.every((outcome) => outcome.ok && outcome.value.stdout === 'table'));
    assert.equal(outcomes.filter((outcome) => outcome.ok && outcome.value.shared).length, 19);
  });

  it('answers from the cache within the TTL and runs again after it', async () => {
    let now = 1_000_000;
    const fake = await executable(`process.stdout.write('ok');`);
    const run = runner(fake.path, { cacheTtlMs: 10_000, now: () => now });
    await run({ args: ['proxy-status'] });
    now += 9_000;
    const cached = await run({ args: ['proxy-status'] });
    assert.equal(await fake.starts(), 1);
    assert.ok(cached.ok && cached.value.shared);
    now += 2_000;
    await run({ args: ['proxy-status'] });
    assert.equal(await fake.starts(), 2);
  });

  it('keeps different clusters and different arguments apart', async () => {
    const fake = await executable(`process.stdout.write(process.argv.slice(2).join(' '));`);
    const run = runner(fake.path);
    const [a, b, c] = await Promise.all([
      run({ args: ['proxy-status'], context: 'eu' }),
      run({ args: ['proxy-status'], context: 'us' }),
      run({ args: ['analyze', '-A'], context: 'eu' }),
    ]);
    assert.equal(await fake.starts(), 3);
    assert.equal(a?.ok && a.value.stdout, 'proxy-status --context eu');
    assert.equal(b?.ok && b.value.stdout, 'proxy-status --context us');
    assert.equal(c?.ok && c.value.stdout, 'analyze -A --context eu');
  });

  it('never shares a command with side effects', async () => {
    const fake = await executable(`process.stdout.write('done');`);
    const run = runner(fake.path);
    await Promise.all([run({ args: ['x'], shareable: false }), run({ args: ['x'], shareable: false })]);
    assert.equal(await fake.starts(), 2);
  });

  it('never runs more processes at once than the concurrency limit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-concurrency-'));
    const fake = await executable(`
const file = ${JSON.stringify(join(dir, 'events'))};
appendFileSync(file, '+');
await new Promise((resolve) => setTimeout(resolve, 150));
appendFileSync(file, '-');`);
    const run = runner(fake.path, { concurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, (_, index) => run({ args: ['proxy-config', 'clusters', `pod-${index}.ns`] })));
    const events = await readFile(join(dir, 'events'), 'utf8');
    let running = 0;
    let peak = 0;
    for (const event of events) {
      running += event === '+' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    assert.equal(events.length, 12);
    assert.ok(peak <= 2, `peak concurrency ${peak}`);
  });

  it('does not answer a read that must be newer than a write from an older cached run', async () => {
    let now = 1_000_000;
    const fake = await executable(`process.stdout.write('ok');`);
    const run = runner(fake.path, { cacheTtlMs: 10_000, now: () => now });
    await run({ args: ['proxy-status'] });
    now += 1_000;
    const afterWrite = new Date(now);
    const fresh = await run({ args: ['proxy-status'], notBefore: afterWrite });
    assert.equal(await fake.starts(), 2);
    assert.ok(fresh.ok && !fresh.value.shared);
    const reused = await run({ args: ['proxy-status'], notBefore: afterWrite });
    assert.ok(reused.ok && reused.value.shared, 'a run that started after the write may be shared');
    assert.equal(await fake.starts(), 2);
  });
});
