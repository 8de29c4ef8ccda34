import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE, packageOf, VENDOR_DIR, VENDORED_SPECIFIERS, type VendorManifest } from './packages.ts';

/**
 * Bundles the packages of src/vendor/packages.ts for the terminal (`npm run vendor`, which `npm ci` runs as
 * `prepare`). One output file per specifier plus shared chunks, so a class reached through
 * two specifiers is one class. Written to a staging directory that replaces the old one whole, the manifest last:
 * a build that fails halfway leaves no manifest, and bin/mesh-bot.js then loads the packages as installed.
 */
export async function buildVendor(root: string, outDir = join(root, VENDOR_DIR)): Promise<VendorManifest> {
  const esbuild = await import('esbuild');
  const staging = `${outDir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const entryName = (specifier: string) => specifier.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  await esbuild.build({
    entryPoints: VENDORED_SPECIFIERS.map((specifier) => ({ in: `vendor-entry:${specifier}`, out: entryName(specifier) })),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    // Error and class names stay as the packages wrote them: they reach logs and `instanceof`-free checks by name.
    keepNames: true,
    outdir: staging,
    chunkNames: 'chunk-[hash]',
    logLevel: 'warning',
    // The CommonJS modules inside (client-node's js-yaml, ws, …) call require() for Node's built-ins, which an ES
    // module does not have.
    banner: { js: "import { createRequire as __vendorRequire } from 'node:module'; const require = __vendorRequire(import.meta.url);" },
    plugins: [
      {
        name: 'vendor-entry',
        setup(build) {
          build.onResolve({ filter: /^vendor-entry:/ }, (args) => ({ path: args.path.slice('vendor-entry:'.length), namespace: 'vendor-entry' }));
          build.onLoad({ filter: /.*/, namespace: 'vendor-entry' }, async (args) => {
            const specifier = JSON.stringify(args.path);
            // `export *` leaves out a default export (zod has one): it is named when the package has it.
            // The package as this module resolves it: the project's own, as bundling and the bot's sources see it.
            const hasDefault = 'default' in ((await import(args.path)) as object);
            return { contents: `export * from ${specifier};${hasDefault ? ` export { default } from ${specifier};` : ''}`, resolveDir: root, loader: 'js' };
          });
        },
      },
    ],
  });
  const versions: Record<string, string> = {};
  for (const name of new Set(VENDORED_SPECIFIERS.map(packageOf))) {
    const manifest = JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    versions[name] = manifest.version;
  }
  const manifest: VendorManifest = { versions, files: Object.fromEntries(VENDORED_SPECIFIERS.map((specifier) => [specifier, `${entryName(specifier)}.js`])) };
  await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(outDir, { recursive: true, force: true });
  await rename(staging, outDir);
  return manifest;
}
