import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSecretJson, parseSecretTable } from '../../../../src/istioctl/parsers/proxy-config/secret.ts';
import { corpus, syntheticDump } from './fixtures.ts';

// The goldens were computed when the workload cert had already expired (VALID CERT false).
const AFTER_WORKLOAD_EXPIRY = new Date('2024-01-01T00:00:00Z');

const DEFAULT_ROW = {
  name: 'default',
  type: 'Cert Chain',
  status: 'ACTIVE',
  valid: false,
  serial: '6fbee254c22900615cb1f74e3d2f1713',
  notAfter: '2023-05-16T01:32:52Z',
  notBefore: '2023-05-15T01:30:52Z',
};
const ROOT_ROW = {
  name: 'ROOTCA',
  type: 'CA',
  status: 'ACTIVE',
  valid: true,
  notAfter: '2033-05-02T03:41:33Z',
  notBefore: '2023-05-05T03:41:33Z',
};

describe('parseSecretTable', () => {
  it('reads the 1.20-1.25 table (unpadded serial)', () => {
    const result = parseSecretTable(corpus('secret/v1.20-1.25_output.txt'));
    assert.deepEqual(result, { ok: true, value: [DEFAULT_ROW, { ...ROOT_ROW, serial: '193a543fe2b0d9cd4847675394dfc54' }] });
  });

  it('reads the WARMING row of 1.26-1.28 and the zero-padded serial of 1.29+', () => {
    const warming = { name: 'configmap://some/thing', type: '', status: 'WARMING', valid: false, serial: '', notAfter: '', notBefore: '' };
    assert.deepEqual(parseSecretTable(corpus('secret/istio/v1.26-1.28_output.txt')), {
      ok: true,
      value: [warming, DEFAULT_ROW, { ...ROOT_ROW, serial: '193a543fe2b0d9cd4847675394dfc54' }],
    });
    assert.deepEqual(parseSecretTable(corpus('secret/istio/v1.29+_output.txt')), {
      ok: true,
      value: [warming, DEFAULT_ROW, { ...ROOT_ROW, serial: '0193a543fe2b0d9cd4847675394dfc54' }],
    });
  });

  it('reads the SPIRE table with its TRUST DOMAIN column', () => {
    const result = parseSecretTable(corpus('secret/spire/v1.25+_output.txt'));
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.map((c) => [c.name, c.type, c.valid, c.serial, c.notAfter, c.trustDomain]),
      [
        ['default', 'Cert Chain', false, 'cd4902e499169b11ec171dad1668adbb', '2024-10-27T22:44:37Z', 'east.local'],
        ['ROOTCA', 'CA', true, '529cbbaf623611d057b517d4ffe341e4e8035037', '2034-10-23T13:23:05Z', 'east.local'],
        ['ROOTCA', 'CA', true, '6726e5fad145f8ca9a711f0550297ced839ee37f', '2034-10-23T13:23:05Z', 'west.local'],
      ],
    );
  });

  it('reads the secret section of the `all` summary', () => {
    const text = corpus('all/v1.29+_config_dump_summary_withheaders.txt').split('------ SECRET INFO ------')[1]?.split('------')[0] ?? '';
    const result = parseSecretTable(text);
    assert.ok(result.ok);
    assert.deepEqual(result.value.map((c) => c.name), ['default', 'ROOTCA']);
  });

  it('treats "No active or warming secrets found." as no certificates', () => {
    assert.deepEqual(parseSecretTable('No active or warming secrets found.\n'), { ok: true, value: [] });
    assert.deepEqual(parseSecretJson('No active or warming secrets found.\n', new Date()), { ok: true, value: [] });
  });
});

