import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { MANIFEST_FILE, packageOf, VENDOR_DIR, VENDORED_SPECIFIERS, type VendorManifest } from './packages.ts';

/** Whether the bundles of src/vendor/build.ts can be used (specifier → the bundle's URL), and if not why. */
export type VendorState = { readonly bundled: true; readonly targets: ReadonlyMap<string, string> } | { readonly bundled: false; readonly reason: string };

function readJson(url: URL): unknown {
  return JSON.parse(readFileSync(url, 'utf8')) as unknown;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((entry) => typeof entry === 'string');
}

/**
 * The bundles for exactly the package versions installed under `root`, or why there are none usable. Hand-checked
 * rather than by zod, because zod is one of the packages this decides how to load.
 */
export function vendoredPackages(root: URL): VendorState {
  const vendorDir = new URL(`${VENDOR_DIR}/`, root);
  let manifest: VendorManifest;
  try {
    const read = readJson(new URL(MANIFEST_FILE, vendorDir)) as Partial<VendorManifest> | null;
    if (!isStringRecord(read?.versions) || !isStringRecord(read?.files)) return { bundled: false, reason: 'the bundle manifest is malformed; run `npm run vendor`' };
    manifest = { versions: read.versions, files: read.files };
  } catch {
    return { bundled: false, reason: 'no bundles were built; run `npm run vendor`' };
  }
  const targets = new Map<string, string>();
  for (const specifier of VENDORED_SPECIFIERS) {
    const name = packageOf(specifier);
    const file = manifest.files[specifier];
    let installed: unknown;
    try {
      installed = (readJson(new URL(`node_modules/${name}/package.json`, root)) as { version?: unknown } | null)?.version;
    } catch {
      installed = undefined;
    }
    if (file === undefined || installed !== manifest.versions[name]) return { bundled: false, reason: `the bundles were made for another version of ${name}; run \`npm run vendor\`` };
    targets.set(specifier, new URL(file, vendorDir).href);
  }
  return { bundled: true, targets };
}

/**
 * Makes this process import the bundled packages wherever the project's own modules import them, when
 * vendoredPackages finds bundles for the versions installed; otherwise leaves the packages as installed, which
 * gives the same answers, only later. A dependency that imports one of these packages keeps the copy npm gave it.
 */
export function useVendoredPackages(root: URL): VendorState {
  const state = vendoredPackages(root);
  if (!state.bundled) return state;
  const { targets } = state;
  const ownFiles = root.href;
  const dependencies = new URL('node_modules/', root).href;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const target = targets.get(specifier);
      const parent = context.parentURL ?? '';
      if (target !== undefined && parent.startsWith(ownFiles) && !parent.startsWith(dependencies)) return { url: target, format: 'module', shortCircuit: true };
      return nextResolve(specifier, context);
    },
  });
  return state;
}
