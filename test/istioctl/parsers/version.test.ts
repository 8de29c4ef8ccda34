import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseIstioctlVersion, toIstioMinor } from '../../../src/istioctl/parsers/version.ts';
import type { IstioctlVersionInfo } from '../../../src/istioctl/types.ts';

const corpus = (path: string): string => readFileSync(new URL(`../../fixtures/istioctl/version/${path}`, import.meta.url), 'utf8');

function mustParse(stdout: string): IstioctlVersionInfo {
  const result = parseIstioctlVersion(stdout);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value;
}

describe('parseIstioctlVersion', () => {
  it('reads the client version from --remote=false -o json', () => {
    assert.deepEqual(mustParse(corpus('json_client-only_SHAPE_from-test-regex.json')), { client: 'unknown', controlPlane: [] });
  });

  it('reads the client version from --remote=false -o yaml', () => {
    assert.deepEqual(mustParse(corpus('yaml_client-only_SHAPE_from-test-regex.yaml')), { client: 'unknown', controlPlane: [] });
  });

  it('reads a released version from the JSON shape', () => {
    const stdout = JSON.stringify(
      { clientVersion: { version: '1.28.1', revision: 'abc', golang_version: 'go1.25.1', status: 'Clean', tag: '1.28.1' } },
      null,
      2,
    );
    assert.equal(mustParse(stdout).client, '1.28.1');
  });

  it('reads the bare version printed by 1.20-1.22', () => {
    assert.deepEqual(mustParse(corpus('v1.20-1.22_short_no-control-plane_stdout.txt')), { client: 'unknown', controlPlane: [] });
    assert.equal(mustParse('1.22.0-beta.1\n').client, '1.22.0-beta.1');
  });

  it('reads `client version:` printed by 1.23+', () => {
    assert.deepEqual(mustParse(corpus('v1.23+_short_no-control-plane_stdout.txt')), { client: 'unknown', controlPlane: [] });
  });

  it('reads a single coalesced control plane version', () => {
    assert.deepEqual(mustParse(corpus('short_remote_coalesced_stdout.txt')), {
      client: 'unknown',
      controlPlane: [{ component: 'control plane', version: '1.2.0' }],
    });
  });

  it('reads one line per component when control plane versions differ', () => {
    assert.deepEqual(mustParse(corpus('short_remote_mixed-versions_stdout.txt')), {
      client: 'unknown',
      controlPlane: [
        { component: 'Pilot', version: '1.0.0' },
        { component: 'Injector', version: '1.0.1' },
        { component: 'Citadel', version: '1.2' },
      ],
    });
  });

  it('ignores the data plane line of the long form', () => {
    const info = mustParse('client version: 1.24.2\ncontrol plane version: 1.24.1\ndata plane version: 1.24.1 (12 proxies)\n');
    assert.deepEqual(info, { client: '1.24.2', controlPlane: [{ component: 'control plane', version: '1.24.1' }] });
  });

  it('fails on the error text of a rejected -o value', () => {
    const result = parseIstioctlVersion(corpus('bad-output-flag_stderr.txt'));
    assert.equal(result.ok, false);
  });

  it('fails on empty output and on JSON without clientVersion.version', () => {
    assert.equal(parseIstioctlVersion('').ok, false);
    assert.equal(parseIstioctlVersion('{"clientVersion":{}}').ok, false);
    assert.equal(parseIstioctlVersion('{"clientVersion":').ok, false);
  });
});

describe('toIstioMinor', () => {
  it('reduces release, pre-release, dev and v-prefixed versions to major.minor', () => {
    assert.deepEqual(toIstioMinor('1.28.1'), { major: 1, minor: 28 });
    assert.deepEqual(toIstioMinor('1.22.0-beta.1'), { major: 1, minor: 22 });
    assert.deepEqual(toIstioMinor('1.30-dev'), { major: 1, minor: 30 });
    assert.deepEqual(toIstioMinor('v1.24.2'), { major: 1, minor: 24 });
    assert.deepEqual(toIstioMinor('1.20'), { major: 1, minor: 20 });
  });

  it('returns null for unknown and garbage', () => {
    for (const version of ['unknown', '', '1', 'one.two', '1.x.3', 'v', '1..2', '1.2garbage']) {
      assert.equal(toIstioMinor(version), null, version);
    }
  });
});
