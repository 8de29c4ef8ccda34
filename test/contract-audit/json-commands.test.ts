// DESIGN.md §5 for `analyze`, `ztunnel-config workloads`, `waypoint` (three istioctl generations each) and `canary`:
// every named field with its type, and the rules the contract states (`captured` false for protocol TCP,
// `trafficType` `none` when the label is absent, a plan's `routes` and `kind`).
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startAmbientApi } from '../support/ambient-api.ts';
import { waypointClusterObjects } from '../support/ambient-cluster.ts';
import { seedReviews } from '../support/bookinfo.ts';
import { cli } from '../support/cli.ts';
import { analyze, canary, envelope, violations, waypoint, ztunnelWorkloads } from './schema.ts';

async function exportKubeconfig(api: FakeKubeApi): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-contract-'));
  await writeFile(join(dir, 'config'), api.kubeConfigYaml());
  process.env['KUBECONFIG'] = join(dir, 'config');
}

const VERSIONS = ['1.20.8', '1.24.6', '1.30.3'] as const;
const minorOf = (version: string) => Number(version.split('.')[1]);
const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

describe('analyze and ztunnel-config workloads JSON (DESIGN.md §5)', { concurrency: 3 }, () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startAmbientApi();
    await exportKubeconfig(api);
  });
  after(() => api.close());

  for (const version of VERSIONS) {
    it(`${version}: analyze -A has findings.total/byLevel/byCode/items adding up`, async () => {
      const run = await cli(['analyze', '-A', '-o', 'json'], { version, scenario: 'ambient' }, { POD_NAMESPACE: 'mesh-bot' });
      assert.equal(run.code, 0, run.stderr);
      const out = json(run.stdout);
      assert.deepEqual(violations(analyze, out), []);
      const findings = out['findings'] as { total: number; byLevel: Record<string, number>; byCode: Record<string, number>; items: { code: string; level: string }[] };
      assert.equal(findings.items.length, findings.total);
      assert.equal(Object.values(findings.byLevel).reduce((sum, count) => sum + count, 0), findings.total);
      assert.equal(Object.values(findings.byCode).reduce((sum, count) => sum + count, 0), findings.total);
      for (const level of ['Error', 'Warning', 'Info']) assert.equal(findings.byLevel[level], findings.items.filter((item) => item.level === level).length, level);
    });

    it(`${version}: zc workloads -o json: captured false exactly for TCP, notCaptured a count (or null with the reason before 1.22)`, async () => {
      const run = await cli(['zc', 'workloads', '-o', 'json'], { version, scenario: 'ambient' }, { POD_NAMESPACE: 'mesh-bot' });
      const out = json(run.stdout);
      assert.deepEqual(violations(ztunnelWorkloads, out), []);
      if (minorOf(version) < 22) {
        assert.equal(run.code, 1, 'nothing could be read');
        assert.deepEqual([out['workloads'], out['notCaptured']], [null, null]);
        assert.match(String((out['errors'] as string[])[0]), /has no `ztunnel-config` command/);
        return;
      }
      assert.equal(run.code, 0, run.stderr);
      const workloads = out['workloads'] as { protocol: string; captured: boolean }[];
      assert.ok(workloads.length > 0);
      for (const row of workloads) assert.equal(row.captured, row.protocol !== 'TCP', JSON.stringify(row));
    });
  }
});

describe('waypoint JSON (DESIGN.md §5)', { concurrency: 3 }, () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi({ objects: waypointClusterObjects() });
    await exportKubeconfig(api);
  });
  after(() => api.close());

  for (const version of VERSIONS) {
    it(`${version}: waypoint -A: trafficType as istioctl prints it, none when the label is absent (1.27+)`, async () => {
      const run = await cli(['waypoint', '-A', '-o', 'json'], { version }, { POD_NAMESPACE: 'mesh-bot' });
      assert.equal(run.code, 0, run.stderr);
      const out = json(run.stdout);
      assert.deepEqual(violations(waypoint, out), []);
      const waypoints = out['waypoints'] as { trafficType: string | null }[];
      assert.ok(waypoints.length > 0);
      if (minorOf(version) >= 27) assert.ok(waypoints.every((row) => typeof row.trafficType === 'string' && row.trafficType !== ''), 'never blank from 1.27 on');
      else assert.ok(waypoints.every((row) => row.trafficType === null), 'no such column before 1.27');
    });
  }
});

describe('canary JSON (DESIGN.md §5)', { concurrency: 3 }, () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    seedReviews(api);
    await exportKubeconfig(api);
  });
  after(() => api.close());

  const canaryRun = async (line: string) => {
    const run = await cli([...line.split(' '), '-o', 'json'], { version: '1.24.2', scenario: 'healthy' }, { POD_NAMESPACE: 'mesh-bot' });
    return { ...run, out: json(run.stdout) };
  };

  it('canary status: kind VirtualService and the routes with their weights', async () => {
    const { code, out } = await canaryRun('canary status reviews -n bookinfo');
    assert.equal(code, 0);
    assert.deepEqual(violations(canary, out), []);
    assert.equal(out['kind'], 'VirtualService');
    assert.deepEqual(out['routes'], [{ name: 'reviews-route', destinations: [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }] }]);
  });

  it('canary rollback --to (the plan a terminal prints): the routes it would leave', async () => {
    const { code, out } = await canaryRun('canary rollback reviews --to v1 -n bookinfo');
    assert.equal(code, 0);
    assert.deepEqual(violations(canary, out), []);
    assert.equal(out['kind'], 'VirtualService');
    assert.deepEqual((out['routes'] as { destinations: { weight: number }[] }[])[0]?.destinations.map((destination) => destination.weight), [100, 0]);
  });

  it('a refused canary keeps kind and routes, null, with the reason in errors (exit 1)', async () => {
    const { code, out } = await canaryRun('canary status nope -n bookinfo');
    assert.equal(code, 1);
    assert.deepEqual(violations(canary, out), []);
    assert.deepEqual([out['kind'], out['routes']], [null, null]);
    assert.equal((out['errors'] as string[]).length, 1);
  });

  it(
    'canary promote to the weight already in force ("nothing to do", exit 0) still names the kind and the routes it read',
    async () => {
      const { code, out } = await canaryRun('canary promote reviews --weight 10 -n bookinfo');
      assert.equal(code, 0);
      assert.deepEqual(violations(canary, out), []);
      assert.equal(out['kind'], 'VirtualService');
      assert.deepEqual((out['routes'] as { destinations: { weight: number }[] }[] | null)?.[0]?.destinations.map((destination) => destination.weight), [90, 10]);
    },
  );

  it('a usage error is one JSON object with the envelope and the usage line (exit 2)', async () => {
    const { code, out, stderr } = await canaryRun('canary promote reviews --weight 500 -n bookinfo');
    assert.equal(code, 2);
    assert.deepEqual(violations(envelope, out), []);
    assert.ok(stderr.startsWith(`mesh-bot: ${(out['errors'] as string[])[0]}`));
    assert.match(String(out['usage']), /^mesh-bot canary promote /);
  });
});
