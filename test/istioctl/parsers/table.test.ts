import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { splitTable } from '../../../src/istioctl/parsers/table.ts';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/istioctl/${path}`, import.meta.url), 'utf8');

function mustSplit(text: string) {
  const result = splitTable(text);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value;
}

describe('splitTable', () => {
  it('finds header columns separated by two or more spaces', () => {
    const table = mustSplit(fixture('proxy-status/v1.22-1.26/multiXdsStatusSinglePilot.txt'));
    assert.deepEqual(table.headers, ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION']);
    assert.equal(table.rows.length, 2);
  });

  it('keeps a header name that contains a single space as one column', () => {
    const table = mustSplit(fixture('proxy-status/v1.27-1.29/multiXdsStatusSinglePilot.txt'));
    assert.deepEqual(table.headers, ['NAME', 'CLUSTER', 'ISTIOD', 'VERSION', 'SUBSCRIBED TYPES']);
    assert.equal(table.rows[0]?.['SUBSCRIBED TYPES'], '5 (CDS,LDS,EDS,RDS,ECDS)');
  });

  it('keeps cells that contain single spaces whole', () => {
    const table = mustSplit(fixture('proxy-status/v1.20-1.21_default-ps_syncz/multiStatusMultiPilot.txt'));
    assert.deepEqual(table.rows[2], {
      NAME: 'proxy3',
      CLUSTER: 'cluster3',
      CDS: 'STALE (Never Acknowledged)',
      LDS: 'NOT SENT',
      EDS: 'STALE (Never Acknowledged)',
      RDS: 'SYNCED',
      ECDS: 'NOT SENT',
      ISTIOD: 'istiod3',
      VERSION: '1.1',
    });
  });

  it('reads the last row when the output lacks a final newline', () => {
    const table = mustSplit(fixture('proxy-status/v1.20-1.21_x-ps_xds/multiXdsStatusMultiPilot.txt'));
    assert.equal(table.rows.length, 4);
    assert.equal(table.rows[3]?.NAME, 'proxy4');
    assert.equal(table.rows[3]?.VERSION, '1.20');
  });

  it('returns blank cells as empty strings, with or without trailing padding', () => {
    const padded = 'NAME       CLUSTER     ISTIOD     VERSION\nproxy1                 istiod1           \n';
    const trimmed = 'NAME       CLUSTER     ISTIOD     VERSION\nproxy1                 istiod1\n';
    for (const text of [padded, trimmed]) {
      assert.deepEqual(mustSplit(text).rows, [{ NAME: 'proxy1', CLUSTER: '', ISTIOD: 'istiod1', VERSION: '' }]);
    }
  });

  it('ignores blank lines and CRLF line ends', () => {
    const table = mustSplit('\r\nNAME     VERSION\r\n\r\nproxy1   1.20\r\n   \r\nproxy2   1.21\r\n');
    assert.deepEqual(table.rows, [
      { NAME: 'proxy1', VERSION: '1.20' },
      { NAME: 'proxy2', VERSION: '1.21' },
    ]);
  });

  it('returns the headers and no rows for a header-only table', () => {
    const table = mustSplit(fixture('proxy-status/empty-and-errors/v1.27.1+_no-proxies_stdout.txt'));
    assert.deepEqual(table.headers, ['NAME', 'CLUSTER', 'ISTIOD', 'VERSION', 'SUBSCRIBED TYPES']);
    assert.deepEqual(table.rows, []);
  });

  it('fails on empty input', () => {
    const result = splitTable('\n  \n');
    assert.equal(result.ok, false);
  });

  it('fails when a row is not aligned with the header columns', () => {
    const result = splitTable('NAME     VERSION\nproxy-with-long-name 1.20\n');
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error.message, /not aligned/);
  });

  it('fails when the header names a column twice', () => {
    const result = splitTable('NAME     NAME\na        b\n');
    assert.equal(result.ok, false);
  });

  it('splits a 50,000-row table', () => {
    const lines = ['NAME          STATE'];
    for (let i = 0; i < 50_000; i++) lines.push(`p${String(i).padStart(6, '0')}.ns     ${i % 2 === 0 ? 'SYNCED' : 'NOT SENT'}`);
    const table = mustSplit(lines.join('\n'));
    assert.equal(table.rows.length, 50_000);
    assert.equal(table.rows.filter((row) => row.STATE === 'NOT SENT').length, 25_000);
  });
});

describe('splitTable with named columns', () => {
  // istioctl proxy-config pads with one space, so a column may start one space after a multi-word name.
  const text = 'NAME     VHOST NAME DOMAINS MATCH\nroute/80 backend    *       /*\n';

  it('cuts at the named columns even when only one space separates them', () => {
    const result = splitTable(text, ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH']);
    assert.deepEqual(result, { ok: true, value: { headers: ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH'], rows: [{ NAME: 'route/80', 'VHOST NAME': 'backend', DOMAINS: '*', MATCH: '/*' }] } });
  });

  it('reads the istio.io cluster table by its column names', () => {
    const result = splitTable(fixture('proxy-config/docs-examples/istio.io_pc-cluster_example.txt'), ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE']);
    assert.ok(result.ok);
    assert.deepEqual(result.value.rows[2], { 'SERVICE FQDN': 'details.default.svc.cluster.local', PORT: '9080', SUBSET: '-', DIRECTION: 'outbound', TYPE: 'EDS', 'DESTINATION RULE': 'details.default' });
  });

  it('matches whole words only and names a missing column', () => {
    assert.deepEqual(splitTable('HOSTNAME  PORT\na         1\n', ['NAME', 'PORT']), {
      ok: false,
      error: { kind: 'parse', message: 'table header "HOSTNAME  PORT" has no NAME column.' },
    });
  });
});
