import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createIstioctlRunner, type RunnerOptions } from '../../src/istioctl/runner.ts';
import { eventually } from '../support/eventually.ts';

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

describe('istioctl runner: deadlines and the cache under races', () => {
  /** A file the test creates to let a waiting fake istioctl finish. */
  async function gate(): Promise<{ path: string; open: () => Promise<void> }> {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-gate-'));
    const path = join(dir, 'open');
    return { path, open: () => writeFile(path, '') };
  }
  const waitFor = (file: string) => `await new Promise((resolve) => { const poll = setInterval(() => { if (existsSync(${JSON.stringify(file)})) { clearInterval(poll); resolve(); } }, 10); });`;

  it('keeps the answer of a run that started after a write, even when an older run finishes later', async () => {
    const release = await gate();
    const fake = await executable(`import { existsSync, readFileSync } from 'node:fs';
const first = readFileSync(process.argv[1] + '.log', 'utf8').length === 0;
appendFileSync(process.argv[1] + '.log', 'x');
if (first) { ${waitFor(release.path)} process.stdout.write('before the write'); } else process.stdout.write('after the write');`);
    await writeFile(`${fake.path}.log`, '');
    let now = 1_000_000;
    const run = runner(fake.path, { cacheTtlMs: 10_000, now: () => now });
    const older = run({ args: ['proxy-status'] });
    // Processes need not start in the order they were spawned (a loaded machine): the newer run is started only
    // once the older process has claimed "first", so the older one is always the one waiting for the release.
    await eventually(() => (readFileSync(`${fake.path}.log`, 'utf8').length > 0 ? true : undefined));
    now += 500;
    const newer = await run({ args: ['proxy-status'], notBefore: new Date(now) });
    assert.ok(newer.ok && newer.value.stdout === 'after the write');
    await release.open();
    const late = await older;
    assert.ok(late.ok && late.value.stdout === 'before the write');
    now += 100;
    const plain = await run({ args: ['proxy-status'] });
    assert.ok(plain.ok && plain.value.shared);
    assert.equal(plain.value.stdout, 'after the write', 'the older run did not replace the newer answer');
  });

  it('counts the wait for a concurrency slot toward the timeout', { timeout: 20_000 }, async () => {
    const release = await gate();
    const fake = await executable(`import { existsSync } from 'node:fs';\n${waitFor(release.path)}`);
    const run = runner(fake.path, { concurrency: 1 });
    const holder = run({ args: ['proxy-config', 'all', 'a.ns'], timeoutMs: 15_000 });
    const queued = await run({ args: ['proxy-config', 'all', 'b.ns'], timeoutMs: 300 });
    assert.equal(queued.ok ? '' : queued.error.kind, 'timeout', 'timed out while still waiting for a slot');
    await release.open();
    assert.ok((await holder).ok);
    assert.equal(await fake.starts(), 1, 'the queued run never started, not even once the slot came free');
  });

  it('on timeout kills the whole process group, including a grandchild holding stdout, and frees the slot at once', { timeout: 20_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-group-'));
    const pidFile = join(dir, 'grandchild.pid');
    // Like a kubeconfig credential plugin: a grandchild that inherits stdout and outlives nothing on its own.
    const fake = await executable(`import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
if (process.argv[2] === 'hang') {
  const plugin = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'inherit', 'inherit'] });
  writeFileSync(${JSON.stringify(pidFile)}, String(plugin.pid));
  setInterval(() => {}, 1000);
} else process.stdout.write('ok');`);
    const run = runner(fake.path, { concurrency: 1 });
    const hung = await run({ args: ['hang'], timeoutMs: 1_000 });
    assert.equal(hung.ok ? '' : hung.error.kind, 'timeout');
    const next = await run({ args: ['next'], timeoutMs: 5_000 });
    assert.ok(next.ok && next.value.stdout === 'ok', 'the slot was free for the next run');
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    await eventually(() => (processGone(grandchild) ? true : undefined), 5_000);
  });
});

/** Dead, or a zombie waiting for a reaper: either way it holds no pipe and runs no code. */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
}

