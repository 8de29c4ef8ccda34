import assert from 'node:assert/strict';
import { glob, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const packageJson = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };

/** The quoted globs an npm script hands to `node --test`. */
function testGlobs(script: string): string[] {
  return [...script.matchAll(/"([^"]+\.test\.ts)"/g)].map((match) => match[1] ?? '');
}

async function matched(patterns: readonly string[]): Promise<Set<string>> {
  const files = new Set<string>();
  for (const pattern of patterns) for await (const file of glob(pattern, { cwd: ROOT })) files.add(file);
  return files;
}

describe('the README\'s test commands on a fresh machine (CI=true, no chromium)', () => {
  it('npm test runs every test file except the browser test, which needs a browser', async () => {
    const all = await matched(['test/**/*.test.ts']);
    const run = await matched(testGlobs(packageJson.scripts['test'] ?? ''));
    const browser = [...all].filter((file) => file.startsWith('test/browser/'));
    assert.ok(browser.length > 0, 'the browser test exists');
    assert.deepEqual([...run].filter((file) => file.startsWith('test/browser/')), [], 'npm test leaves test/browser out');
    assert.deepEqual([...all].filter((file) => !file.startsWith('test/browser/') && !run.has(file)), [], 'every other test file runs');
  });

  it('npm run test:browser runs exactly the browser test, and that test never skips', async () => {
    const run = await matched(testGlobs(packageJson.scripts['test:browser'] ?? ''));
    assert.deepEqual([...run].sort(), [...(await matched(['test/browser/**/*.test.ts']))].sort());
    for (const file of run) assert.doesNotMatch(await readFile(`${ROOT}${file}`, 'utf8'), /\bskip:|\.skip\(/, `${file} fails rather than skips without a browser`);
  });

  it('.ci/run installs chromium, then runs npm ci, npm test and npm run test:browser in that order', async () => {
    const lines = (await readFile(`${ROOT}.ci/run`, 'utf8')).split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const install = at(/apt-get install .*chromium/);
    const order = [install, at(/^npm ci$/), at(/^npm test$/), at(/^npm run test:browser$/)];
    assert.ok(order.every((index) => index >= 0), `.ci/run lacks a step: ${lines.join(' | ')}`);
    assert.deepEqual([...order].sort((a, b) => a - b), order);
  });
});
