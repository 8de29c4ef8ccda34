import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLogLevels } from '../../../../src/istioctl/parsers/proxy-config/log.ts';
import { corpus } from './fixtures.ts';

describe('parseLogLevels', () => {
  it('reads the loggers istioctl prints after the pod header', () => {
    const result = parseLogLevels(`productpage-v1-6c886ff494-7vxhs.default:\n${corpus('log/envoy_logging_response.txt')}`);
    assert.ok(result.ok);
    assert.equal(result.value.length, 1);
    assert.equal(result.value[0]?.proxy, 'productpage-v1-6c886ff494-7vxhs.default');
    const loggers = result.value[0]?.loggers ?? {};
    assert.equal(Object.keys(loggers).length, 40);
    assert.equal(loggers.admin, 'warning');
    assert.equal(loggers.wasm, 'warning');
  });

  it('reads a bare Envoy /logging response and several pods', () => {
    const body = corpus('log/envoy_logging_response.txt');
    const bare = parseLogLevels(body);
    assert.ok(bare.ok);
    assert.equal(bare.value[0]?.proxy, '');
    const two = parseLogLevels(`a.ns:\n${body}b.ns:\n${body.replace('  rbac: warning', '  rbac: debug')}`);
    assert.ok(two.ok);
    assert.deepEqual(two.value.map((p) => [p.proxy, p.loggers.rbac]), [['a.ns', 'warning'], ['b.ns', 'debug']]);
  });

  it('refuses text that is not a logger list', () => {
    assert.equal(parseLogLevels('Error: unrecognized logging level: x').ok, false);
    assert.equal(parseLogLevels('').ok, false);
  });
});
