// DESIGN.md §5, `status -o json`, for every istioctl version 1.20–1.30 of the corpus and when parts fail: every
// field it names is there with its type (`proxies` null only when istioctl's list was not read, `ambient` null only
// without ztunnels), and the exit code is the README's (0 when the command ran, 1 when too little was read).
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { CORPUS_VERSIONS, startAmbientApi } from '../support/ambient-api.ts';
import { cli } from '../support/cli.ts';
import { status, violations } from './schema.ts';

interface StatusJson {
  errors: string[];
  verdict: string;
  proxies: { total: number; healthy: number; byKind: Record<'sidecar' | 'waypoint' | 'ztunnel' | 'gateway', number>; byVersion: Record<string, number> } | null;
  controlPlane: { istiods: { name: string; ready: boolean; version: string }[] };
  ambient: { ztunnels: { desired: number; ready: number } } | null;
}

async function kubeconfigOf(api: FakeKubeApi): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-contract-'));
  await writeFile(join(dir, 'config'), api.kubeConfigYaml());
  return join(dir, 'config');
}

let ambientApi: FakeKubeApi;
let sidecarApi: FakeKubeApi;
let ambientKubeconfig: string;
let sidecarKubeconfig: string;
before(async () => {
  ambientApi = await startAmbientApi();
  // A sidecar mesh: one ready istiod, no ztunnel DaemonSet, no ztunnel pod.
  sidecarApi = await startFakeKubeApi({
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'istiod-5d8f-x1', namespace: 'istio-system', labels: { app: 'istiod', istio: 'pilot' } },
        spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.24.2' }] },
        status: { phase: 'Running', containerStatuses: [{ name: 'discovery', ready: true, restartCount: 0, image: 'pilot', imageID: '', started: true }] },
      },
    ],
  });
  ambientKubeconfig = await kubeconfigOf(ambientApi);
  sidecarKubeconfig = await kubeconfigOf(sidecarApi);
});
after(async () => {
  await ambientApi.close();
  await sidecarApi.close();
});

/** The Kubernetes client reads KUBECONFIG from the process, as a shell would export it. */
const run = (version: string, scenario: string) => cli(['status', '-o', 'json'], { version, scenario }, { POD_NAMESPACE: 'mesh-bot' });

describe('status JSON (DESIGN.md §5), every istioctl version of the corpus', { concurrency: 4 }, () => {
  before(() => {
    process.env['KUBECONFIG'] = ambientKubeconfig;
  });
  for (const version of CORPUS_VERSIONS) {
    it(`${version}: an ambient mesh has every documented field, byKind adding up, ztunnels from the DaemonSet`, async () => {
      const result = await run(version, 'ambient');
      assert.equal(result.code, 0, result.stderr);
      const json = JSON.parse(result.stdout) as StatusJson;
      assert.deepEqual(violations(status, json), []);
      assert.deepEqual(json.errors, []);
      assert.ok(json.proxies);
      const { sidecar, waypoint, ztunnel, gateway } = json.proxies.byKind;
      assert.equal(sidecar + waypoint + ztunnel + gateway, json.proxies.total);
      assert.equal(ztunnel, 3);
      assert.equal(Object.values(json.proxies.byVersion).reduce((sum, count) => sum + count, 0), json.proxies.total);
      assert.deepEqual(json.ambient?.ztunnels, { desired: 3, ready: 3 });
    });
  }

  for (const version of ['1.21.6', '1.30.3']) {
    it(`${version}: istiod not answering keeps the documented shape, proxies null, the reason in errors, exit 1`, async () => {
      const result = await run(version, 'xds-unavailable');
      assert.equal(result.code, 1);
      const json = JSON.parse(result.stdout) as StatusJson;
      assert.deepEqual(violations(status, json), []);
      assert.equal(json.proxies, null);
      assert.equal(json.errors.length, 1);
      assert.ok(result.stderr.startsWith(`mesh-bot: ${json.errors[0]}`), 'stderr starts with the sentence of errors');
      assert.equal(json.controlPlane.istiods.length, 1, 'the Kubernetes API was still read');
    });
  }
});

describe('status JSON of a sidecar mesh (DESIGN.md §5: ambient null without ztunnels)', { concurrency: 4 }, () => {
  before(() => {
    process.env['KUBECONFIG'] = sidecarKubeconfig;
  });
  for (const version of ['1.21.6', '1.30.3']) {
    it(`${version}: a sidecar mesh without ztunnels has ambient null and byKind all sidecars and gateways`, async () => {
      const result = await run(version, 'healthy');
      assert.equal(result.code, 0, result.stderr);
      const json = JSON.parse(result.stdout) as StatusJson;
      assert.deepEqual(violations(status, json), []);
      assert.equal(json.ambient, null);
      assert.equal(json.proxies?.byKind.ztunnel, 0);
    });
  }
});
