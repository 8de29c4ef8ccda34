import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ClusterConfig } from '../../src/config.ts';
import { notInstalledError } from '../../src/istioctl/errors.ts';
import { createIstioctl, withProxyStatusStarted } from '../../src/istioctl/istioctl.ts';
import type { IstioctlInvocation, IstioctlOutput, IstioctlRun } from '../../src/istioctl/runner.ts';
import { err, ok, type Result } from '../../src/result.ts';
import type { IstioctlError } from '../../src/istioctl/errors.ts';

/**
 * The first `proxyStatus` of a process runs `istioctl version` and the newest proxy-status form at the same time;
 * which runs happen, and which answer is used, per client version (src/istioctl/istioctl.ts).
 */
const CLUSTER: ClusterConfig = { name: 'prod', context: 'ctx-prod', default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };
const fixture = (path: string) => readFileSync(new URL(`../fixtures/istioctl/proxy-status/${path}`, import.meta.url), 'utf8');
const JSON_OUTPUT = fixture('v1.30+_output-json-yaml/multiXdsStatusSinglePilot.json');
const SUBSCRIBED_TABLE = fixture('v1.27-1.29/multiXdsStatusSinglePilot.txt');
const VERBOSE_TABLE = fixture('v1.27-1.29/multiXdsStatusMultiPilot_verbose.txt');
const XDS_TABLE = fixture('v1.22-1.26/multiXdsStatusSinglePilot.txt');
const NO_ISTIOD = fixture('empty-and-errors/v1.22+_no-istiod_stderr.txt');

const NEWEST = ['proxy-status', '--output', 'json'];
type Outcome = Result<IstioctlOutput, IstioctlError>;

function output(stdout: string, stderr = '', exitCode = 0, startedAt = new Date('2026-01-01T00:00:00Z')): Outcome {
  return ok({ stdout, stderr, exitCode, startedAt, finishedAt: startedAt, shared: false });
}

const versionJson = (version: string) => output(JSON.stringify({ clientVersion: { version, revision: 'x', golang_version: 'go1.X', status: 'Clean', tag: version } }));

/** What a real istioctl of that version answers to the newest form (see the comment in proxyStatus). */
function istioctlOf(version: string, overrides: Partial<Record<string, Outcome>> = {}): (args: readonly string[]) => Outcome {
  const minor = Number(version.split('.')[1]);
  return (args) => {
    const key = args.join(' ');
    if (key in overrides) return overrides[key] as Outcome;
    if (args[0] === 'version') return versionJson(version);
    if (args.includes('--output')) {
      if (minor <= 26) return output('', 'Error: unknown flag: --output\n', 64);
      return output(minor >= 30 ? JSON_OUTPUT : SUBSCRIBED_TABLE);
    }
    if (args.includes('--verbosity')) return output(VERBOSE_TABLE);
    return output(XDS_TABLE);
  };
}

/**
 * A runner stand-in recording each invocation when it starts. `version` answers only once `releaseVersion` is
 * called, so a test sees which runs started while the version was still unknown.
 */
function gatedRun(answer: (args: readonly string[]) => Outcome) {
  const calls: IstioctlInvocation<unknown>[] = [];
  let releaseVersion: () => void = () => {};
  const versionGate = new Promise<void>((resolve) => (releaseVersion = resolve));
  const run: IstioctlRun = async (invocation) => {
    calls.push(invocation);
    if (invocation.args[0] === 'version') await versionGate;
    const outcome = answer(invocation.args);
    if (!outcome.ok || invocation.stdoutReader === undefined) return outcome;
    // As the runner does: stdout goes through the invocation's reader.
    const reader = invocation.stdoutReader.open();
    reader.write(new Uint8Array(Buffer.from(outcome.value.stdout)));
    return ok({ ...outcome.value, stdout: '', stdoutRead: reader.end() });
  };
  return { run, calls, releaseVersion: () => releaseVersion() };
}

