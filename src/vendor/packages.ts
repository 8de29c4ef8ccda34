/**
 * The dependencies the terminal loads as one bundle each (issue #13, bench/RESULTS.md "terminal"): Node's ESM
 * loader spends most of a terminal command's start resolving and linking @kubernetes/client-node's thousand-odd modules
 * one by one; the same code as a few bundled files loads in a third of the time. Only ESM packages are here: a
 * bundle re-exports an ESM package's names exactly, a CommonJS one's only as `default`.
 *
 * Each entry is a specifier the bot's sources import. The deep client-node paths are the ones `help` imports
 * without the whole client; they are bundled beside the index, sharing its chunks, so `ApiException` is one class
 * whichever path it came through.
 */
export const VENDORED_SPECIFIERS = [
  '@kubernetes/client-node',
  '@kubernetes/client-node/dist/gen/apis/exception.js',
  '@kubernetes/client-node/dist/middleware.js',
  '@kubernetes/client-node/dist/patch.js',
  'zod',
  'execa',
] as const;

/** Where `npm ci` (the `prepare` script) writes the bundles, relative to the project root: rebuilt with the packages. */
export const VENDOR_DIR = 'node_modules/.cache/mesh-bot/vendor';

/** Written last by the build: the bundles are used only while every package is still at the version they were made from. */
export const MANIFEST_FILE = 'manifest.json';

export interface VendorManifest {
  /** Package name → the version installed when the bundles were made. */
  readonly versions: Readonly<Record<string, string>>;
  /** Specifier → its bundle's file name in the vendor directory. */
  readonly files: Readonly<Record<string, string>>;
}

/** `@kubernetes/client-node/dist/patch.js` → `@kubernetes/client-node`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}
