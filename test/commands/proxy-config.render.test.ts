import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderProxyConfigJson, renderProxyConfigSlack, renderProxyConfigText } from '../../commands/proxy-config.render.ts';
import type { ProxyConfigResult } from '../../commands/proxy-config.ts';
import type { ProxyConfigType } from '../../src/istioctl/istioctl.ts';
import { summarizeProxyConfig } from '../../src/mesh/proxy-config-report.ts';
import { blockText } from '../support/blocks.ts';

const corpus = (path: string): string => readFileSync(new URL(`../fixtures/istioctl/proxy-config/${path}`, import.meta.url), 'utf8');
/** istioctl 1.29+ `proxy-config secret`: WARMING configmap://some/thing, a 24-hour `default` chain, a 10-year ROOTCA. */
const SECRET_TABLE = corpus('secret/istio/v1.29+_output.txt');
/** The `default` chain of the corpus tables: issued 2023-05-15T01:30:52Z, expires 2023-05-16T01:32:52Z. */
const ISSUED = Date.parse('2023-05-15T01:30:52Z');
const HOUR = 3_600_000;

function result(type: ProxyConfigType, format: 'json' | 'table', stdout: string, now: Date): ProxyConfigResult {
  const report = summarizeProxyConfig({ type, format, stdout }, { now });
  if (!report.ok) assert.fail(report.error.message);
  return { cluster: 'prod-eu', asOf: now, errors: [], type, pod: 'web-1', namespace: 'shop', report: report.value };
}

/** The secret table with the `default` row's dates replaced (the columns keep their width: RFC 3339 seconds). */
function withWorkloadDates(table: string, notBefore: string, notAfter: string): string {
  return table.replace(/^(default\s.*?)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ(\s+)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/m, `$1${notAfter}$2${notBefore}`);
}

const firstSection = (message: { blocks: readonly unknown[] }): string => blockText(message.blocks.slice(1, 2));

