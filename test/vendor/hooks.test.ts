// Which copy of a package the terminal's modules get (src/vendor/hooks.ts), in a fabricated project: the bundle
// only for exactly the versions installed, only for the project's own modules, and the installed package in every
// other case, with the reason. Each case runs in a child process, because a registered resolve hook cannot be
// taken back.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { VENDOR_DIR, VENDORED_SPECIFIERS, packageOf } from '../../src/vendor/packages.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HOOKS = pathToFileURL(join(ROOT, 'src/vendor/hooks.ts')).href;
const VERSIONS: Record<string, string> = { '@kubernetes/client-node': '2.0.1', zod: '4.6.7', execa: '10.2.1' };

async function put(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** A project whose packages each export `copy: 'installed'` and whose bundles export `copy: 'bundled'`. */
async function project(dir: string, manifest: string | undefined): Promise<void> {
  for (const name of Object.keys(VERSIONS)) {
    await put(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: VERSIONS[name], type: 'module', exports: { '.': './index.js', './dist/*': './dist/*' } }));
  }
  for (const specifier of VENDORED_SPECIFIERS) {
    const file = specifier === packageOf(specifier) ? 'index.js' : specifier.slice(packageOf(specifier).length + 1);
    await put(join(dir, 'node_modules', packageOf(specifier), file), "export const copy = 'installed';\n");
    await put(join(dir, VENDOR_DIR, `${specifier.replace(/\W+/g, '-')}.js`), "export const copy = 'bundled';\n");
  }
  // A dependency that imports zod itself, and one of the project's own modules that imports zod and the dependency.
  await put(join(dir, 'node_modules/dependency/package.json'), JSON.stringify({ name: 'dependency', version: '1.0.0', type: 'module', exports: './index.js' }));
  await put(join(dir, 'node_modules/dependency/index.js'), "export { copy } from 'zod';\n");
  await put(
    join(dir, 'src/probe.js'),
    [
      "import { copy as zod } from 'zod';",
      "import { copy as patch } from '@kubernetes/client-node/dist/patch.js';",
      "import { copy as execa } from 'execa';",
      "import { copy as dependency } from 'dependency';",
      'export const copies = { zod, patch, execa, dependency };',
      '',
    ].join('\n'),
  );
  await put(join(dir, 'package.json'), JSON.stringify({ name: 'probe', type: 'module' }));
  if (manifest !== undefined) await put(join(dir, VENDOR_DIR, 'manifest.json'), manifest);
}

function manifestFor(versions: Record<string, string>): string {
  return JSON.stringify({ versions, files: Object.fromEntries(VENDORED_SPECIFIERS.map((specifier) => [specifier, `${specifier.replace(/\W+/g, '-')}.js`])) });
}

interface Probe {
  readonly state: { bundled: boolean; reason?: string };
  readonly copies: Record<string, string>;
}

async function probe(dir: string): Promise<Probe> {
  const script = [
    `const { useVendoredPackages } = await import(${JSON.stringify(HOOKS)});`,
    `const state = useVendoredPackages(new URL(${JSON.stringify(pathToFileURL(`${dir}/`).href)}));`,
    `const { copies } = await import(${JSON.stringify(pathToFileURL(join(dir, 'src/probe.js')).href)});`,
    'process.stdout.write(JSON.stringify({ state: { bundled: state.bundled, reason: state.reason }, copies }));',
  ].join('\n');
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
  return JSON.parse(stdout) as Probe;
}

describe('the bundles in use', () => {
  let base: string;
  let count = 0;
  const fresh = async (manifest: string | undefined) => {
    const dir = join(base, `project-${(count += 1)}`);
    await project(dir, manifest);
    return dir;
  };
  before(async () => {
    base = await mkdtemp(join(os.tmpdir(), 'mesh-bot-vendor-hooks-'));
  });
  after(() => rm(base, { recursive: true, force: true }));

  it('are the bundles, for the project’s own modules, when they were made for the versions installed', async () => {
    const result = await probe(await fresh(manifestFor(VERSIONS)));
    assert.deepEqual(result.state, { bundled: true });
    assert.deepEqual(result.copies, { zod: 'bundled', patch: 'bundled', execa: 'bundled', dependency: 'installed' });
  });

  it('are the installed packages, with the package named, when one was upgraded since the bundles were made', async () => {
    const result = await probe(await fresh(manifestFor({ ...VERSIONS, execa: '10.1.0' })));
    assert.equal(result.state.bundled, false);
    assert.match(result.state.reason ?? '', /another version of execa; run `npm run vendor`/);
    assert.deepEqual(result.copies, { zod: 'installed', patch: 'installed', execa: 'installed', dependency: 'installed' });
  });

  it('are the installed packages when no bundles were made, or their manifest is not one', async () => {
    const none = await probe(await fresh(undefined));
    assert.match(none.state.reason ?? '', /no bundles were built; run `npm run vendor`/);
    assert.equal(none.copies['zod'], 'installed');
    for (const manifest of ['{', '[]', JSON.stringify({ versions: VERSIONS, files: { zod: 3 } }), JSON.stringify({ versions: VERSIONS, files: {} })]) {
      const result = await probe(await fresh(manifest));
      assert.equal(result.state.bundled, false, manifest);
      assert.deepEqual(result.copies, { zod: 'installed', patch: 'installed', execa: 'installed', dependency: 'installed' }, manifest);
    }
  });
});