describe('parseSecretJson', () => {
  it('decodes the certificates of a config dump to what istioctl 1.29+ prints', () => {
    for (const file of ['secret/istio/input_config_dump.json', 'secret/v1.20-1.24_input_config_dump.json', 'all/input_config_dump.json']) {
      const result = parseSecretJson(corpus(file), AFTER_WORKLOAD_EXPIRY);
      assert.ok(result.ok, file);
      const active = result.value.filter((c) => c.status === 'ACTIVE').map(({ trustDomain: _td, ...c }) => c);
      assert.deepEqual(active, [DEFAULT_ROW, { ...ROOT_ROW, serial: '0193a543fe2b0d9cd4847675394dfc54' }], file);
    }
    const withWarming = parseSecretJson(corpus('secret/istio/input_config_dump.json'), AFTER_WORKLOAD_EXPIRY);
    assert.ok(withWarming.ok);
    assert.deepEqual(withWarming.value[0], {
      name: 'configmap://some/thing',
      type: '',
      status: 'WARMING',
      valid: false,
      serial: '',
      notAfter: '',
      notBefore: '',
    });
  });

  it('lists one root per SPIRE trust domain', () => {
    const result = parseSecretJson(corpus('secret/spire/input_config_dump.json'), new Date('2024-10-27T22:00:00Z'));
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.map((c) => [c.name, c.type, c.valid, c.serial, c.notAfter, c.notBefore, c.trustDomain]),
      [
        ['default', 'Cert Chain', true, 'cd4902e499169b11ec171dad1668adbb', '2024-10-27T22:44:37Z', '2024-10-27T21:44:27Z', 'east.local'],
        ['ROOTCA', 'CA', true, '529cbbaf623611d057b517d4ffe341e4e8035037', '2034-10-23T13:23:05Z', '2024-10-25T13:23:05Z', 'east.local'],
        ['ROOTCA', 'CA', true, '6726e5fad145f8ca9a711f0550297ced839ee37f', '2034-10-23T13:23:05Z', '2024-10-25T13:23:05Z', 'west.local'],
      ],
    );
  });

  it('reads the camelCase SecretsConfigDump that `proxy-config secret -o json` prints', () => {
    const dump = JSON.parse(corpus('secret/istio/input_config_dump.json'));
    const section = dump.configs[0];
    const camel = JSON.stringify(section)
      .replaceAll('dynamic_active_secrets', 'dynamicActiveSecrets')
      .replaceAll('dynamic_warming_secrets', 'dynamicWarmingSecrets')
      .replaceAll('tls_certificate', 'tlsCertificate')
      .replaceAll('certificate_chain', 'certificateChain')
      .replaceAll('validation_context', 'validationContext')
      .replaceAll('trusted_ca', 'trustedCa')
      .replaceAll('inline_bytes', 'inlineBytes');
    const result = parseSecretJson(camel, AFTER_WORKLOAD_EXPIRY);
    assert.ok(result.ok);
    assert.deepEqual(result.value.map((c) => [c.name, c.status, c.serial]), [
      ['configmap://some/thing', 'WARMING', ''],
      ['default', 'ACTIVE', '6fbee254c22900615cb1f74e3d2f1713'],
      ['ROOTCA', 'ACTIVE', '0193a543fe2b0d9cd4847675394dfc54'],
    ]);
  });

  it('pads short serials to 32 hex digits and judges validity at the given time', () => {
    const result = parseSecretJson(syntheticDump(), new Date('2026-11-22T00:00:00Z'));
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.map((c) => [c.name, c.status, c.type, c.valid, c.serial, c.notAfter]),
      [
        ['kubernetes://bookinfo-credential', 'WARMING', '', false, '', ''],
        ['default', 'ACTIVE', 'Cert Chain', true, '7f3e2d1c0b0a09080706050403020100', '2026-11-26T06:19:46Z'],
        ['ROOTCA', 'ACTIVE', 'CA', true, '00a1b2c3d4e5f60718293a4b5c6d7e8f', '2036-11-18T06:19:46Z'],
      ],
    );
    const beforeIssue = parseSecretJson(syntheticDump(), new Date('2026-11-01T00:00:00Z'));
    assert.ok(beforeIssue.ok);
    assert.equal(beforeIssue.value[1]?.valid, false);
  });
});
