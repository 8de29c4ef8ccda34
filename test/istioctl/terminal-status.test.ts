import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { runCli } from '../../src/cli.ts';
import { parseProxyStatus } from '../../src/istioctl/parsers/proxy-status.ts';
import { summarizeStatus } from '../../src/mesh/status.ts';
import { fakeIstioctl } from '../support/bot.ts';
import { NOCK_KUBE_URL, nockIstiods } from '../support/kube-nock.ts';

/**
 * `mesh-bot status -o json` end to end with the simulated istioctl of each proxy-status family. The first status of
 * a process starts `version` and `proxy-status --output json` together (src/istioctl/istioctl.ts); whatever ran, the
 * proxies reported must be those of the form that version is asked for (what mesh-bot printed when it waited for
 * the version first), read here by the text parser straight from the simulator's output.
 */
const SIMULATOR = fileURLToPath(new URL('../../src/sandbox/istioctl/istioctl', import.meta.url));
const SCENARIO = 'large:400';

before(async () => {
  // The terminal reads the kubeconfig KUBECONFIG names, as a shell would set it; this one points at the nock'ed API.
  const kubeconfig = join(await mkdtemp(join(tmpdir(), 'mesh-bot-kubeconfig-')), 'config');
  process.env['KUBECONFIG'] = kubeconfig;
  const cluster = { server: NOCK_KUBE_URL, 'insecure-skip-tls-verify': true };
  const context = { cluster: 'api', user: 'bot' };
  await writeFile(kubeconfig, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'api', cluster }], users: [{ name: 'bot', user: { token: 't' } }], contexts: [{ name: 'api', context }], 'current-context': 'api' }));
});
afterEach(() => nock.cleanAll());
after(() => nock.restore());

/** The proxies section as the version's own proxy-status form reports them. */
function expectedProxies(version: string, args: readonly string[]) {
  const stdout = execFileSync(process.execPath, [SIMULATOR, ...args], { env: { ...process.env, FAKE_ISTIOCTL_VERSION: version, FAKE_ISTIOCTL_SCENARIO: SCENARIO }, maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
  const report = parseProxyStatus(stdout);
  assert.ok(report.ok, `${version}: ${args.join(' ')}`);
  const summary = summarizeStatus({ report: report.value, istiods: [], gatewayPods: new Map() }).proxies;
  assert.ok(summary);
  return { total: summary.total, healthy: summary.healthy, stale: summary.stale, error: summary.error, statesKnown: summary.statesKnown, byVersion: summary.byVersion, byKind: summary.byKind, byType: summary.byType, problems: summary.problems.map((problem) => ({ name: problem.name, cluster: problem.cluster, istiod: problem.istiod, states: problem.states })), notConnected: [] };
}

const CASES = [
  { version: '1.22.8', form: ['proxy-status'], runs: ['proxy-status', 'proxy-status --output json', 'version --remote=false --output json'] },
  { version: '1.28.1', form: ['proxy-status', '--verbosity', '1'], runs: ['proxy-status --output json', 'proxy-status --verbosity 1', 'version --remote=false --output json'] },
  { version: '1.30.1', form: ['proxy-status', '--output', 'json'], runs: ['proxy-status --output json', 'version --remote=false --output json'] },
] as const;

describe('terminal status on each istioctl family', () => {
  for (const { version, form, runs } of CASES) {
    it(`${version}: prints the proxies of \`istioctl ${form.join(' ')}\`, running ${runs.length} istioctl processes`, async () => {
      nockIstiods([{ name: 'istiod-5d8f-x1', version }]);
      const istioctl = await fakeIstioctl({ version, scenario: SCENARIO });
      const out = new PassThrough();
      const errOut = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      errOut.resume();
      const code = await runCli(['status', '-o', 'json'], { ISTIOCTL: istioctl.path, KUBECONFIG: process.env['KUBECONFIG'] ?? '' }, out, errOut);
      const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { errors: string[]; proxies: Record<string, unknown> };
      assert.equal(code, 0);
      assert.deepEqual(json.errors, []);
      assert.deepEqual(json.proxies, expectedProxies(version, form));
      assert.equal(json.proxies['statesKnown'], true, 'per-type states, never the 1.27-1.29 SUBSCRIBED TYPES table');
      const ran = (await istioctl.invocations()).map((argv) => argv.join(' ')).sort();
      assert.deepEqual(ran, [...runs].sort());
    });
  }
});
