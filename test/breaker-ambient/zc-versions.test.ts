// `mesh-bot zc TYPE -o json` at every istioctl version where a TYPE's columns change, through a stand-in that prints
// the corpus goldens verbatim; where the corpus has no golden for an older version, the golden without the
// columns that version lacks (INDEX.md ambient: connections PROTOCOL from 1.26, services ENDPOINTS from 1.23,
// `all` with connections from 1.28), printed with the same tabwriter settings.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AMBIENT, ambientMesh, cluster, meshBot, standIn, withoutColumns, type Cluster } from './support/harness.ts';

const read = (path: string) => readFileSync(`${AMBIENT}/ztunnel-config/${path}`, 'utf8');
const allGolden = read('all/v1.28+_allsummary.txt').split('\n\n'); // workloads, services, policies, certificates, connections
const SERVICE_COLUMNS = ['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'];
const CONNECTION_COLUMNS = ['WORKLOAD', 'DIRECTION', 'LOCAL', 'REMOTE', 'REMOTE TARGET', 'PROTOCOL'];
const services122 = withoutColumns(allGolden[1] ?? '', SERVICE_COLUMNS, ['ENDPOINTS'], 1);
const connections125 = withoutColumns(read('connections/v1.28+_connectionsummary.txt'), CONNECTION_COLUMNS, ['PROTOCOL'], 1);
const workloads = (minor: number) => read(minor <= 23 ? 'workloads/v1.22-1.23_workloadsummary.txt' : 'workloads/v1.24+_workloadsummary.txt');
const services = (minor: number) => (minor === 22 ? services122 : `${(allGolden[1] ?? '').trim()}\n`);
// 1.22-1.27 `all`: a blank line before each of the workloads, services, policies and certificates tables.
const allOlder = (minor: number) => ['', workloads(minor).trimEnd(), services(minor).trimEnd(), (allGolden[2] ?? '').trimEnd(), (allGolden[3] ?? '').trimEnd()].join('\n\n') + '\n';

let kube: Cluster;
before(async () => {
  kube = await cluster(ambientMesh());
});
after(() => kube.close());

async function zc(version: string, type: string, stdout: string, argv: string[] = []) {
  const subcommand = { workloads: 'workload', services: 'service', policies: 'policy', certificates: 'certificate', connections: 'connections', all: 'all' }[type] ?? type;
  const istioctl = await standIn(version, [{ when: ['ztunnel-config', subcommand], stdout }]);
  const run = await meshBot(['zc', type, ...argv, '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as Record<string, unknown> & { errors: string[] };
  assert.deepEqual(json.errors, []);
  return { json, invocations: await istioctl.invocations() };
}

const count = (value: unknown) => (Array.isArray(value) ? value.length : -1);

describe('zc per version, stand-in istioctl', { concurrency: 2 }, () => {
  for (const version of ['1.22.8', '1.24.6']) {
    const minor = Number(version.split('.')[1]);
    it(`${version} workloads: 27 rows, 1 not captured (default/httpbin); 1.22 runs \`experimental ztunnel-config\``, async () => {
      const { json, invocations } = await zc(version, 'workloads', workloads(minor));
      assert.equal(count(json['workloads']), 27);
      assert.equal(json['notCaptured'], 1);
      const zcRun = invocations.find((argv) => argv.includes('ztunnel-config')) ?? [];
      assert.equal(zcRun[0], minor === 22 ? 'experimental' : 'ztunnel-config');
    });
  }
  for (const version of ['1.22.8']) {
    const minor = Number(version.split('.')[1]);
    it(`${version} services: 19 services${minor === 22 ? ' without an ENDPOINTS column' : ''}`, async () => {
      const { json } = await zc(version, 'services', services(minor));
      assert.equal(count(json['services']), 19);
    });
  }
  for (const version of ['1.25.5', '1.26.8']) {
    const minor = Number(version.split('.')[1]);
    it(`${version} connections: 8${minor < 26 ? ' without PROTOCOL, blank REMOTE TARGET cells last on their line' : ''}`, async () => {
      const { json } = await zc(version, 'connections', minor < 26 ? connections125 : read('connections/v1.28+_connectionsummary.txt'));
      assert.equal(count(json['connections']), 8);
    });
  }
  for (const version of ['1.22.8', '1.27.9']) {
    const minor = Number(version.split('.')[1]);
    it(`${version} all: every section parsed${minor < 28 ? ', no connections section' : ''}`, async () => {
      const { json } = await zc(version, 'all', minor < 28 ? allOlder(minor) : read('all/v1.28+_allsummary.txt'));
      assert.equal(count(json['workloads']), 27);
      assert.equal(count(json['services']), 19);
      assert.equal(count(json['policies']), 2);
      assert.equal(count(json['certificates']), 5);
      if (minor >= 28) assert.equal(count(json['connections']), 8);
    });
  }
});
