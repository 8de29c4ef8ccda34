// One sidecar mesh as every istioctl family prints it (1.21 syncz table, 1.24 xDS table with 1.23+ ages, 1.28
// `--verbosity 1` table, 1.30 `-o json`), read through `mesh-bot status [-n NS] -o json`. Expected counts come from
// the rows below and DESIGN §5: a proxy counts as stale/error when at least one xDS type is STALE (any spelling) /
// ERROR; NOT SENT and IGNORED are no problems; `-n` keeps that namespace's proxies only.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cluster, proxyStatusJson, tabwrite, type Cluster, type Rule } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from './support/sidecar.ts';

type States = Record<'CDS' | 'LDS' | 'EDS' | 'RDS' | 'ECDS', string>;
interface Row {
  readonly name: string;
  readonly version: string;
  readonly states: States;
}
const ok: States = { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED', ECDS: 'NOT SENT' };
const ISTIOD = 'istiod-7d4f9c8b6d-k2x9q';
const ROWS: readonly Row[] = [
  { name: 'productpage-v1-7d9f8c6b5-x2k4m.default', version: '1.24.6', states: ok },
  { name: 'details-v1-5b9c8d7f6-h7j3n.default', version: '1.23.4', states: { ...ok, RDS: 'NOT SENT' } },
  { name: 'reviews-v2-6c8d9e7f5-m4n8p.shop', version: '1.24.6', states: { ...ok, EDS: 'STALE' } },
  { name: 'ratings-v1-6b9c8d7f5-q8w2e.shop', version: '1.24.6', states: { ...ok, LDS: 'ERROR', CDS: 'STALE' } },
  { name: 'istio-ingressgateway-6f7d8c9b5-z1y2x.istio-system', version: '1.24.6', states: { ...ok, ECDS: 'IGNORED' } },
];

/** 1.20-1.21 syncz writer (corpus multiStatusMultiPilot.txt, padding 5): never ERROR, STALE spelled "STALE (Never Acknowledged)". */
function syncz121(): string {
  const cell = (state: string) => (state === 'ERROR' || state === 'STALE' ? 'STALE (Never Acknowledged)' : state);
  return tabwrite([['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'], ...ROWS.map((row) => [row.name, 'Kubernetes', ...(['CDS', 'LDS', 'EDS', 'RDS', 'ECDS'] as const).map((type) => cell(row.states[type])), ISTIOD, row.version])], 5);
}

/** 1.23-1.26 xDS writer: SYNCED/STALE/ERROR carry the age of the last push (formatStatus, LastUpdated set). */
function xds124(): string {
  const cell = (state: string) => (state === 'NOT SENT' || state === 'IGNORED' ? state : `${state} (2m3s)`);
  return tabwrite([['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'], ...ROWS.map((row) => [row.name, 'Kubernetes', ...(['CDS', 'LDS', 'EDS', 'RDS', 'ECDS'] as const).map((type) => cell(row.states[type])), ISTIOD, row.version])], 5);
}

/** 1.27+ `--verbosity 1` (corpus multiXdsStatusMultiPilot_verbose.txt): type columns sorted by type URL. */
function verbose128(): string {
  return tabwrite([['NAME', 'CLUSTER', 'CDS', 'ECDS', 'EDS', 'LDS', 'RDS', 'ISTIOD', 'VERSION'], ...ROWS.map((row) => [row.name, 'Kubernetes', ...(['CDS', 'ECDS', 'EDS', 'LDS', 'RDS'] as const).map((type) => row.states[type]), ISTIOD, row.version])], 5);
}

/** 1.30 `-o json`: protojson enum names (NOT_SENT); UNKNOWN (IGNORED) is the enum's zero value, so protojson omits it. */
function json130(): string {
  return proxyStatusJson(
    ISTIOD,
    '1.24.6',
    ROWS.map((row) => ({ id: row.name, version: row.version, types: Object.fromEntries(Object.entries(row.states).filter(([, state]) => state !== 'IGNORED').map(([type, state]) => [type, state.replace(' ', '_')])) })),
  );
}

const FORMATS: readonly [string, string, () => string, { stale: number; error: number }][] = [
  ['1.21 syncz', '1.21.6', syncz121, { stale: 2, error: 0 }],
  ['1.24 xDS table', '1.24.6', xds124, { stale: 2, error: 1 }],
  ['1.28 verbose table', '1.28.1', verbose128, { stale: 2, error: 1 }],
  ['1.30 JSON', '1.30.3', json130, { stale: 2, error: 1 }],
];

let kube: Cluster;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), istiod(ISTIOD, '1.24.6')]);
});
after(() => kube.close());

for (const [label, version, print, whole] of FORMATS) {
  describe(label, () => {
    const rules: Rule[] = [{ when: ['proxy-status'], stdout: print() }];

    it('whole mesh: counts, problems with their istiod, skew naming the 1.23 proxy', async () => {
      const run = await runStatus(kube, version, rules, ['status', '-o', 'json']);
      assert.equal(run.code, 0, run.stderr);
      const json = run.json;
      assert.equal(json?.verdict, 'degraded');
      assert.deepEqual([json?.proxies?.total, json?.proxies?.healthy, json?.proxies?.stale, json?.proxies?.error], [5, 3, whole.stale, whole.error]);
      assert.deepEqual(json?.proxies?.problems.map((problem) => [problem.name, problem.istiod]).sort(), [
        ['ratings-v1-6b9c8d7f5-q8w2e.shop', ISTIOD],
        ['reviews-v2-6c8d9e7f5-m4n8p.shop', ISTIOD],
      ]);
      assert.deepEqual(json?.versionSkew?.mismatched.map((entry) => [entry.version, entry.proxies]), [['1.23.4', ['details-v1-5b9c8d7f6-h7j3n.default']]]);
    });

    it('-n default: only default proxies; NOT SENT is healthy', async () => {
      const run = await runStatus(kube, version, rules, ['status', '-n', 'default', '-o', 'json']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.json?.verdict, 'healthy');
      assert.deepEqual([run.json?.proxies?.total, run.json?.proxies?.healthy], [2, 2]);
    });

    it('-n shop: both problem proxies, nothing from other namespaces', async () => {
      const run = await runStatus(kube, version, rules, ['status', '-n', 'shop', '-o', 'json']);
      assert.equal(run.json?.verdict, 'degraded');
      assert.deepEqual([run.json?.proxies?.total, run.json?.proxies?.healthy], [2, 0]);
    });

    it('-n quiet (exists, no proxies): "no-proxies", never healthy, exit 0', async () => {
      const run = await runStatus(kube, version, rules, ['status', '-n', 'quiet', '-o', 'json']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.json?.verdict, 'no-proxies');
      assert.equal(run.json?.proxies?.total, 0);
    });
  });
}

describe('istioctl warnings on stderr with exit 0 (istio log format and klog lines, ERROR_STRINGS.md conventions)', () => {
  it('change nothing: same counts, no error, nothing on stderr', async () => {
    const stderr = '2026-12-07T04:00:00.000000Z\twarn\tklog\tthe kubeconfig uses a deprecated auth provider\nW1207 04:00:00.000000   12345 warnings.go:70] v1 Endpoints is deprecated in v1.33+\n';
    const run = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: xds124(), stderr }], ['status', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.json?.errors, []);
    assert.equal(run.stderr, '');
    assert.deepEqual([run.json?.proxies?.total, run.json?.proxies?.stale, run.json?.proxies?.error], [5, 2, 1]);
  });
});
