// The fake istioctl's `ztunnel-config` per version: expected bytes are the corpus goldens (ambient/ztunnel-config),
// never the fake's own output; derived tables are checked against sections of the goldens.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { dispatch } from '../../src/sandbox/istioctl/command.ts';
import { rootCommand } from '../../src/sandbox/istioctl/commands.ts';
import { parseScenario } from '../../src/sandbox/istioctl/scenarios.ts';
import { parseClientVersion } from '../../src/sandbox/istioctl/version.ts';

const golden = (path: string): string => {
  const text = readFileSync(new URL(`../fixtures/istioctl/ambient/ztunnel-config/${path}`, import.meta.url), 'utf8');
  return text.endsWith('\n') ? text : `${text}\n`;
};

function run(version: string, argv: string[]) {
  return dispatch(rootCommand, argv, { version: parseClientVersion(version), scenario: parseScenario('healthy'), env: {} });
}

const ZTUNNEL = 'ztunnel-qk2pp.istio-system';
const prefixOf = (version: string) => (version.startsWith('1.22.') ? ['x', 'ztunnel-config'] : ['ztunnel-config']);

describe('fake istioctl ztunnel-config, every corpus version', () => {
  for (const version of ['1.22.8', '1.23.6']) {
    it(`${version}: workloads and certificates are the 1.22-1.23 / 1.22+ goldens byte for byte`, async () => {
      const workloads = await run(version, [...prefixOf(version), 'workload', ZTUNNEL]);
      assert.equal(workloads.exitCode, 0, workloads.stderr);
      assert.equal(workloads.stdout, golden('workloads/v1.22-1.23_workloadsummary.txt'));
      assert.equal((await run(version, [...prefixOf(version), 'workloads', '--workload-namespace', 'default'])).stdout, golden('workloads/v1.22-1.23_workloadsummary_default.txt'));
      assert.equal((await run(version, [...prefixOf(version), 'certs', ZTUNNEL])).stdout, golden('certificates/v1.22+_secretsummary.txt'));
    });
  }

  for (const version of ['1.24.6', '1.25.5', '1.26.8', '1.27.9', '1.28.10', '1.29.6', '1.30.3']) {
    it(`${version}: workloads (ADDRESS) and certificates goldens byte for byte`, async () => {
      assert.equal((await run(version, ['zc', 'workloads', ZTUNNEL])).stdout, golden('workloads/v1.24+_workloadsummary.txt'));
      assert.equal((await run(version, ['ztunnel-config', 'certificate', '--node', 'ambient-worker2'])).stdout, golden('certificates/v1.22+_secretsummary.txt'));
    });
  }

  for (const version of ['1.25.5', '1.28.10', '1.30.3']) {
    it(`${version}: policies golden byte for byte`, async () => {
      assert.equal((await run(version, ['zc', 'policies', ZTUNNEL])).stdout, golden('policies/v1.25+_policies.txt'));
    });
  }

  for (const version of ['1.28.10', '1.29.6', '1.30.3']) {
    it(`${version}: connections and all goldens byte for byte`, async () => {
      assert.equal((await run(version, ['zc', 'connections', ZTUNNEL])).stdout, golden('connections/v1.28+_connectionsummary.txt'));
      assert.equal((await run(version, ['zc', 'all', ZTUNNEL])).stdout, golden('all/v1.28+_allsummary.txt'));
    });
  }

  it('1.30+: a workload pod names its node ztunnel and filters to itself (the _workload goldens)', async () => {
    assert.equal((await run('1.30.3', ['zc', 'workload', 'productpage-v1-675fc69cf-jscn2.bookinfo'])).stdout, golden('workloads/v1.30+_workloadsummary_workload.txt'));
    assert.equal((await run('1.30.3', ['zc', 'connections', 'productpage-v1-796f87b58-97bjk', '-n', 'bookinfo'])).stdout, golden('connections/v1.30+_connectionsummary_workload.txt'));
  });

  it('before 1.30 a workload pod is refused with the writer\'s error, exit 1', async () => {
    const out = await run('1.28.10', ['zc', 'workloads', 'productpage-v1-675fc69cf-jscn2.bookinfo']);
    assert.equal(out.exitCode, 1);
    assert.equal(out.stderr, 'Error: workloads command is only supported by Ztunnel proxies: productpage-v1-675fc69cf-jscn2\n');
  });

  it('a pod and --node together are refused (validateArgs), exit 1', async () => {
    const out = await run('1.24.6', ['zc', 'workloads', ZTUNNEL, '--node', 'ambient-worker']);
    assert.equal(out.exitCode, 1);
    assert.match(out.stderr, /at most one of --file, --node, or pod name must be passed/);
  });

  it('derived before the goldens: services section of `all` (1.22 without ENDPOINTS), header-only policies and connections', async () => {
    const servicesSection = golden('all/v1.28+_allsummary.txt').split(/\n\s*\n/).map((block) => block.trim())[1] ?? '';
    assert.equal((await run('1.24.6', ['zc', 'services', ZTUNNEL])).stdout, `${servicesSection}\n`);
    const v122 = (await run('1.22.8', ['x', 'zc', 'svc', ZTUNNEL])).stdout as string;
    assert.match(v122, /^NAMESPACE +SERVICE NAME +SERVICE VIP +WAYPOINT\n/);
    assert.match(v122, /\nbookinfo +reviews +10\.96\.74\.131 +None\n/);
    assert.equal((await run('1.24.6', ['zc', 'policy', ZTUNNEL])).stdout, 'NAMESPACE POLICY NAME ACTION SCOPE\n');
    assert.equal((await run('1.25.5', ['zc', 'connections', ZTUNNEL])).stdout, 'WORKLOAD DIRECTION LOCAL REMOTE REMOTE TARGET\n');
    assert.equal((await run('1.27.9', ['zc', 'cons', ZTUNNEL])).stdout, 'WORKLOAD DIRECTION LOCAL REMOTE REMOTE TARGET PROTOCOL\n');
    const all127 = (await run('1.27.9', ['zc', 'all', ZTUNNEL])).stdout as string;
    assert.ok(all127.startsWith(`\n${golden('workloads/v1.24+_workloadsummary.txt')}\n`), 'all starts with a blank line and the workloads table');
    assert.ok(all127.endsWith(`\n${golden('certificates/v1.22+_secretsummary.txt')}`), 'and ends with the certificates, no connections');
  });

  it('exists as `x ztunnel-config` in 1.22 only and top level from 1.23; 1.20-1.21 have neither', async () => {
    assert.match((await run('1.22.8', ['ztunnel-config', 'workloads'])).stderr, /unknown command "ztunnel-config" for "istioctl"/);
    assert.match((await run('1.23.6', ['x', 'ztunnel-config', 'workloads'])).stderr, /unknown command "ztunnel-config" for "istioctl experimental"/);
    for (const version of ['1.20.8', '1.21.6']) {
      assert.equal((await run(version, ['ztunnel-config', 'workloads'])).exitCode, 64);
      assert.equal((await run(version, ['x', 'zc', 'workloads'])).exitCode, 64);
    }
  });
});
