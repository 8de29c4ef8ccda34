import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const here = dirname(fileURLToPath(import.meta.url));
const FAKE = join(here, '..', '..', 'src', 'sandbox', 'istioctl', 'istioctl');
const NODE_BIN = join(here, '..', '..', 'node_modules', '.bin');
const fixture = (path: string) => readFileSync(join(here, '..', 'fixtures', 'istioctl', path), 'utf8');

function istioctl(args: string[], env: Record<string, string> = {}) {
  return execa(FAKE, args, { reject: false, env: { PATH: `${NODE_BIN}:${process.env['PATH'] ?? ''}`, ...env }, extendEnv: false, stripFinalNewline: false });
}

describe('fake istioctl analyze', () => {
  test('prints the formatter goldens with Fprintln’s newline and exits 0 for -o json even with Error findings', async () => {
    const r = await istioctl(['analyze', '-A', '-o', 'json'], { FAKE_ISTIOCTL_SCENARIO: 'multi-pilot' });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, `${fixture('analyze/formatter-golden/json.json')}\n`);
    const empty = await istioctl(['analyze', '-n', 'default', '--output=json'], { FAKE_ISTIOCTL_SCENARIO: 'empty-mesh' });
    assert.equal(empty.stdout, `${fixture('analyze/formatter-golden/empty_json.json')}\n`);
  });

  test('exits 79 for the default log output with findings, naming the scope and the docs version', async () => {
    const r = await istioctl(['analyze', '-n', 'default'], { FAKE_ISTIOCTL_VERSION: '1.22.8' });
    assert.equal(r.exitCode, 79);
    assert.match(r.stdout, /^Error \[IST0101\] \(Gateway default\/bookinfo-gateway\) Referenced selector not found: "istio=ingressgateway"\n/);
    assert.equal(r.stderr, 'Error: Analyzers found issues when analyzing namespace: default.\nSee https://istio.io/v1.22/docs/reference/config/analysis for more information about causes and resolutions.\n');
    const clean = await istioctl(['analyze', '-n', 'quiet']);
    assert.equal(clean.exitCode, 0);
    assert.equal(clean.stderr, '✔ No validation issues found when analyzing namespace: quiet.\n');
  });

  test('reports an unknown namespace on stderr with exit 0, and refuses bad -o and thresholds with exit 64', async () => {
    const missing = await istioctl(['analyze', '-n', 'missing-team', '-o', 'json']);
    assert.deepEqual([missing.exitCode, missing.stdout, missing.stderr], [0, '', 'namespace "missing-team" not found\n']);
    const badOutput = await istioctl(['analyze', '-o', 'xml']);
    assert.deepEqual([badOutput.exitCode, badOutput.stderr], [64, 'Error: xml not a valid option for format. See istioctl analyze --help\n']);
    const badThreshold = await istioctl(['analyze', '--failure-threshold', 'fatal']);
    assert.deepEqual([badThreshold.exitCode, badThreshold.stderr], [64, 'Error: invalid argument "fatal" for "--failure-threshold" flag: invalid level option\n']);
  });
});

describe('fake istioctl proxy-config', () => {
  test('prints the secret table of each version family byte for byte', async () => {
    for (const [version, file] of [['1.25.5', 'proxy-config/secret/v1.20-1.25_output.txt'], ['1.26.8', 'proxy-config/secret/istio/v1.26-1.28_output.txt'], ['1.29.6', 'proxy-config/secret/istio/v1.29+_output.txt']] as const) {
      const r = await istioctl(['pc', 'secret', 'web-1.shop'], { FAKE_ISTIOCTL_VERSION: version });
      assert.equal(r.stdout, fixture(file), version);
    }
  });

  test('prints the bootstrap per version, eds and all from the corpus', async () => {
    const old = await istioctl(['pc', 'bootstrap', 'web-1', '-n', 'shop', '-o', 'json'], { FAKE_ISTIOCTL_VERSION: '1.25.5' });
    assert.equal(old.stdout, `${fixture('proxy-config/bootstrap/v1.20-1.25_bootstrapdump.json')}\n`);
    const recent = await istioctl(['proxy-config', 'bootstrap', 'web-1.shop', '-o', 'json'], { FAKE_ISTIOCTL_VERSION: '1.26.8' });
    assert.equal(recent.stdout, fixture('proxy-config/bootstrap/v1.26+_bootstrapdump.json'));
    assert.equal((await istioctl(['pc', 'eds', 'web-1.shop', '-o', 'json'])).stdout, fixture('proxy-config/eds/emptyfilter_output.json'));
    assert.equal((await istioctl(['pc', 'all', 'web-1.shop', '-o', 'json'])).stdout, fixture('proxy-config/all/input_config_dump.json'));
  });

  test('answers pod problems like istioctl, by pod-name convention', async () => {
    const missing = await istioctl(['pc', 'clusters', 'missing-web.shop', '-o', 'json']);
    assert.deepEqual([missing.exitCode, missing.stderr], [1, 'Error: no pods match "missing-web"\n']);
    const nosidecar = await istioctl(['pc', 'listeners', 'nosidecar-job.batch', '-o', 'json']);
    assert.match(nosidecar.stderr, /^Error: failed to execute command on nosidecar-job\.batch sidecar: failure running port forward process: /);
    const noPod = await istioctl(['pc', 'routes']);
    assert.equal(noPod.stderr, 'Error: route requires pod name or --file parameter\n');
    const logOutput = await istioctl(['pc', 'log', 'web-1.shop', '-o', 'json']);
    assert.equal(logOutput.stderr, 'Error: --output is not applicable for this command\n');
  });
});
