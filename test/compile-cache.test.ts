// The image ships a compile cache (Dockerfile: NODE_COMPILE_CACHE, src/warm-compile-cache.ts) because a pod's /tmp is
// empty at every start: a start or a terminal command must then compile none of the project's modules again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFakeKubeApi, type FakeKubeApi } from '../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack } from '../src/sandbox/slack-api.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/**
 * The project's modules Node compiled from scratch, from its compile-cache debug log (NODE_DEBUG_NATIVE=COMPILE_CACHE):
 * a module found in the cache logs "was accepted", one that was not logs "was not initialized".
 */
function compiledFromScratch(debugLog: string): string[] {
  return [...debugLog.matchAll(/V8 code cache for \S+ (\S+) was not initialized/g)]
    .map((match) => (match[1] ?? '').replace(/^file:\/\//, '').replace(ROOT, ''))
    .filter((file) => file.startsWith('src/') || file.startsWith('commands/') || file.startsWith('node_modules/'));
}

describe('the compile cache the image ships', () => {
  let cache: string;
  let dir: string;
  let slack: FakeSlack;
  let kube: FakeKubeApi;
  before(async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'mesh-bot-compile-cache-'));
    cache = join(dir, 'cache');
    const warmed = await run(['src/warm-compile-cache.ts'], { PATH: process.env['PATH'] ?? '', NODE_COMPILE_CACHE: cache });
    assert.equal(warmed.code, 0, warmed.stderr);
    assert.match(warmed.stdout, /compile cache written to /);
    slack = await startFakeSlack();
    kube = await startFakeKubeApi();
    await writeFile(join(dir, 'kubeconfig'), kube.kubeConfigYaml('cache'));
  });
  after(async () => {
    await Promise.all([slack.close(), kube.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('holds every module the Slack app loads up to /readyz answering 200, so a fresh pod compiles none of them', async () => {
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-compile-cache',
      SLACK_SIGNING_SECRET: 'compile-cache-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      KUBECONFIG: join(dir, 'kubeconfig'),
      POD_NAMESPACE: 'mesh-bot',
      NODE_COMPILE_CACHE: cache,
      NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
    };
    const child = spawn(process.execPath, ['src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = once(child, 'exit');
    try {
      let port: number | undefined;
      while (port === undefined) {
        const line = stdout.split('\n').find((entry) => entry.includes('"port"'));
        if (line) port = (JSON.parse(line) as { port: number }).port;
        else await Promise.race([once(child.stdout, 'data'), exited.then(() => assert.fail(`mesh-bot exited before serving: ${stderr}`))]);
      }
      let status = 0;
      while (status !== 200) {
        status = (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    // undici, under the Kubernetes client, loads its HTTP parser only when the first request (the /readyz check) is sent.
    assert.deepEqual(compiledFromScratch(stderr).filter((file) => !file.startsWith('node_modules/undici/lib/llhttp/')), []);
    assert.ok((stderr.match(/was accepted/g) ?? []).length > 200, 'the start read its modules from the cache');
  });

  it('holds what a terminal command loads', async () => {
    const help = await run(['bin/mesh-bot.js', 'help'], { PATH: process.env['PATH'] ?? '', HOME: dir, NODE_COMPILE_CACHE: cache, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: mesh-bot <command>/);
    assert.deepEqual(compiledFromScratch(help.stderr), []);
  });

  it('is filled by the Dockerfile as the user the container runs as, in the directory NODE_COMPILE_CACHE names', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const directory = /^ENV NODE_COMPILE_CACHE=(\S+)/m.exec(dockerfile)?.[1];
    assert.equal(directory, '/app/.node-compile-cache');
    const user = dockerfile.indexOf('USER 10001:10001');
    const warm = dockerfile.indexOf('RUN node src/warm-compile-cache.ts');
    assert.ok(user >= 0 && warm > user, 'Node names the cache subdirectory after the uid: the warm-up must run as the runtime user');
    assert.ok(dockerfile.indexOf('COPY commands') < warm && dockerfile.indexOf('COPY src') < warm, 'the cache is filled from the sources the image runs');
  });
});