const argsOf = (calls: readonly IstioctlInvocation<unknown>[]) => calls.map((call) => call.args.join(' '));
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function firstStatus(version: string, overrides: Partial<Record<string, Outcome>> = {}, notBefore?: Date) {
  const stub = gatedRun(istioctlOf(version, overrides));
  const istioctl = createIstioctl(stub.run, { runTimeoutMs: 60_000 });
  const pending = istioctl.proxyStatus(CLUSTER, notBefore ? { notBefore } : {});
  await settle();
  const beforeVersion = argsOf(stub.calls);
  stub.releaseVersion();
  const result = await pending;
  return { result, beforeVersion, calls: stub.calls, istioctl, stub };
}

describe('the first proxy-status of a process does not wait for `istioctl version`', () => {
  it('1.30: version and the JSON form start together, and the JSON answer is used: two runs', async () => {
    const { result, beforeVersion, calls } = await firstStatus('1.30.1');
    assert.deepEqual(beforeVersion, ['proxy-status --output json', 'version --remote=false --output json']);
    assert.equal(calls.length, 2);
    assert.ok(result.ok);
    assert.equal(result.value.value.format, 'json');
    assert.deepEqual(result.value.value.proxies.map((row) => row.name).slice(0, 1), ['proxy1']);
  });

  it('dev builds (version "unknown") use the JSON answer like 1.30+', async () => {
    const { result, calls } = await firstStatus('1.30.1', { 'version --remote=false --output json': versionJson('unknown') });
    assert.equal(calls.length, 2);
    assert.equal(result.ok && result.value.value.format, 'json');
  });

  it('a dev build of 1.27-1.29 (version "unknown", --output json ignored) is asked again with --verbosity 1, so its sync states show', async () => {
    const { result, istioctl, stub } = await firstStatus('1.28.1', { 'version --remote=false --output json': versionJson('unknown') });
    assert.deepEqual(argsOf(stub.calls), ['proxy-status --output json', 'version --remote=false --output json', 'proxy-status --verbosity 1']);
    assert.ok(result.ok);
    assert.equal(result.value.value.format, 'xds-table');
    assert.notEqual(Object.keys(result.value.value.proxies[0]?.states ?? {}).length, 0, 'per-type states, not SUBSCRIBED TYPES');
    stub.calls.length = 0;
    assert.equal((await istioctl.proxyStatus(CLUSTER)).ok && 'second status answered', 'second status answered');
    assert.deepEqual(argsOf(stub.calls), ['proxy-status --output json', 'proxy-status --verbosity 1'], 'later statuses ask the same way');
  });

  it('1.22: the JSON form is refused (exit 64) and dropped; the plain table is run once the version is known', async () => {
    const { result, beforeVersion, calls } = await firstStatus('1.22.3');
    assert.deepEqual(beforeVersion, ['proxy-status --output json', 'version --remote=false --output json']);
    assert.deepEqual(argsOf(calls), ['proxy-status --output json', 'version --remote=false --output json', 'proxy-status']);
    assert.ok(result.ok, 'the refusal of --output is never the answer');
    assert.equal(result.value.value.format, 'xds-table');
  });

  it('1.28: the table printed for --output json is dropped; --verbosity 1 is run for per-type states', async () => {
    const { result, calls } = await firstStatus('1.28.1');
    assert.deepEqual(argsOf(calls), ['proxy-status --output json', 'version --remote=false --output json', 'proxy-status --verbosity 1']);
    assert.ok(result.ok);
    assert.equal(result.value.value.format, 'xds-table');
    assert.notEqual(Object.keys(result.value.value.proxies[0]?.states ?? {}).length, 0, 'per-type states, not SUBSCRIBED TYPES');
  });

  it('1.30 with no istiod: the JSON run’s error is the answer, and nothing runs a second time', async () => {
    const { result, calls } = await firstStatus('1.30.1', { 'proxy-status --output json': output('', NO_ISTIOD, 1) });
    assert.equal(calls.length, 2);
    assert.equal(result.ok ? 'ok' : result.error.kind, 'no-control-plane');
  });

  it('1.22 with no istiod: the error of the 1.22 form is the answer, not the refused flag', async () => {
    const { result, calls } = await firstStatus('1.22.3', { 'proxy-status': output('', NO_ISTIOD, 1) });
    assert.equal(calls.length, 3);
    assert.equal(result.ok ? 'ok' : result.error.kind, 'no-control-plane');
  });

  it('a failed version is the answer even when the JSON run succeeded, and the next status detects again', async () => {
    const { result, istioctl, stub } = await firstStatus('1.30.1', { 'version --remote=false --output json': err(notInstalledError('/usr/local/bin/istioctl')) });
    assert.equal(result.ok ? 'ok' : result.error.kind, 'not-installed');
    stub.calls.length = 0;
    await istioctl.proxyStatus(CLUSTER);
    assert.deepEqual(argsOf(stub.calls), ['proxy-status --output json', 'version --remote=false --output json'], 'the version is not remembered as known');
  });

  it('once the version is known, each status runs only its own form', async () => {
    for (const [version, form] of [['1.30.1', 'proxy-status --output json'], ['1.28.1', 'proxy-status --verbosity 1'], ['1.22.3', 'proxy-status']] as const) {
      const { istioctl, stub } = await firstStatus(version);
      stub.calls.length = 0;
      const second = await istioctl.proxyStatus(CLUSTER);
      assert.ok(second.ok, version);
      assert.deepEqual(argsOf(stub.calls), [form], version);
    }
  });

  it('passes the caller’s notBefore to both runs, so the runner never answers either from older data', async () => {
    const after = new Date('2026-01-01T00:05:00Z');
    const { calls } = await firstStatus('1.28.1', {}, after);
    const statusRuns = calls.filter((call) => call.args[0] === 'proxy-status');
    assert.equal(statusRuns.length, 2);
    for (const call of statusRuns) assert.equal(call.notBefore, after);
  });

  it('keeps --istioNamespace and --xds-address in the speculative run, exactly as 1.30 runs it', async () => {
    const stub = gatedRun(istioctlOf('1.30.1'));
    const pending = createIstioctl(stub.run, { runTimeoutMs: 60_000 }).proxyStatus({ ...CLUSTER, istioNamespace: 'istio-control', xdsAddress: 'istiod.example.com:15012' });
    stub.releaseVersion();
    assert.ok((await pending).ok);
    assert.deepEqual(stub.calls[0]?.args, ['proxy-status', '--istioNamespace', 'istio-control', '--xds-address', 'istiod.example.com:15012', '--output', 'json']);
    assert.equal(stub.calls[0]?.context, 'ctx-prod');
    assert.notDeepEqual(stub.calls[0]?.args, NEWEST);
  });
});

