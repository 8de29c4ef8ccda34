import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { NOCK_KUBE_URL, nockIstiods } from './support/kube-nock.ts';
import { cli } from './support/cli.ts';

const corpus = (path: string) => fileURLToPath(new URL(`./fixtures/istioctl/proxy-status/${path}`, import.meta.url));


interface StatusJson {
  command: string;
  cluster: string;
  asOf: string;
  errors: string[];
  proxies: { total: number; healthy: number; stale: number; error: number; byVersion: Record<string, number>; problems: { name: string; states: Record<string, string> }[] } | null;
  controlPlane: { istiods: { name: string; ready: boolean; version: string }[] };
}

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-kubeconfig-'));
  const kubeconfig = join(dir, 'config');
  await writeFile(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: t, cluster: {server: "${NOCK_KUBE_URL}", insecure-skip-tls-verify: true}}]\nusers: [{name: t, user: {token: test-token}}]\ncontexts: [{name: t, context: {cluster: t, user: t}}]\ncurrent-context: t\n`,
  );
  process.env['KUBECONFIG'] = kubeconfig;
});
afterEach(() => nock.cleanAll());
after(() => nock.restore());

// Expected values read from each corpus file: [file, istioctl version that prints it, total, healthy, stale, error].
const CASES: readonly [string, string, number, number, number, number][] = [
  ['v1.20-1.21_default-ps_syncz/multiStatusMultiPilot.txt', '1.21.6', 4, 1, 3, 0],
  ['v1.20-1.21_default-ps_syncz/multiStatusSinglePilot.txt', '1.21.6', 2, 0, 2, 0],
  ['v1.20-1.21_default-ps_syncz/singleStatus.txt', '1.20.8', 1, 0, 1, 0],
  ['v1.20-1.21_default-ps_syncz/singleStatusFallback.txt', '1.20.8', 1, 0, 1, 0],
  ['v1.20-1.21_x-ps_xds/multiXdsStatusMultiPilot.txt', '1.21.6', 4, 1, 3, 1],
  ['v1.20-1.21_x-ps_xds/multiXdsStatusSinglePilot.txt', '1.21.6', 2, 0, 2, 0],
  ['v1.22-1.26/multiXdsStatusMultiPilot.txt', '1.26.8', 4, 1, 3, 1],
  ['v1.22-1.26/multiXdsStatusSinglePilot.txt', '1.22.8', 2, 0, 2, 0],
  ['v1.27-1.29/multiXdsStatusMultiPilot_verbose.txt', '1.28.10', 1, 0, 1, 0],
  ['v1.27-1.29/multiXdsStatusMultiPilot.txt', '1.27.9', 4, 4, 0, 0],
  ['v1.27-1.29/multiXdsStatusSinglePilot.txt', '1.29.6', 2, 2, 0, 0],
  ['v1.30+_output-json-yaml/multiXdsStatusSinglePilot.json', '1.30.3', 1, 0, 1, 0],
  ['v1.30+_output-json-yaml/multiXdsStatusSinglePilot.yaml', '1.30.3', 1, 0, 1, 0],
  ['v1.30+_output-json-yaml/multiXdsStatusSingleNamespace.yaml', '1.30.3', 1, 0, 1, 0],
  ['empty-and-errors/v1.27.1+_no-proxies_stdout.txt', '1.27.9', 0, 0, 0, 0],
  ['empty-and-errors/v1.30+_output-json_no-proxies_stdout.txt', '1.30.3', 0, 0, 0, 0],
];

describe('terminal mode', () => {
  for (const [file, version, total, healthy, stale, error] of CASES) {
    it(`prints the DESIGN.md status JSON for ${file}`, async () => {
      nockIstiods([{ name: 'istiod-5d8f-x1', version }]);
      const run = await cli(['status', '-o', 'json'], { version, proxyStatusFile: corpus(file) });
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as StatusJson;
      assert.equal(json.command, 'status');
      assert.equal(json.cluster, 'default');
      assert.ok(!Number.isNaN(Date.parse(json.asOf)));
      assert.deepEqual(json.errors, []);
      assert.deepEqual(
        { total: json.proxies?.total, healthy: json.proxies?.healthy, stale: json.proxies?.stale, error: json.proxies?.error },
        { total, healthy, stale, error },
      );
      assert.equal(json.proxies?.problems.length, total - healthy);
      assert.deepEqual(json.controlPlane.istiods.map((pod) => [pod.name, pod.ready, pod.version]), [['istiod-5d8f-x1', true, version]]);
    });
  }

  it('maps each problem proxy to its per-type states as istioctl printed them', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.21.6' }]);
    const run = await cli(['status', '-o', 'json'], { version: '1.21.6', proxyStatusFile: corpus('v1.20-1.21_default-ps_syncz/multiStatusMultiPilot.txt') });
    const json = JSON.parse(run.stdout) as StatusJson;
    const proxy3 = json.proxies?.problems.find((problem) => problem.name === 'proxy3');
    // Row: proxy3 cluster3 STALE (Never Acknowledged) | NOT SENT | STALE (Never Acknowledged) | SYNCED | NOT SENT
    assert.deepEqual(proxy3?.states, { CDS: 'STALE', LDS: 'NOT SENT', EDS: 'STALE', RDS: 'SYNCED', ECDS: 'NOT SENT' });
  });

  it('treats the 1.27.0 "no proxies found" error as an empty mesh', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.27.0' }]);
    const run = await cli(['status', '-o', 'json'], { version: '1.27.0', scenario: 'empty-mesh' });
    const json = JSON.parse(run.stdout) as StatusJson;
    assert.equal(json.proxies?.total, 0);
    assert.deepEqual(json.errors, []);
  });

  it('reports istiod missing in errors and exits 0 when the Kubernetes API still answers', async () => {
    nockIstiods([]);
    const run = await cli(['status', '-o', 'json'], { version: '1.26.8', scenario: 'no-istiod' });
    const json = JSON.parse(run.stdout) as StatusJson & { verdict: string };
    assert.equal(run.code, 0);
    assert.equal(json.verdict, 'control-plane-down');
    assert.equal(json.proxies, null);
    assert.match(json.errors[0] ?? '', /^istioctl: .*istio-system/);
  });

  it('exits 1 when neither istioctl nor the Kubernetes API could be read', async () => {
    nock(NOCK_KUBE_URL).persist().get(/.*/).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const run = await cli(['status', '-o', 'json'], { version: '1.24.2', scenario: 'xds-unavailable' });
    assert.equal(run.code, 1);
    const json = JSON.parse(run.stdout) as StatusJson;
    assert.equal(json.errors.length, 2);
  });

  it('prints a readable text summary by default', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.24.2' }]);
    const run = await cli(['ps', '-n', 'default'], { version: '1.24.2', scenario: 'multi-pilot' });
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Mesh status: default\/default — /);
  });

  it('exits 2 with the usage line for bad input, an unknown command or a bad -o', async () => {
    const badNamespace = await cli(['status', '-n', 'NOPE'], {});
    assert.equal(badNamespace.code, 2);
    assert.match(badNamespace.stderr, /"NOPE" is not a valid namespace name \(lower-case letters, digits and "-"\)\.\nUsage: mesh-bot status \[-n NAMESPACE\] \[--cluster NAME\] \[-o text\|json\]/);
    const unknown = await cli(['stats'], {});
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "stats"/);
    const badOutput = await cli(['status', '-o', 'yaml'], {});
    assert.equal(badOutput.code, 2);
    assert.match(badOutput.stderr, /-o must be text or json, got "yaml"/);
  });
});
