import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { createStateStore } from '../src/kube/state-store.ts';
import { compareAndRecord, historyRecordName } from '../src/mesh/analyze-history.ts';
import { ok } from '../src/result.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../src/sandbox/kube-api.ts';
import { cli } from './support/cli.ts';

let api: FakeKubeApi;


before(async () => {
  api = await startFakeKubeApi({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }] });
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-kubeconfig-'));
  const kubeconfig = join(dir, 'config');
  await writeFile(kubeconfig, api.kubeConfigYaml());
  process.env['KUBECONFIG'] = kubeconfig;
});
after(() => api.close());

interface AnalyzeJson {
  command: string;
  cluster: string;
  asOf: string;
  errors: string[];
  findings: { total: number; byLevel: Record<string, number>; byCode: Record<string, number>; items: { code: string; level: string; message: string; origin: string }[] };
  changes: { new: unknown[]; resolved: unknown[] } | null;
}

interface Certificate {
  name: string;
  type: string;
  status: string;
  valid: boolean;
  serial: string;
  notAfter: string;
  daysRemaining: number | null;
}

describe('terminal mode: analyze', () => {
  it('prints the DESIGN.md findings fields, and the changes on the second run', async () => {
    const first = await cli(['analyze', '-n', 'default', '-o', 'json'], { version: '1.22.8' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.equal(first.code, 0, first.stderr);
    const json = JSON.parse(first.stdout) as AnalyzeJson;
    assert.equal(json.command, 'analyze');
    assert.equal(json.cluster, 'default');
    assert.deepEqual(json.errors, []);
    assert.equal(json.findings.total, 6);
    assert.deepEqual(json.findings.byLevel, { Error: 2, Warning: 4, Info: 0 });
    assert.deepEqual(json.findings.byCode, { IST0101: 2, IST0174: 4 });
    assert.deepEqual(json.findings.items[1], { code: 'IST0101', level: 'Error', message: 'Referenced host not found: "productpage"', origin: 'VirtualService default/bookinfo' });
    assert.equal(json.changes, null);
    // The terminal never records a run (README: it reads and never changes anything), so a second run has nothing
    // to compare with either, and the cluster holds no history it wrote.
    const second = JSON.parse((await cli(['analyze', '-n', 'default', '-o', 'json'], { version: '1.22.8' }, { POD_NAMESPACE: 'mesh-bot' })).stdout) as AnalyzeJson;
    assert.equal(second.changes, null);
    assert.equal(api.get('v1', 'ConfigMap', 'mesh-bot', historyRecordName('default', 'namespace-default')), undefined);
  });

  it('compares with the history the channel recorded, and leaves it as it was', async () => {
    const store = ok(createStateStore(api.kubeConfig().makeApiClient(CoreV1Api), 'mesh-bot', 'default'));
    // What a /mesh analyze in Slack recorded yesterday: a mesh without findings.
    await compareAndRecord(store, { cluster: 'default', scope: 'namespace-default' }, [], new Date('2026-12-06T09:00:00Z'));
    const recorded = JSON.stringify(api.get('v1', 'ConfigMap', 'mesh-bot', historyRecordName('default', 'namespace-default')));
    const run = JSON.parse((await cli(['analyze', '-n', 'default', '-o', 'json'], { version: '1.22.8' }, { POD_NAMESPACE: 'mesh-bot' })).stdout) as AnalyzeJson;
    assert.deepEqual(run.changes && { new: run.changes.new.length, resolved: run.changes.resolved.length }, { new: 6, resolved: 0 });
    assert.equal(JSON.stringify(api.get('v1', 'ConfigMap', 'mesh-bot', historyRecordName('default', 'namespace-default'))), recorded, 'the channel\'s history is unchanged');
  });

  it('reads the formatter goldens (json.json, empty_json.json) of real istioctl', async () => {
    const golden = JSON.parse((await cli(['analyze', '-A', '-o', 'json'], { version: '1.28.1', scenario: 'multi-pilot' }, { POD_NAMESPACE: 'mesh-bot' })).stdout) as AnalyzeJson;
    // json.json: B1 Error (SoapBubble) and C1 Warning (GrandCastle), codes unknown to any catalogue.
    assert.deepEqual(golden.findings.byCode, { B1: 1, C1: 1 });
    assert.equal(golden.findings.items[0]?.origin, 'SoapBubble');
    const empty = JSON.parse((await cli(['analyze', '-A', '-o', 'json'], { version: '1.28.1', scenario: 'empty-mesh' }, { POD_NAMESPACE: 'mesh-bot' })).stdout) as AnalyzeJson;
    assert.equal(empty.findings.total, 0);
  });

  it('exits 1 with the reason on stderr for a namespace that does not exist, never "no validation issues"', async () => {
    const json = await cli(['analyze', '-n', 'missing-team', '-o', 'json'], { version: '1.28.1', scenario: 'empty-mesh' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.equal(json.code, 1);
    assert.deepEqual((JSON.parse(json.stdout) as AnalyzeJson).errors, ['Namespace missing-team does not exist in cluster default. Check the name with `kubectl get namespaces`.']);
    const text = await cli(['analyze', '-n', 'missing-team'], { version: '1.28.1', scenario: 'empty-mesh' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.equal(text.code, 1);
    assert.equal(text.stdout, '');
    assert.equal(text.stderr.split('\n')[0], 'mesh-bot: Namespace missing-team does not exist in cluster default. Check the name with `kubectl get namespaces`.');
  });

  it('prints a readable text summary by default', async () => {
    const run = await cli(['analyze'], { version: '1.30.1' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.match(run.stdout, /^Mesh analyze: default\/default — 2 errors, 4 warnings, 0 info/);
    assert.match(run.stdout, /Analyzed namespace default \(no -n given\)/);
    assert.match(run.stdout, /https:\/\/istio\.io\/v1\.30\/docs\/reference\/config\/analysis\/ist0174\//);
    // Every finding with its own message under its code.
    assert.match(run.stdout, /\n {2}VirtualService default\/bookinfo: Referenced host not found: "productpage"\n/);
  });
});

describe('terminal mode: proxy-config', () => {
  // Secrets per version family: [istioctl version, corpus table listing the secrets its `-o json` holds, certificate names in order].
  const SECRET_CASES: [string, string, string[]][] = [
    ['1.24.6', 'secret/v1.20-1.25_output.txt', ['default', 'ROOTCA']],
    ['1.28.1', 'secret/istio/v1.26-1.28_output.txt', ['configmap://some/thing', 'default', 'ROOTCA']],
    ['1.30.3', 'secret/istio/v1.29+_output.txt', ['configmap://some/thing', 'default', 'ROOTCA']],
  ];
  for (const [version, file, names] of SECRET_CASES) {
    it(`prints certificates[] with daysRemaining for ${file} (istioctl ${version})`, async () => {
      const run = await cli(['pc', 'secret', 'web-1.shop', '-o', 'json'], { version }, { POD_NAMESPACE: 'mesh-bot' });
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as { command: string; certificates: Certificate[] };
      assert.equal(json.command, 'proxy-config');
      assert.deepEqual(json.certificates.map((cert) => cert.name), names);
      const root = json.certificates.find((cert) => cert.name === 'ROOTCA');
      const chain = json.certificates.find((cert) => cert.name === 'default');
      assert.equal(root?.notAfter, '2033-05-02T03:41:33Z');
      assert.equal(root?.valid, true);
      assert.ok((root?.daysRemaining ?? 0) > 0);
      assert.equal(chain?.valid, false);
      assert.ok((chain?.daysRemaining ?? 0) < 0, 'expired 2023-05-16');
      // Read from the certificate itself: 32 hex digits on every version, as istioctl 1.29+ prints it (earlier tables drop the leading 0).
      assert.equal(root?.serial, '0193a543fe2b0d9cd4847675394dfc54');
    });
  }

  it('summarizes clusters, listeners, routes, bootstrap, log and all of the corpus dump', async () => {
    const json = async (type: string) => JSON.parse((await cli(['pc', type, 'waypoint-1.default', '-o', 'json'], { version: '1.28.1' }, { POD_NAMESPACE: 'mesh-bot' })).stdout) as Record<string, unknown>;
    // all/input_config_dump.json (a waypoint): 3 clusters, 2 listeners, 1 route config `inbound-vip|8000|http|httpbin.default.svc.cluster.local`.
    assert.equal(((await json('clusters'))['clusters'] as { total: number }).total, 3);
    assert.equal(((await json('listeners'))['listeners'] as { total: number }).total, 2);
    assert.equal(((await json('routes'))['routes'] as { tables: number }).tables, 1);
    assert.equal(((await json('bootstrap'))['bootstrap'] as { istioVersion: string }).istioVersion, '1.10.0');
    const log = (await json('log'))['loggers'] as { proxy: string; byLevel: Record<string, string[]> }[];
    assert.equal(log[0]?.proxy, 'waypoint-1.default');
    assert.ok(log[0]?.byLevel['warning']?.includes('admin'));
    const all = await json('all');
    assert.equal(((all['all'] as { clusters: { total: number } }).clusters).total, 3);
    assert.ok(Array.isArray(all['certificates']));
  });

  it('exits 1 with one sentence for a pod without a sidecar, and 2 for bad input', async () => {
    const run = await cli(['pc', 'clusters', 'nosidecar-cron.batch'], { version: '1.28.1' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^mesh-bot: istioctl: Could not read the Envoy configuration of nosidecar-cron\.batch: the pod has no running istio-proxy sidecar/);
    assert.equal(run.stdout, '', 'nothing was read, so nothing but the error is printed');
    const bad = await cli(['pc', 'clusters'], {}, { POD_NAMESPACE: 'mesh-bot' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /missing POD name\.\nUsage: mesh-bot proxy-config TYPE POD\[\.NAMESPACE\]/);
  });
});