describe('a proxy-status started ahead of the command (the terminal)', () => {
  it('hands the started answer to the first call for that cluster, and runs anew for any other call', async () => {
    const stub = gatedRun(istioctlOf('1.30.1'));
    stub.releaseVersion();
    const istioctl = withProxyStatusStarted(createIstioctl(stub.run, { runTimeoutMs: 60_000 }), CLUSTER);
    const statusRuns = () => stub.calls.filter((call) => call.args[0] === 'proxy-status').length;
    assert.equal(statusRuns(), 1, 'started at once, before any call');
    assert.ok((await istioctl.proxyStatus(CLUSTER)).ok);
    assert.equal(statusRuns(), 1, 'the first call got the started run');
    await istioctl.proxyStatus(CLUSTER);
    assert.equal(statusRuns(), 2, 'a second call runs again');
  });

  it('never hands it to a call that asks for data newer than a write, nor to another cluster', async () => {
    const stub = gatedRun(istioctlOf('1.30.1'));
    stub.releaseVersion();
    const istioctl = withProxyStatusStarted(createIstioctl(stub.run, { runTimeoutMs: 60_000 }), CLUSTER);
    const notBefore = new Date('2026-01-01T00:05:00Z');
    await istioctl.proxyStatus(CLUSTER, { notBefore });
    await istioctl.proxyStatus({ ...CLUSTER, name: 'eu', context: 'ctx-eu' });
    const statusRuns = stub.calls.filter((call) => call.args[0] === 'proxy-status');
    assert.equal(statusRuns.length, 3);
    assert.equal(statusRuns[1]?.notBefore, notBefore);
    assert.equal(statusRuns[2]?.context, 'ctx-eu');
  });
});
