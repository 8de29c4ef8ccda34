import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterConfig } from '../../src/config.ts';
import { timeoutError, type IstioctlError } from '../../src/istioctl/errors.ts';
import { analyzeTimeoutSeconds, createIstioctl, proxyConfigArgs } from '../../src/istioctl/istioctl.ts';
import type { IstioctlInvocation, IstioctlOutput, IstioctlRun } from '../../src/istioctl/runner.ts';
import { err, ok, type Result } from '../../src/result.ts';

const CLUSTER: ClusterConfig = { name: 'prod', context: 'ctx-prod', default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };
const VERSION_JSON = JSON.stringify({ clientVersion: { version: '1.26.2', revision: 'x', golang_version: 'go1.X', status: 'Clean', tag: '1.26.2' } });

function output(stdout: string, stderr = '', exitCode = 0): IstioctlOutput {
  return { stdout, stderr, exitCode, startedAt: new Date('2026-01-01T00:00:00Z'), finishedAt: new Date('2026-01-01T00:00:01Z'), shared: false };
}

/** A stand-in runner: `version` answers 1.26.2, everything else what `answer` says; calls are recorded. */
type Answer = Result<IstioctlOutput, IstioctlError>;

function stubRun(answer: (invocation: IstioctlInvocation<unknown>) => Answer | Promise<Answer>): { run: IstioctlRun; calls: IstioctlInvocation<unknown>[] } {
  const calls: IstioctlInvocation<unknown>[] = [];
  return {
    calls,
    run: async (invocation) => {
      calls.push(invocation);
      if (invocation.args[0] === 'version') return ok(output(VERSION_JSON));
      return answer(invocation);
    },
  };
}

describe('istioctl analyze', () => {
  it('passes --timeout under the runner timeout, and the runner timeout itself', async () => {
    const { run, calls } = stubRun(() => ok(output('[]\n')));
    const result = await createIstioctl(run, { runTimeoutMs: 60_000 }).analyze(CLUSTER, { kind: 'all' });
    assert.ok(result.ok);
    assert.deepEqual(calls[1], { args: ['analyze', '--all-namespaces', '--output', 'json', '--timeout', '50s'], context: 'ctx-prod', timeoutMs: 60_000, stdoutBytes: true });
    assert.equal(analyzeTimeoutSeconds(8_000), 6);
    assert.equal(analyzeTimeoutSeconds(1_000), 1);
  });

  it('reads findings from JSON even when istioctl reports Error findings (exit 0 with -o json)', async () => {
    const body = '[\n\t{\n\t\t"code": "IST0101",\n\t\t"level": "Error",\n\t\t"message": "Referenced host not found: \\"productpage\\"",\n\t\t"origin": "VirtualService default/bookinfo"\n\t}\n]\n';
    const { run } = stubRun(() => ok(output(body)));
    const result = await createIstioctl(run, { runTimeoutMs: 60_000 }).analyze(CLUSTER, { kind: 'namespace', namespace: 'default' });
    assert.ok(result.ok);
    assert.equal(result.value.value.findings[0]?.resource?.name, 'bookinfo');
    assert.equal(result.value.value.client.version, '1.26.2');
  });

  it('turns `namespace "x" not found` on stderr with exit 0 into its own error', async () => {
    const { run } = stubRun(() => ok(output('', 'namespace "shop" not found\n')));
    const result = await createIstioctl(run, { runTimeoutMs: 60_000 }).analyze(CLUSTER, { kind: 'namespace', namespace: 'shop' });
    assert.equal(result.ok ? 'ok' : result.error.kind, 'namespace-not-found');
    assert.match(result.ok ? '' : result.error.message, /^Namespace shop does not exist in this cluster\./);
  });

  it('asks to scope with -n when istioctl or the runner times out', async () => {
    const own = stubRun(() => ok(output('', '2026-01-01T00:00:00.000000Z\tinfo\tanalysis\tstarting\nError: failed to run analysis: analysis timed out after 50s\n', 1)));
    const ownResult = await createIstioctl(own.run, { runTimeoutMs: 60_000 }).analyze(CLUSTER, { kind: 'all' });
    assert.equal(ownResult.ok ? 'ok' : ownResult.error.kind, 'timeout');
    assert.match(ownResult.ok ? '' : ownResult.error.message, /within 50s.*analyze one namespace with `-n NAMESPACE`/);

    const killed = stubRun(() => err(timeoutError(60)));
    const killedResult = await createIstioctl(killed.run, { runTimeoutMs: 60_000 }).analyze(CLUSTER, { kind: 'all' });
    assert.match(killedResult.ok ? '' : killedResult.error.message, /within 60s.*analyze one namespace with `-n NAMESPACE`/);
  });
});

describe('istioctl proxy-config', () => {
  it('runs -o json where istioctl has it (secret too: only its JSON carries the intermediates), eds for endpoints, and log as text', () => {
    const request = { pod: 'web-1', namespace: 'shop' };
    assert.deepEqual(proxyConfigArgs({ ...request, type: 'clusters' }), { args: ['proxy-config', 'clusters', 'web-1.shop', '--output', 'json'], format: 'json' });
    assert.deepEqual(proxyConfigArgs({ ...request, type: 'endpoints' }), { args: ['proxy-config', 'eds', 'web-1.shop', '--output', 'json'], format: 'json' });
    assert.deepEqual(proxyConfigArgs({ ...request, type: 'secret' }), { args: ['proxy-config', 'secret', 'web-1.shop', '--output', 'json'], format: 'json' });
    assert.deepEqual(proxyConfigArgs({ ...request, type: 'secret', full: true }).args, ['proxy-config', 'secret', 'web-1.shop', '--output', 'json']);
    assert.deepEqual(proxyConfigArgs({ ...request, type: 'log' }), { args: ['proxy-config', 'log', 'web-1.shop'], format: 'text' });
  });

  it('maps pod resolution errors to one sentence each', async () => {
    const cases: [string, RegExp][] = [
      ['Error: "serviceaccount/sleep" does not refer to a pod: unsupported resource type\n', /serviceaccount\/sleep does not refer to a pod\./],
      ['Error: no pods match "web-1"\n', /No pod matches web-1\./],
      ['Error: failed to execute command on web-1.shop sidecar: failure running port forward process: lost connection\n', /web-1\.shop: the pod has no running istio-proxy sidecar/],
    ];
    for (const [stderr, expected] of cases) {
      const { run } = stubRun(() => ok(output('', stderr, 1)));
      const result = await createIstioctl(run, { runTimeoutMs: 60_000 }).proxyConfig(CLUSTER, { type: 'clusters', pod: 'web-1', namespace: 'shop' });
      assert.match(result.ok ? '' : result.error.message, expected);
    }
  });
});
