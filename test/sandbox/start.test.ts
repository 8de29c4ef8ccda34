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
