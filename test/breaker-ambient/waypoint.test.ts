// `mesh-bot waypoint` from the outside with the corpus waypoint goldens replayed verbatim by a stand-in istioctl.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AMBIENT, cluster, meshBot, namespace, service, standIn, type Cluster } from './support/harness.ts';

let kube: Cluster;
before(async () => {
  kube = await cluster([
    namespace('istio-system'),
    namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
    namespace('bookinfo', { 'istio.io/dataplane-mode': 'ambient' }),
    namespace('empty'),
    service('default', 'ratings', { 'istio.io/use-waypoint': 'waypoint' }),
    service('default', 'details', { 'istio.io/use-waypoint': 'waypiont' }),
    service('bookinfo', 'reviews', { 'istio.io/use-waypoint': 'bookinfo-valid' }),
  ]);
});
after(() => kube.close());

interface WaypointJson {
  errors: string[];
  waypoints: { namespace: string; name: string; programmed: boolean; trafficType: string | null; revision: string | null }[];
  notProgrammed: number;
  services: { labelled: number; problems: { namespace: string; service: string; waypoint: string; problem: string }[] } | null;
}

async function wp(version: string, file: string, argv: string[]) {
  const istioctl = await standIn(version, [{ when: ['waypoint', 'list'], stdoutFile: `${AMBIENT}/waypoint/${file}` }]);
  const run = await meshBot(argv, { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  return { run, invocations: await istioctl.invocations() };
}

describe('waypoint list -A, corpus combined-gateway goldens', () => {
  it('1.21: a blank SERVICE ACCOUNT cell (default/namespace) does not shift the columns; not programmed first; runs `x waypoint`', async () => {
    const { run, invocations } = await wp('1.21.6', 'list/v1.20-1.21_combined-gateway.txt', ['wp', '-A', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as WaypointJson;
    assert.deepEqual(
      json.waypoints.map((w) => [w.namespace, w.name, w.programmed, w.revision]),
      [
        ['default', 'bookinfo', false, 'default'],
        ['default', 'namespace', false, 'default'],
        ['bookinfo', 'bookinfo-rev', true, 'rev1'],
        ['bookinfo', 'bookinfo-valid', true, 'default'],
        ['default', 'no-name-convention', true, 'default'],
      ],
    );
    assert.equal(json.notProgrammed, 2);
    assert.ok(json.waypoints.every((w) => w.trafficType === null), '1.21 prints no TRAFFIC TYPE');
    assert.ok(invocations.some((argv) => argv.join(' ').startsWith('x waypoint list --all-namespaces')));
  });

  it('1.27 text: PROGRAMMED False first, traffic type none explained, the typo and the unprogrammed waypoint of labelled Services named', async () => {
    const { run } = await wp('1.27.9', 'list/v1.27+_combined-gateway.txt', ['waypoint', 'list', '--all-namespaces']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.match(lines[1] ?? '', /default\/bookinfo .*PROGRAMMED False/);
    assert.match(lines[2] ?? '', /default\/waypoint .*PROGRAMMED False/);
    assert.match(run.stdout, /bookinfo\/bookinfo-traffic-type — PROGRAMMED True · traffic type all/);
    assert.match(run.stdout, /`none` means the Gateway has no `istio\.io\/waypoint-for` label.*it does not mean the waypoint carries no traffic/);
    assert.match(run.stdout, /Service default\/details: waypoint default\/waypiont does not exist/);
    assert.match(run.stdout, /Service default\/ratings: waypoint default\/waypoint is not programmed/);
    assert.doesNotMatch(run.stdout, /bookinfo\/reviews/, 'a Service whose waypoint is programmed is not a problem');
  });

  it('0 waypoints (`No waypoints found.`): exit 0, and every labelled Service is told its waypoint is missing', async () => {
    const { run } = await wp('1.28.10', 'list/all-versions_no-gateway.txt', ['wp', '-A', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as WaypointJson;
    assert.deepEqual(json.waypoints, []);
    assert.deepEqual(json.services?.problems.map((p) => [p.service, p.problem]).sort(), [['details', 'missing'], ['ratings', 'missing'], ['reviews', 'missing']]);
  });

  it('an existing namespace without waypoints is not an error; a missing one is (exit 1, stderr only)', async () => {
    const empty = await wp('1.28.10', 'list/all-versions_no-gateway.txt', ['wp', '-n', 'empty']);
    assert.equal(empty.run.code, 0, empty.run.stderr);
    assert.match(empty.run.stdout, /0 waypoints|no waypoints/i);
    const missing = await wp('1.28.10', 'list/all-versions_no-gateway.txt', ['wp', '-n', 'nosuch']);
    assert.equal(missing.run.code, 1);
    assert.equal(missing.run.stdout, '');
    assert.match(missing.run.stderr, /^mesh-bot: Namespace nosuch does not exist/);
  });
});
