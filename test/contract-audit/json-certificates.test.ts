// DESIGN.md §5: `proxy-config secret` and `ztunnel-config certificates` print `certificates[{name, type, status,
// valid, serial, notAfter, daysRemaining}]`, for every istioctl version 1.20–1.30. A certificate row that holds no
// certificate yet (Envoy's WARMING secret, ztunnel's Initializing identity) has no serial and no NOT AFTER: the
// JSON says so with null, as README "Terminal mode and JSON" does for everything not read, never with an empty
// string a script would hand to its date parser.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { CORPUS_VERSIONS, startAmbientApi } from '../support/ambient-api.ts';
import { cli } from '../support/cli.ts';
import { proxyConfigSecret, violations, ztunnelCertificates } from './schema.ts';

let api: FakeKubeApi;
before(async () => {
  api = await startAmbientApi();
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-contract-'));
  await writeFile(join(dir, 'config'), api.kubeConfigYaml());
  process.env['KUBECONFIG'] = join(dir, 'config');
});
after(() => api.close());

interface CertificateJson {
  name: string;
  status: string;
  serial: string | null;
  notAfter: string | null;
  notBefore: string | null;
  daysRemaining: number | null;
}

const minorOf = (version: string) => Number(version.split('.')[1]);
const ZTUNNEL_VERSIONS = new Set(['1.22.8', '1.24.6', '1.27.9', '1.30.3']);

describe('certificates JSON (DESIGN.md §5), every istioctl version of the corpus', { concurrency: 4 }, () => {
  for (const version of CORPUS_VERSIONS) {
    it(`${version}: pc secret -o json has the documented fields and types`, async () => {
      const run = await cli(['pc', 'secret', 'web-1.shop', '-o', 'json'], { version }, { POD_NAMESPACE: 'mesh-bot' });
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as { certificates: CertificateJson[] };
      assert.deepEqual(violations(proxyConfigSecret, json), []);
      assert.ok(json.certificates.length > 0);
      // 1.26+ print a WARMING secret (configmap://some/thing): Envoy has no certificate for it yet.
      const warming = json.certificates.find((cert) => cert.status === 'WARMING');
      assert.equal(warming !== undefined, minorOf(version) >= 26, 'the corpus prints a WARMING row from 1.26 on');
      if (warming) assert.deepEqual([warming.serial, warming.notAfter, warming.notBefore, warming.daysRemaining], [null, null, null, null]);
    });

    // ztunnel-config arrived in 1.22 (`x`), went top level in 1.23; one version per writer keeps this file short.
    if (!ZTUNNEL_VERSIONS.has(version)) continue;
    it(`${version}: zc certificates -o json has the documented fields and types`, async () => {
      const run = await cli(['zc', 'certificates', '-o', 'json'], { version, scenario: 'ambient' }, { POD_NAMESPACE: 'mesh-bot' });
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as { certificates: CertificateJson[]; earliestNotAfter: string | null };
      assert.deepEqual(violations(ztunnelCertificates, json), []);
      // The goldens' Initializing identities (no certificate issued yet) are in every ztunnel's list.
      const initializing = json.certificates.filter((cert) => cert.status === 'Initializing');
      assert.ok(initializing.length > 0);
      for (const cert of initializing) assert.deepEqual([cert.serial, cert.notAfter, cert.notBefore, cert.daysRemaining], [null, null, null, null], cert.name);
      assert.ok(json.earliestNotAfter !== null && !Number.isNaN(Date.parse(json.earliestNotAfter)));
    });
  }
});
