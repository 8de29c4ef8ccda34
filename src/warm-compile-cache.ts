import { flushCompileCache, getCompileCacheDir } from 'node:module';
import { vendoredPackages } from './vendor/hooks.ts';

/**
 * Run once when the image is built (Dockerfile), with NODE_COMPILE_CACHE naming a directory inside the image: loads
 * every module a start and a terminal command load, so their stripped TypeScript and V8 code are on disk before the
 * first pod starts. Without it each pod starts with the empty `/tmp` emptyDir and compiles everything again: about
 * twice the time to `/readyz` (bench/RESULTS.md "start-up", cold against prepared). Only imports: nothing starts.
 */
const directory = getCompileCacheDir();
if (directory === undefined) {
  process.stderr.write('mesh-bot: the compile cache is not enabled; run this with NODE_COMPILE_CACHE set to the directory to fill.\n');
  process.exit(1);
}
await Promise.all([
  // src/main.ts (it starts only when it is the entry point) and its graph: the Slack app and its scheduled digests.
  import('./main.ts'),
  import('./server.ts'),
  import('./schedule/digests.ts'),
  // bin/mesh-bot.js's graph: the terminal and what a command loads once it needs a cluster.
  import('./cli.ts'),
  import('./deps.ts'),
  import('pino'),
]);
// The bundles bin/mesh-bot.js loads in place of the installed packages, where `npm ci` made them (src/vendor/).
const vendored = vendoredPackages(new URL('..', import.meta.url));
if (vendored.bundled) await Promise.all([...vendored.targets.values()].map((url) => import(url)));
flushCompileCache();
process.stdout.write(`mesh-bot: compile cache written to ${directory}\n`);
