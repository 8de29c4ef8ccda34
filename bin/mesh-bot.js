#!/usr/bin/env node
// Plain JavaScript on purpose: this file must run on any Node to say which one mesh-bot needs, before the
// TypeScript sources (which only Node 24's type stripping runs) are loaded.
const NEEDED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);

if (major < NEEDED_MAJOR) {
  process.stderr.write(
    `mesh-bot: needs Node.js ${NEEDED_MAJOR} or newer (it runs its TypeScript sources directly); this is Node.js ${process.version} at ${process.execPath}.\n` +
      `In the mesh-bot checkout run \`npx mesh-bot …\` (npm ci installs Node ${NEEDED_MAJOR} for the project), or install Node.js ${NEEDED_MAJOR}.\n`,
  );
  process.exitCode = 2;
} else {
  // V8's compiled code (and the stripped TypeScript) of every module is kept on disk between runs: a terminal
  // command starts in about half the CPU time (bench/RESULTS.md "terminal"). NODE_COMPILE_CACHE overrides the
  // directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache();
  // A reader that stops early (`mesh-bot analyze -A -o json | head`) closes the pipe: that ends the output, as it
  // does for kubectl, instead of a stack trace; the exit code stays the command's own.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
  // The Kubernetes client, zod and execa as bundles made by `npm ci` (src/vendor/): a command's answer comes 0.2–0.4 s
  // sooner (bench/RESULTS.md "terminal"). Without bundles, or with MESH_BOT_UNBUNDLED=1, the packages load as
  // installed: the same answers, later.
  if (process.env.MESH_BOT_UNBUNDLED !== '1') {
    const { useVendoredPackages } = await import('../src/vendor/hooks.ts');
    useVendoredPackages(new URL('..', import.meta.url));
  }
  const { runCli } = await import('../src/cli.ts');
  process.exitCode = await runCli(process.argv.slice(2), process.env, process.stdout, process.stderr);
}
