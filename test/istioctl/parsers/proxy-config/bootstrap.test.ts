import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBootstrapJson, parseBootstrapShort } from '../../../../src/istioctl/parsers/proxy-config/bootstrap.ts';
import { corpus, syntheticDump } from './fixtures.ts';

const V1_10 = {
  istioVersion: '1.10.0',
  istioProxyVersion: '436f365a8007cd8a13a9f1321e7cce94bcc8883e',
  envoyVersion: '1.18.3/Clean/RELEASE/BoringSSL',
  clusterId: '',
  namespace: '',
  meshId: '',
};

describe('parseBootstrapJson', () => {
  it('reads the bootstrap -o json of every version and the config dump it came from', () => {
    for (const file of ['bootstrap/v1.20-1.25_bootstrapdump.json', 'bootstrap/v1.26+_bootstrapdump.json', 'config-dumps/configdump.json']) {
      assert.deepEqual(parseBootstrapJson(corpus(file)), { ok: true, value: V1_10 }, file);
    }
  });

  it('matches the short summary printed for the same proxy', () => {
    assert.deepEqual(parseBootstrapShort(corpus('bootstrap/versionsummary.txt')), { ok: true, value: V1_10 });
  });

  it('prints 0.0.0 for a proxy without build version, like istioctl', () => {
    const result = parseBootstrapJson(corpus('all/input_config_dump.json'));
    assert.ok(result.ok);
    assert.deepEqual(
      [result.value.istioVersion, result.value.istioProxyVersion, result.value.envoyVersion],
      ['1.21.0-1226', 'ee85c5f28702f00621aed895915fca565796b9e4', '0.0.0'],
    );
  });

  it('reads cluster, namespace and mesh id from node metadata', () => {
    assert.deepEqual(parseBootstrapJson(syntheticDump()), {
      ok: true,
      value: {
        istioVersion: '1.28.1',
        istioProxyVersion: '9a1b2c3d4e5f60718293a4b5c6d7e8f901234567',
        envoyVersion: '1.36.2/Clean/RELEASE/BoringSSL',
        clusterId: 'prod-eu',
        namespace: 'default',
        meshId: 'mesh-prod',
      },
    });
  });

  it('fails on a dump without bootstrap', () => {
    assert.equal(parseBootstrapJson(corpus('eds/input_configdump.json')).ok, false);
    assert.equal(parseBootstrapJson('{}').ok, false);
  });
});