describe('istioctl runner: stdout handed to a reader as it arrives', () => {
  /** A reader that keeps what it was given, as text, and counts its chunks. */
  function recorder() {
    const opened: { chunks: string[] }[] = [];
    return {
      opened,
      spec: {
        name: 'recorder',
        open: () => {
          const seen = { chunks: [] as string[] };
          opened.push(seen);
          return { write: (chunk: Uint8Array) => void seen.chunks.push(Buffer.from(chunk).toString('latin1')), end: () => seen.chunks.join('') };
        },
      },
    };
  }

  it('gives the reader each chunk while istioctl is still writing, and its value with stderr and the exit code', { timeout: 20_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-stream-'));
    const go = join(dir, 'go');
    const fake = await executable(`import { existsSync } from 'node:fs';
process.stdout.write('first half,');
await new Promise((resolve) => { const poll = setInterval(() => { if (existsSync(${JSON.stringify(go)})) { clearInterval(poll); resolve(); } }, 10); });
process.stdout.write('second half');
process.stderr.write('a warning\\n');
process.exitCode = 3;`);
    const reader = recorder();
    const pending = runner(fake.path)({ args: ['proxy-status'], stdoutReader: reader.spec });
    await eventually(() => (reader.opened[0]?.chunks.join('') === 'first half,' ? true : undefined), 10_000);
    await writeFile(go, '');
    const outcome = await pending;
    assert.ok(outcome.ok);
    assert.equal(outcome.value.stdoutRead, 'first half,second half');
    assert.equal(outcome.value.stdout, '', 'stdout is not kept besides what the reader made of it');
    assert.equal(outcome.value.stderr, 'a warning\n');
    assert.equal(outcome.value.exitCode, 3);
  });

  it('shares one run and one read between callers, and keeps other readers and bytes answers apart', async () => {
    const fake = await executable(`await new Promise((resolve) => setTimeout(resolve, 200)); process.stdout.write('answer');`);
    const run = runner(fake.path);
    const reader = recorder();
    const [a, b] = await Promise.all([run({ args: ['proxy-status'], stdoutReader: reader.spec }), run({ args: ['proxy-status'], stdoutReader: reader.spec })]);
    const cached = await run({ args: ['proxy-status'], stdoutReader: reader.spec });
    assert.equal(await fake.starts(), 1);
    assert.equal(reader.opened.length, 1);
    for (const outcome of [a, b, cached]) assert.ok(outcome.ok && outcome.value.stdoutRead === 'answer');
    assert.ok(cached.ok && cached.value.shared);
    const other = await run({ args: ['proxy-status'], stdoutReader: { name: 'upper', open: () => ({ write: () => {}, end: () => 'other reader' }) } });
    const bytes = await run({ args: ['proxy-status'], stdoutBytes: true });
    assert.equal(other.ok && other.value.stdoutRead, 'other reader');
    assert.equal(bytes.ok && bytes.value.stdout, 'answer');
    assert.equal(await fake.starts(), 3);
  });

  it('does not answer a read that must be newer than a write from an older read', async () => {
    let now = 1_000_000;
    const fake = await executable(`process.stdout.write(String(Date.now()));`);
    const run = runner(fake.path, { cacheTtlMs: 10_000, now: () => now });
    const reader = recorder();
    await run({ args: ['proxy-status'], stdoutReader: reader.spec });
    now += 1_000;
    const fresh = await run({ args: ['proxy-status'], stdoutReader: reader.spec, notBefore: new Date(now) });
    assert.ok(fresh.ok && !fresh.value.shared);
    assert.equal(reader.opened.length, 2);
  });

  it('stops at the output limit, says so, and kills istioctl', { timeout: 20_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-stream-limit-'));
    const alive = join(dir, 'alive');
    // Writes forever; after the limit it must be dead, not blocked on a full pipe.
    const fake = await executable(`import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(alive)}, String(process.pid));
const block = 'x'.repeat(64 * 1024);
const write = () => { while (process.stdout.write(block)); process.stdout.once('drain', write); };
write();`);
    const reader = recorder();
    const outcome = await runner(fake.path, { maxOutputBytes: 200_000 })({ args: ['proxy-status'], stdoutReader: reader.spec });
    assert.equal(outcome.ok ? '' : outcome.error.kind, 'output-too-large');
    const given = reader.opened[0]?.chunks.join('').length ?? 0;
    assert.ok(given <= 200_000, `the reader got ${given} bytes, over the limit`);
    const pid = Number(await readFile(alive, 'utf8'));
    await eventually(() => (processGone(pid) ? true : undefined), 5_000);
  });

  it('times out like any run, with the reader attached', async () => {
    const fake = await executable(`process.stdout.write('partial'); setTimeout(() => {}, 60_000);`);
    const outcome = await runner(fake.path, { timeoutMs: 500 })({ args: ['proxy-status'], stdoutReader: recorder().spec });
    assert.equal(outcome.ok ? '' : outcome.error.kind, 'timeout');
  });
});
