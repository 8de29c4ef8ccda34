// `waypoint status` with the conditions istiod really writes on a waypoint Gateway (Accepted, Programmed,
// ResolvedRefs, in that order; seen on the cluster tier's real istiod). istioctl's status writer prints Programmed
// only while it is True; otherwise the Gateway's last condition — `True ResolvedRefs All references resolved` for a
// waypoint istiod could not program — and for a Gateway without conditions the previous Gateway's row. mesh-bot read
// that row's STATUS alone: a waypoint that carries no traffic was "ok, PROGRAMMED True" and the Services using it
// were not named.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waypointsOf } from '../../src/mesh/waypoint.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { cli } from '../support/cli.ts';

const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, observedGeneration: 1, lastTransitionTime: '2026-12-07T08:00:00Z' });
const waypoint = (name: string, conditions: ReturnType<typeof condition>[]) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'shop', labels: { 'istio.io/waypoint-for': 'service' } },
  spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  status: { conditions },
});
const service = (name: string, waypointName: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop', labels: { 'istio.io/use-waypoint': waypointName } }, spec: { ports: [{ port: 9080 }] } });

let api: FakeKubeApi;
const saved = { KUBECONFIG: process.env['KUBECONFIG'], FAKE_ISTIOCTL_KUBE_API: process.env['FAKE_ISTIOCTL_KUBE_API'] };
before(async () => {
  api = await startFakeKubeApi({
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mesh-bot' } },
      // istiod could not program it: no Service for the waypoint's address.
      waypoint('cart-waypoint', [condition('Accepted', 'True', 'Accepted', 'Resource accepted'), condition('Programmed', 'False', 'AddressNotUsable', 'Failed to assign to any requested addresses: no Service found'), condition('ResolvedRefs', 'True', 'ResolvedRefs', 'All references resolved')]),
      waypoint('orders-waypoint', [condition('Accepted', 'True', 'Accepted', 'Resource accepted'), condition('Programmed', 'True', 'Programmed', 'Resource programmed, assigned to service(s) orders-waypoint.shop.svc.cluster.local:15008'), condition('ResolvedRefs', 'True', 'ResolvedRefs', 'All references resolved')]),
      // Conditions cleared: istioctl prints the row of the Gateway before it (orders-waypoint, programmed).
      waypoint('payments-waypoint', []),
      service('cart', 'cart-waypoint'),
      service('orders', 'orders-waypoint'),
      service('payments', 'payments-waypoint'),
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-kubeconfig-'));
  await writeFile(join(dir, 'config'), api.kubeConfigYaml());
  process.env['KUBECONFIG'] = join(dir, 'config');
  // The fake istioctl reads the Gateways from the same API server, as the real one does.
  process.env['FAKE_ISTIOCTL_KUBE_API'] = api.url;
});
after(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await api.close();
});

interface WaypointJson {
  errors: string[];
  waypoints: { name: string; programmed: boolean; programmedStatus: string; reason: string; message: string }[];
  services: { problems: { service: string; problem: string }[] } | null;
}

describe('waypoint status on Gateways istiod wrote', () => {
  it('a waypoint istiod could not program is not programmed, with its own reason, whatever condition istioctl printed last', async () => {
    const run = await cli(['waypoint', 'status', '-n', 'shop', '-o', 'json'], { version: '1.29.6', scenario: 'bookinfo' });
    const json = JSON.parse(run.stdout) as WaypointJson;
    assert.deepEqual(json.errors, []);
    const byName = Object.fromEntries(json.waypoints.map((w) => [w.name, [w.programmed, w.programmedStatus, w.reason]]));
    assert.deepEqual(byName, {
      'cart-waypoint': [false, 'False', ''],
      'orders-waypoint': [true, 'True', 'Programmed'],
      'payments-waypoint': [false, 'False', ''],
    });
    assert.deepEqual(json.services?.problems.map((p) => `${p.service}:${p.problem}`), ['cart:not-programmed', 'payments:not-programmed']);
    assert.equal(run.code, 0, run.stderr);
  });

  it('the text says two of three are not programmed, and never shows ResolvedRefs as the Programmed reason', async () => {
    const run = await cli(['waypoint', 'status', '-n', 'shop'], { version: '1.29.6', scenario: 'bookinfo' });
    assert.match(run.stdout, /2 of 3 waypoints not programmed/);
    assert.match(run.stdout, /NOT shop\/cart-waypoint — PROGRAMMED False/);
    assert.doesNotMatch(run.stdout, /ResolvedRefs|All references resolved/);
  });
});

describe('waypoint status when the list beside it could not be read', () => {
  it('judges by the Programmed rows alone: any other row is Unknown and not programmed', () => {
    const rows = [
      { namespace: 'shop', name: 'cart-waypoint', status: 'True', type: 'ResolvedRefs', reason: 'ResolvedRefs', message: 'All references resolved' },
      { namespace: 'shop', name: 'orders-waypoint', status: 'True', type: 'Programmed', reason: 'Programmed', message: '' },
      { namespace: 'shop', name: 'stuck-waypoint', status: 'False', type: 'Programmed', reason: 'AddressNotUsable', message: 'no Service' },
    ];
    const judged = waypointsOf({ action: 'status', rows, client: { version: '1.29.6', minor: { major: 1, minor: 29 } } }).map((w) => [w.name, w.programmed, w.programmedStatus, w.reason]);
    assert.deepEqual(judged, [
      ['cart-waypoint', false, 'Unknown', ''],
      ['orders-waypoint', true, 'True', 'Programmed'],
      ['stuck-waypoint', false, 'False', 'AddressNotUsable'],
    ]);
  });
});
