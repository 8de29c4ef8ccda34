// `npm run vendor`, and `prepare` (which `npm ci` and `npm install` run): bundles the terminal's heaviest
// dependencies (src/vendor/build.ts). Plain JavaScript, like bin/mesh-bot.js, so it can say why it did nothing on a
// Node without type stripping. It never fails an install: without bundles the terminal loads the packages as
// installed and gives the same answers, only later.
const NEEDED_MAJOR = 24;

if (Number(process.versions.node.split('.')[0]) < NEEDED_MAJOR) {
  process.stderr.write(`mesh-bot: not bundling dependencies: this is Node.js ${process.version}, and mesh-bot runs on Node.js ${NEEDED_MAJOR}.\n`);
} else {
  let esbuildInstalled = true;
  try {
    await import('esbuild');
  } catch {
    esbuildInstalled = false;
  }
  if (!esbuildInstalled) {
    // A production install (`npm ci --omit=dev`) has no esbuild.
    process.stderr.write('mesh-bot: not bundling dependencies: esbuild is not installed (a production install); the terminal loads them as installed.\n');
  } else {
    const { buildVendor } = await import('./build.ts');
    const { fileURLToPath } = await import('node:url');
    const { VENDOR_DIR } = await import('./packages.ts');
    try {
      const manifest = await buildVendor(fileURLToPath(new URL('../..', import.meta.url)));
      process.stdout.write(`mesh-bot: bundled ${Object.keys(manifest.files).length} dependency entry points into ${VENDOR_DIR}.\n`);
    } catch (error) {
      process.stderr.write(`mesh-bot: could not bundle dependencies, so the terminal will load them as installed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}
