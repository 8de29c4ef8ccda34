// The bundles `npm ci` makes for the terminal (src/vendor/) must be the packages they stand for: the same names,
// the same kinds of value, one class per class however it is imported, and a Kubernetes client that still talks
// to an API server and fails the way src/kube/errors.ts reads failures.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { buildVendor } from '../../src/vendor/build.ts';
import { VENDORED_SPECIFIERS, type VendorManifest } from '../../src/vendor/packages.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Exports = Record<string, unknown>;

describe('the dependency bundles', () => {
  let out: string;
  let manifest: VendorManifest;
  const bundled = async (specifier: string) => (await import(pathToFileURL(join(out, manifest.files[specifier] ?? 'missing')).href)) as Exports;

  before(async () => {
    out = join(await mkdtemp(join(os.tmpdir(), 'mesh-bot-vendor-')), 'vendor');
    manifest = await buildVendor(ROOT, out);
  });
  after(() => rm(join(out, '..'), { recursive: true, force: true }));

  it('export exactly the names of the package they stand for, each the same kind of value', async () => {
    for (const specifier of VENDORED_SPECIFIERS) {
      const installed = (await import(specifier)) as Exports;
      const bundle = await bundled(specifier);
      assert.deepEqual(Object.keys(bundle).sort(), Object.keys(installed).sort(), specifier);
      for (const name of Object.keys(installed)) assert.equal(typeof bundle[name], typeof installed[name], `${specifier}: ${name}`);
    }
  });

  it('record the versions installed, and leave only the bundles and the manifest', async () => {
    for (const name of ['@kubernetes/client-node', 'zod', 'execa']) {
      const installed = JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      assert.equal(manifest.versions[name], installed.version, name);
    }
    const files = await readdir(out);
    assert.ok(files.includes('manifest.json'));
    assert.deepEqual(files.filter((file) => !file.endsWith('.js') && file !== 'manifest.json'), []);
    assert.deepEqual(await readdir(join(out, '..')), ['vendor'], 'no staging directory is left beside the bundles');
  });

  describe('the Kubernetes client, bundled', () => {
    let kube: FakeKubeApi;
    before(async () => {
      kube = await startFakeKubeApi();
    });
    after(() => kube.close());

    it('reads from an API server and fails with the one ApiException every client-node specifier gives', async () => {
      const client = await bundled('@kubernetes/client-node');
      const { ApiException } = (await bundled('@kubernetes/client-node/dist/gen/apis/exception.js')) as { ApiException: new (...args: never[]) => Error };
      const { ApiException: installedApiException } = (await import('@kubernetes/client-node/dist/gen/apis/exception.js')) as { ApiException: new (...args: never[]) => Error };
      assert.equal(client['ApiException'], ApiException);
      const { KubeConfig, CoreV1Api } = client as unknown as typeof import('@kubernetes/client-node');
      const config = new KubeConfig();
      config.loadFromString(kube.kubeConfigYaml('vendor'));
      const core = config.makeApiClient(CoreV1Api);
      const namespaces = await core.listNamespace();
      assert.ok(Array.isArray(namespaces.items));
      const missing = await core.readNamespace({ name: 'no-such-namespace' }).then(
        () => assert.fail('a missing namespace was read'),
        (error: unknown) => error,
      );
      assert.ok(missing instanceof ApiException, 'the bundled client throws the bundled ApiException');
      assert.equal((missing as unknown as { code: number }).code, 404);
      // Why every specifier of a package is redirected together: the installed class is another class.
      assert.ok(!(missing instanceof installedApiException));
    });
  });
});
