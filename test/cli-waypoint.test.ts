import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../src/sandbox/kube-api.ts';
import { cli } from './support/cli.ts';
import { waypointClusterObjects } from './support/ambient-cluster.ts';

let api: FakeKubeApi;

before(async () => {
  api = await startFakeKubeApi({ objects: waypointClusterObjects() });
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-kubeconfig-'));
  const kubeconfig = join(dir, 'config');
  await writeFile(kubeconfig, api.kubeConfigYaml());
  process.env['KUBECONFIG'] = kubeconfig;
});
after(() => api.close());

interface WaypointJson {
  command: string;
  cluster: string;
  asOf: string;
  errors: string[];
  waypoints: { namespace: string; name: string; programmed: boolean; trafficType: string | null }[];
  services: { labelled: number; problems: { namespace: string; service: string; problem: string }[] } | null;
}

/** Every istioctl release of the corpus: the list writer changed in 1.22 and 1.27; `x waypoint` until 1.22. */
const VERSIONS = ['1.20.8', '1.21.6', '1.22.8', '1.23.6', '1.24.6', '1.25.5', '1.26.8', '1.27.9', '1.28.10', '1.29.6', '1.30.3'];

describe('terminal mode: waypoint, every istioctl version of the corpus', () => {
  for (const version of VERSIONS) {
    it(`${version}: -A -o json has the DESIGN.md waypoints fields, not programmed first`, async () => {
      const run = await cli(['waypoint', '-A', '-o', 'json'], { version });
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as WaypointJson;
      assert.equal(json.command, 'waypoint');
      assert.equal(json.cluster, 'default');
      assert.deepEqual(json.errors, []);
      assert.ok(!Number.isNaN(Date.parse(json.asOf)));
      const minor = Number(version.split('.')[1]);
      const defaultWaypoint = minor <= 21 ? 'namespace' : 'waypoint';
      // The combined-gateway goldens: default/bookinfo and the default namespace waypoint are not programmed.
      assert.deepEqual(json.waypoints.slice(0, 2).map((w) => [`${w.namespace}/${w.name}`, w.programmed]), [['default/bookinfo', false], [`default/${defaultWaypoint}`, false]]);
      assert.equal(json.waypoints.length, minor >= 27 ? 6 : 5);
      const bookinfoRev = json.waypoints.find((w) => w.name === 'bookinfo-rev');
      // TRAFFIC TYPE exists from 1.27: `none` when the label is absent; before, istioctl does not print it.
      assert.equal(bookinfoRev?.trafficType, minor >= 27 ? 'none' : null);
      assert.deepEqual(json.services?.problems.map((p) => `${p.namespace}/${p.service}:${p.problem}`), minor <= 21 ? ['default/details:missing', 'default/ratings:missing'] : ['default/details:missing', 'default/ratings:not-programmed']);
      assert.equal(json.services?.labelled, 4);
    });
  }

  it('text: one line per waypoint, the traffic type note, the Services checked', async () => {
    const run = await cli(['waypoint', 'list', '-n', 'default'], { version: '1.28.1' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Waypoints: default\/default: 2 of 3 waypoints not programmed; 2 Services with a missing or unprogrammed waypoint \(as of/);
    assert.match(run.stdout, /\n {2}NOT default\/bookinfo — PROGRAMMED False · traffic type none · revision default\n {2}NOT default\/waypoint — .*\n {2}ok  default\/no-name-convention — PROGRAMMED True/);
    assert.match(run.stdout, /\nTraffic type `none` means the Gateway has no `istio.io\/waypoint-for` label/);
    assert.match(run.stdout, /\nServices labelled istio.io\/use-waypoint: 2 in scope, 2 problems\n {2}Service default\/details: waypoint default\/waypiont does not exist\n/);
  });

  it('status on 1.29: the same waypoints from `waypoint status --wait=false`, traffic type from the list beside it', async () => {
    const json = JSON.parse((await cli(['waypoint', 'status', '-A', '-o', 'json'], { version: '1.29.6' })).stdout) as WaypointJson & { ran: string };
    assert.equal(json.ran, 'status');
    assert.deepEqual(json.waypoints.filter((w) => !w.programmed).map((w) => `${w.namespace}/${w.name}`), ['default/bookinfo', 'default/waypoint']);
    assert.equal(json.waypoints.find((w) => w.name === 'bookinfo-traffic-type')?.trafficType, 'all');
  });

  it('a failed Services read exits 1 with what was read and the reason in errors', async () => {
    api.failNext({ method: 'GET', pathPattern: /\/services/, status: 403 });
    const run = await cli(['waypoint', '-A', '-o', 'json'], { version: '1.28.1' });
    assert.equal(run.code, 1);
    const json = JSON.parse(run.stdout) as WaypointJson;
    assert.equal(json.services, null);
    assert.equal(json.waypoints.length, 6);
    assert.match(json.errors[0] ?? '', /^Services labelled istio.io\/use-waypoint could not be read: /);
  });
});
