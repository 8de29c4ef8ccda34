// `npm start` (src/main.ts) chooses between the real bot and the sandbox from the environment alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sandboxWanted } from '../../src/sandbox/wanted.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** The environment of a fresh shell: no Slack settings unless given. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', PORT: '0', ...extra };
}

function startMain(extra: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], { env: cleanEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.resume();
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, stderr: () => stderr };
}

const BIN = fileURLToPath(new URL('../../bin/mesh-bot.js', import.meta.url));

/** `mesh-bot ARGS` run as its own process in a shell whose environment holds only `env` (and PATH/HOME). */
async function terminal(argv: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...argv], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('npm start', () => {
  it('with no Slack settings starts the sandbox, says so, and serves the page at the printed URL', async () => {
    const run = startMain({});
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no sandbox URL within 20 s; stderr: ${run.stderr()}`)), 20_000);
        run.child.stderr.on('data', () => {
          const found = /Open (http:\/\/localhost:\d+)/.exec(run.stderr())?.[1];
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        });
        run.exited.then(() => reject(new Error(`exited early; stderr: ${run.stderr()}`)), reject);
      });
      assert.match(run.stderr(), /SANDBOX MODE: no Slack workspace, no cluster — demo data only/);
      const page = await fetch(url.replace('localhost', '127.0.0.1'));
      assert.equal(page.status, 200);
      assert.match(await page.text(), /SANDBOX MODE/);

      // The printed terminal line points `mesh-bot` at the same demo mesh: the README's terminal examples use it.
      const printed = /KUBECONFIG=(\S+) ISTIOCTL=(\S+) npx mesh-bot status/.exec(run.stderr());
      assert.ok(printed, `the sandbox prints how to run the terminal on it; stderr: ${run.stderr()}`);
      const env = { KUBECONFIG: printed[1] ?? '', ISTIOCTL: printed[2] ?? '' };
      const status = await terminal(['status'], env);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /istiod 2\/2 ready/, status.stderr);
      assert.match(status.stdout, /shipping-v2-84f7d9c6b-w7m4t\.shop/, 'the demo mesh\'s old-version proxy is named');
      const secret = await terminal(['pc', 'secret', 'productpage-v1-d5789fdfb-7pq2k.bookinfo'], env);
      assert.equal(secret.code, 0, secret.stderr);
      assert.match(secret.stdout, /default \(workload certificate\): rotation overdue/, 'the demo\'s stuck rotation shows in the terminal too');
    } finally {
      run.child.kill('SIGTERM');
    }
    const [code] = await run.exited;
    assert.equal(code, 0, 'SIGTERM stops the sandbox cleanly');
  });

  it('inside a Kubernetes pod keeps a missing token the fatal configuration error it is', async () => {
    const run = startMain({ KUBERNETES_SERVICE_HOST: '10.96.0.1' });
    const [code] = await run.exited;
    assert.equal(code, 2);
    assert.match(run.stderr(), /^mesh-bot: SLACK_BOT_TOKEN: required/);
  });

  it('does not fall back to the sandbox when some Slack setting shows that the real bot was meant', () => {
    assert.equal(sandboxWanted({}), true);
    assert.equal(sandboxWanted({ SLACK_BOT_TOKEN: '' }), true, 'an empty variable is not set');
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'KUBERNETES_SERVICE_HOST']) {
      assert.equal(sandboxWanted({ [name]: 'x' }), false, name);
    }
  });
});
