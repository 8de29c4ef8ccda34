// After `npm ci` (README "Install"), the terminal loads the bundles `prepare` made, and MESH_BOT_UNBUNDLED=1 turns
// them off: read from Node's compile-cache log, which names every module a process loads.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { vendoredPackages } from '../../src/vendor/hooks.ts';
import { VENDOR_DIR } from '../../src/vendor/packages.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function loadedModules(env: NodeJS.ProcessEnv): Promise<{ stdout: string; modules: string[] }> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/mesh-bot.js', 'help'], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } });
  const modules = [...stderr.matchAll(/V8 code cache for \S+ (file:\/\/\S+) /g)].map((match) => (match[1] ?? '').replace(`file://${ROOT}`, ''));
  return { stdout, modules };
}

describe('the terminal after npm ci', () => {
  let cache: string;
  before(async () => {
    cache = await mkdtemp(join(os.tmpdir(), 'mesh-bot-vendor-terminal-'));
  });
  after(() => rm(cache, { recursive: true, force: true }));

  it('finds bundles made for the packages installed', () => {
    const state = vendoredPackages(new URL(`file://${ROOT}`));
    assert.ok(state.bundled, state.bundled ? '' : `npm ci runs \`npm run vendor\` as prepare, and it did not leave usable bundles: ${state.reason}`);
  });

  it('loads zod from its bundle, and from the package with MESH_BOT_UNBUNDLED=1, answering the same', async () => {
    const bundled = await loadedModules({ NODE_COMPILE_CACHE: join(cache, 'bundled') });
    assert.ok(bundled.modules.includes(`${VENDOR_DIR}/zod.js`), bundled.modules.join('\n'));
    assert.deepEqual(bundled.modules.filter((file) => file.startsWith('node_modules/zod/')), []);
    const unbundled = await loadedModules({ NODE_COMPILE_CACHE: join(cache, 'unbundled'), MESH_BOT_UNBUNDLED: '1' });
    assert.ok(unbundled.modules.some((file) => file.startsWith('node_modules/zod/')), unbundled.modules.join('\n'));
    assert.deepEqual(unbundled.modules.filter((file) => file.startsWith(VENDOR_DIR)), []);
    assert.match(bundled.stdout, /^Usage: mesh-bot <command>/);
    assert.equal(bundled.stdout, unbundled.stdout);
  });
});
