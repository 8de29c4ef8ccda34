import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseWaypointList, parseWaypointStatus, type WaypointRow, type WaypointStatusRow } from '../../../src/istioctl/parsers/waypoint.ts';

const DIR = new URL('../../fixtures/istioctl/ambient/waypoint/', import.meta.url);
const golden = (path: string): string => readFileSync(new URL(path, DIR), 'utf8');

function list(path: string, namespace = 'default'): WaypointRow[] {
  const parsed = parseWaypointList(golden(`list/${path}`), namespace);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
  return parsed.value;
}

function status(path: string, namespace = 'default'): WaypointStatusRow[] {
  const parsed = parseWaypointStatus(golden(`status/${path}`), namespace);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
  return parsed.value;
}

/** namespace/name=programmed, the facts a reader of the table sees. */
const brief = (rows: readonly WaypointRow[]) => rows.map((row) => `${row.namespace}/${row.name}=${row.programmed}`);

describe('waypoint list parser, every corpus golden', () => {
  it('reads "No waypoints found." (every version) as no waypoints', () => {
    assert.deepEqual(list('all-versions_no-gateway.txt'), []);
  });

  it('1.20-1.21: SERVICE ACCOUNT column, blank for the default `namespace` waypoint, no traffic type', () => {
    assert.deepEqual(list('v1.20-1.21_default-gateway.txt', 'default'), [
      { namespace: 'default', name: 'namespace', revision: 'default', trafficType: null, serviceAccount: '', programmed: 'True' },
    ]);
    assert.deepEqual(brief(list('v1.20-1.21_all-gateway.txt')), ['default/namespace=True', 'fake/namespace=True']);
    const combined = list('v1.20-1.21_combined-gateway.txt');
    assert.deepEqual(brief(combined), ['bookinfo/bookinfo-rev=True', 'bookinfo/bookinfo-valid=True', 'default/bookinfo=False', 'default/namespace=False', 'default/no-name-convention=True']);
    assert.deepEqual(combined.map((row) => row.serviceAccount), ['bookinfo-rev', 'bookinfo-valid', 'bookinfo', '', 'sa']);
    assert.equal(combined[0]?.revision, 'rev1');
  });

  it('1.22-1.26: NAME REVISION PROGRAMMED', () => {
    assert.deepEqual(list('v1.22-1.26_default-gateway.txt', 'shop'), [
      { namespace: 'shop', name: 'waypoint', revision: 'default', trafficType: null, serviceAccount: null, programmed: 'True' },
    ]);
    assert.deepEqual(brief(list('v1.22-1.26_all-gateway.txt')), ['default/waypoint=True', 'fake/waypoint=True']);
    assert.deepEqual(brief(list('v1.22-1.26_combined-gateway.txt')), ['bookinfo/bookinfo-rev=True', 'bookinfo/bookinfo-valid=True', 'default/bookinfo=False', 'default/no-name-convention=True', 'default/waypoint=False']);
  });

  it('1.27+: TRAFFIC TYPE as printed, `none` kept as istioctl wrote it', () => {
    assert.deepEqual(list('v1.27+_default-gateway.txt'), [
      { namespace: 'default', name: 'waypoint', revision: 'default', trafficType: 'none', serviceAccount: null, programmed: 'True' },
    ]);
    assert.deepEqual(brief(list('v1.27+_all-gateway.txt')), ['default/waypoint=True', 'fake/waypoint=True']);
    const combined = list('v1.27+_combined-gateway.txt');
    assert.deepEqual(combined.map((row) => `${row.name}:${row.trafficType}`), [
      'bookinfo-rev:none', 'bookinfo-traffic-type:all', 'bookinfo-valid:none', 'bookinfo:none', 'no-name-convention:none', 'waypoint:none',
    ]);
    assert.deepEqual(brief(combined).filter((entry) => entry.endsWith('False')), ['default/bookinfo=False', 'default/waypoint=False']);
  });

  it('parses every list golden in the corpus (none left untested)', () => {
    for (const file of readdirSync(new URL('list/', DIR))) assert.ok(parseWaypointList(golden(`list/${file}`), 'default').ok, file);
  });

  it('refuses a table that is not a waypoint list, naming the missing column', () => {
    const parsed = parseWaypointList('NAME     CLUSTER\nfoo      bar\n', 'default');
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.error.message, /no REVISION column/);
  });
});

describe('waypoint status parser (1.29+ goldens)', () => {
  it('ready and not ready in one namespace, blank REASON and MESSAGE', () => {
    assert.deepEqual(status('v1.29+_waypoint-status-ready.txt', 'default'), [
      { namespace: 'default', name: 'waypoint', status: 'True', type: 'Programmed', reason: '', message: '' },
    ]);
    assert.deepEqual(status('v1.29+_waypoint-status-notready.txt', 'bookinfo').map((row) => `${row.namespace}/${row.name} ${row.type}=${row.status}`), ['bookinfo/waypoint Programmed=False']);
  });

  it('--all-namespaces: the NAMESPACE column', () => {
    assert.deepEqual(status('v1.29+_waypoint-status-all.txt').map((row) => `${row.namespace}/${row.name}=${row.status}`), ['fake1/waypoint=True', 'fake2/waypoint=True', 'fake3/waypoint=True']);
  });

  it('refuses the timed-out error text as a table', () => {
    assert.equal(parseWaypointStatus(golden('status/v1.29+_waypoint-notready-wait.txt'), 'default').ok, false);
  });
});