describe('proxy-config secret: one line per certificate, judged by the rotation rule', () => {
  it('gives each certificate its own line: name and kind, state, time left, then what to do', () => {
    // 16 hours after issue. The chain lives 24 h 2 min (istiod backdates it), so Istio should have rotated it
    // 12 h 1 min after issue: 3 h 59 min ago.
    const run = result('secret', 'table', SECRET_TABLE, new Date(ISSUED + 16 * HOUR));
    const lines = renderProxyConfigText(run).split('\n');
    assert.match(lines[0] ?? '', /^proxy-config secret: web-1\.shop \(prod-eu\) — 3 certificates: 2 need attention \(as of/);
    assert.deepEqual(lines.slice(1, 5), [
      'Certificates:',
      '  configmap://some/thing (certificate): WARMING, no certificate yet → Envoy is waiting for this secret: check that what it refers to exists and that istiod may read it',
      '  default (workload certificate): rotation overdue by 3 h, 8 h left → check that the proxy reaches istiod (`/mesh status`) and look for certificate errors in its istio-proxy container log',
      '  ROOTCA (CA): healthy, 3639 days left',
    ]);
    const slack = renderProxyConfigSlack(run);
    assert.match(firstSection(slack), /^:large_yellow_circle: \*3 certificates: 2 need attention\*$/);
    assert.match(blockText(slack.blocks), /\n• default \(workload certificate\): rotation overdue by 3 h, 8 h left → check/);
    assert.match(blockText(slack.blocks), /\n• ROOTCA \(CA\): healthy, 3639 days left/);
  });

  it('calls a 24-hour workload certificate 6 hours old healthy (green), not "expires within 7 days"', () => {
    const run = result('secret', 'table', corpus('secret/v1.20-1.25_output.txt'), new Date(ISSUED + 6 * HOUR));
    const slack = renderProxyConfigSlack(run);
    assert.equal(firstSection(slack), ':large_green_circle: *2 certificates, all healthy*');
    assert.match(renderProxyConfigText(run), /\n {2}default \(workload certificate\): healthy, rotates in about 6 h, 18 h left\n/);
  });

  it('shows a 90-day workload certificate 50 days old as overdue by 5 days, and 10 days old as healthy', () => {
    const table = withWorkloadDates(corpus('secret/v1.20-1.25_output.txt'), '2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z');
    const overdue = renderProxyConfigText(result('secret', 'table', table, new Date('2026-02-20T00:00:00Z')));
    assert.match(overdue, /\n {2}default \(workload certificate\): rotation overdue by 5 days, 40 days left → /);
    const young = renderProxyConfigText(result('secret', 'table', table, new Date('2026-01-11T00:00:00Z')));
    assert.match(young, /\n {2}default \(workload certificate\): healthy, rotates in about 35 days, 80 days left\n/);
  });

  it('paints an expired workload certificate red, in the text, the JSON and the Slack verdict', () => {
    const run = result('secret', 'table', SECRET_TABLE, new Date(ISSUED + 27 * HOUR));
    const slack = renderProxyConfigSlack(run);
    assert.equal(firstSection(slack), ':red_circle: *3 certificates: 1 critical, 1 needs attention*');
    assert.match(blockText(slack.blocks), /\n• default \(workload certificate\): CRITICAL, expired 2 h ago → restart the pod/);
    const json = renderProxyConfigJson(run) as { certificates: Record<string, unknown>[] };
    const chain = json.certificates.find((cert) => cert['name'] === 'default');
    // DESIGN.md section 5 fields, then the judgement.
    assert.deepEqual(
      { name: chain?.['name'], type: chain?.['type'], status: chain?.['status'], valid: chain?.['valid'], serial: chain?.['serial'], notAfter: chain?.['notAfter'], daysRemaining: chain?.['daysRemaining'] },
      { name: 'default', type: 'Cert Chain', status: 'ACTIVE', valid: false, serial: '6fbee254c22900615cb1f74e3d2f1713', notAfter: '2023-05-16T01:32:52Z', daysRemaining: -1 },
    );
    assert.deepEqual((chain?.['health'] as Record<string, unknown>)['level'], 'critical');
    assert.deepEqual((chain?.['health'] as Record<string, unknown>)['state'], 'expired');
  });

  it('makes `pc all` red when the dump holds an expired workload certificate', () => {
    const run = result('all', 'json', corpus('all/input_config_dump.json'), new Date('2024-01-01T00:00:00Z'));
    const slack = renderProxyConfigSlack(run);
    assert.match(firstSection(slack), /^:red_circle: \*2 certificates: 1 critical; bootstrap: Istio 1\.21\.0-1226/);
    assert.match(slack.text, /^web-1\.shop \(prod-eu\) all: 2 certificates: 1 critical; /, 'the notification says it too');
    assert.match(blockText(slack.blocks), /\*Certificates needing attention\*\n• default \(workload certificate, cluster\.local\): CRITICAL, expired 229 days ago → restart the pod/);
    assert.match(renderProxyConfigText(run), /\n {2}2 certificates: 1 critical\n/);
  });
});

describe('proxy-config wording', () => {
  it('counts in singular when there is one (1 route table, 1 virtual host, 1 route)', () => {
    const text = renderProxyConfigText(result('all', 'json', corpus('all/input_config_dump.json'), new Date('2024-01-01T00:00:00Z')));
    assert.match(text, /\n {2}1 route table, 1 virtual host, 1 route\n/);
    assert.match(text, /\n {2}2 endpoints in 2 clusters \(2 HEALTHY\)\n/);
    const routes = renderProxyConfigText(result('routes', 'json', corpus('all/input_config_dump.json'), new Date('2024-01-01T00:00:00Z')));
    assert.match(routes, /— 1 route table, 1 virtual host, 1 route \(as of/);
  });

  it('lists listeners per port as "port: count", naming the internal listener that has no port', () => {
    const text = renderProxyConfigText(result('listeners', 'json', corpus('all/input_config_dump.json'), new Date('2024-01-01T00:00:00Z')));
    assert.match(text, /\nListeners per port:\n {2}15021: 1, internal \(no port\): 1\n/);
    assert.doesNotMatch(text, /By port/);
  });
});
