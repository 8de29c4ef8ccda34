import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
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

// The 1.27+ default SUBSCRIBED TYPES table shows no sync state: too little for a verdict (CONTRACT §1: exit 1).
const STATES_NOT_SHOWN = new Set(['v1.27-1.29/multiXdsStatusMultiPilot.txt', 'v1.27-1.29/multiXdsStatusSinglePilot.txt']);

describe('terminal mode', () => {
  for (const [file, version, total, healthy, stale, error] of CASES) {
    it(`prints the DESIGN.md status JSON for ${file}`, async () => {
      nockIstiods([{ name: 'istiod-5d8f-x1', version }]);
      const run = await cli(['status', '-o', 'json'], { version, proxyStatusFile: corpus(file) });
      assert.equal(run.code, STATES_NOT_SHOWN.has(file) ? 1 : 0, run.stderr);
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
    nock(NOCK_KUBE_URL).persist().get('/api/v1/namespaces/default').reply(200, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'default' } });
    const run = await cli(['ps', '-n', 'default'], { version: '1.24.2', scenario: 'multi-pilot' });
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Mesh status: default\/default — /);
  });

  it('exits 1 for a namespace that does not exist: the reason is the first line of stderr and stdout stays empty', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.24.2' }]);
    nock(NOCK_KUBE_URL)
      .persist()
      .get('/api/v1/namespaces/nosuchns')
      .reply(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'namespaces "nosuchns" not found', reason: 'NotFound', details: { name: 'nosuchns', kind: 'namespaces' }, code: 404 });
    const text = await cli(['status', '-n', 'nosuchns'], { version: '1.24.2', scenario: 'multi-pilot' });
    assert.equal(text.code, 1);
    assert.equal(text.stdout, '');
    assert.equal(text.stderr.split('\n')[0], 'mesh-bot: Namespace nosuchns does not exist in cluster default. Check the name with `kubectl get namespaces`.');
    const json = await cli(['status', '-n', 'nosuchns', '-o', 'json'], { version: '1.24.2', scenario: 'multi-pilot' });
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as StatusJson & { verdict: string | null };
    assert.deepEqual(parsed.errors, ['Namespace nosuchns does not exist in cluster default. Check the name with `kubectl get namespaces`.']);
    assert.deepEqual({ verdict: parsed.verdict, proxies: parsed.proxies }, { verdict: null, proxies: null });
  });

  it('says "no proxies in namespace X" for an existing empty namespace, with no green verdict', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.24.2' }]);
    nock(NOCK_KUBE_URL).persist().get('/api/v1/namespaces/quiet').reply(200, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'quiet' } });
    const run = await cli(['status', '-n', 'quiet'], { version: '1.24.2', scenario: 'multi-pilot' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Mesh status: default\/quiet — No proxies \(as of \d\d:\d\d:\d\d UTC\)\n/);
    assert.match(run.stdout, /\nProxies: no proxies in namespace quiet\n/);
    assert.doesNotMatch(run.stdout, /healthy|every proxy runs/i);
    const json = JSON.parse((await cli(['status', '-n', 'quiet', '-o', 'json'], { version: '1.24.2', scenario: 'multi-pilot' })).stdout) as StatusJson & { verdict: string };
    assert.equal(json.verdict, 'no-proxies');
  });

  it('claims nothing about proxies it could not read, puts the reason on stderr and exits 1', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.24.2' }]);
    const run = await cli(['status'], { version: '1.24.2', scenario: 'xds-unavailable' });
    assert.equal(run.code, 1, 'no verdict without the proxies');
    assert.match(run.stdout, /^Mesh status: default — Unknown/);
    assert.match(run.stdout, /\n {2}proxy versions unknown: istioctl proxy-status could not be read\n/);
    assert.doesNotMatch(run.stdout, /every proxy|matching minor|Error:/);
    assert.match(run.stderr.split('\n')[0] ?? '', /^mesh-bot: istioctl: /);
  });

  it('names the proxies that run a version no istiod runs', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.20.8' }]);
    // v1.22-1.26/multiXdsStatusMultiPilot.txt: proxy2 runs 1.19, the others 1.20.
    const run = await cli(['status'], { version: '1.24.2', scenario: 'multi-pilot' });
    assert.match(run.stdout, /\n {2}1 proxy runs 1\.19: proxy2\n/);
    assert.match(run.stdout, /\n {2}proxy3: LDS ERROR, EDS STALE \(via istiod3, istioctl cluster id cluster3\)\n/);
  });

  it('says there is no kubeconfig, and how to set one, when there is none', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mesh-bot-home-'));
    const run = await cli(['status'], { version: '1.24.2' }, { KUBECONFIG: '', HOME: home });
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr.split('\n')[0],
      `mesh-bot: there is no kubeconfig: KUBECONFIG is not set and ${join(home, '.kube', 'config')} does not exist. Set KUBECONFIG to your cluster's kubeconfig (export KUBECONFIG=/path/to/kubeconfig), or create ~/.kube/config (for example with your cloud's "get-credentials" command), then check it with \`kubectl config current-context\`.`,
    );
    const missingFile = await cli(['status'], { version: '1.24.2' }, { KUBECONFIG: join(home, 'nope.yaml'), HOME: home });
    assert.equal(missingFile.code, 2);
    assert.match(missingFile.stderr, /^mesh-bot: KUBECONFIG is set to .*nope\.yaml, but no such file exists\./);
  });

  it('answers --help, -h, COMMAND --help and --version like kubectl, and help shows what the terminal can do', async () => {
    for (const flag of ['--help', '-h']) {
      const run = await cli([flag], {});
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Usage: mesh-bot <command> \[flags\] \[-o text\|json\]\n/);
    }
    const help = await cli(['help'], {});
    assert.match(help.stdout, /it never changes anything/);
    assert.match(help.stdout, /promote and rollback print the plan after the same pre-flight and change nothing/);
    assert.match(help.stdout, /Exit codes: 0 /);
    assert.doesNotMatch(help.stdout, /channel|approval-gated|operators ask|approvers approve/i);
    const statusHelp = await cli(['status', '--help'], {});
    assert.equal(statusHelp.code, 0);
    assert.match(statusHelp.stdout, /^Usage: mesh-bot status \[-n NAMESPACE\] \[--cluster NAME\] \[-o text\|json\]\n/);
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const versionRun = await cli(['--version'], {});
    assert.equal(versionRun.stdout, `mesh-bot ${version}\n`);
    assert.equal(versionRun.code, 0);
  });

  it('exits 2 with the usage line for bad input, an unknown command or a bad -o', async () => {
    const badNamespace = await cli(['status', '-n', 'NOPE'], {});
    assert.equal(badNamespace.code, 2);
    assert.match(badNamespace.stderr, /"NOPE" is not a valid namespace name \(lower-case letters, digits and "-"\)\.\nUsage: mesh-bot status \[-n NAMESPACE\] \[--cluster NAME\] \[-o text\|json\]/);
    const unknown = await cli(['stauts'], {});
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'mesh-bot: unknown command "stauts". Did you mean `mesh-bot status`? Run `mesh-bot help` for the list of commands.\n');
    const badOutput = await cli(['status', '-o', 'yaml'], {});
    assert.equal(badOutput.code, 2);
    assert.match(badOutput.stderr, /-o must be text or json, got "yaml"/);
  });
});

describe('bin/mesh-bot.js', () => {
  const bin = fileURLToPath(new URL('../bin/mesh-bot.js', import.meta.url));
  // The system Node of this machine (and of many workstations) is older than the one mesh-bot needs.
  const oldNode = ['/usr/bin/node', '/bin/node'].map((path) => ({ path, run: spawnSync(path, ['--version'], { encoding: 'utf8' }) })).find(({ run }) => run.status === 0 && Number(/^v(\d+)/.exec(run.stdout)?.[1]) < 24);

  it('says which Node.js it needs instead of a stack trace on an older Node', { skip: oldNode ? false : 'no Node.js older than 24 on this machine' }, () => {
    const run = spawnSync(oldNode?.path ?? '', [bin, 'status'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr.split('\n')[0] ?? '', /^mesh-bot: needs Node\.js 24 or newer \(it runs its TypeScript sources directly\); this is Node\.js v\d+\.\d+\.\d+ at \S+\.$/);
    assert.match(run.stderr, /run `npx mesh-bot …`/);
    assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
  });

  it('runs the terminal mode on Node 24', () => {
    const run = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^mesh-bot \d+\.\d+\.\d+\n$/);
  });
});
