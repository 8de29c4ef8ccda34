import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { istioNamespaceArgs, proxyStatusArgs } from '../../src/istioctl/istioctl.ts';

describe('istioctl flags per client version', () => {
  it('uses the plain table on 1.20-1.26, which reject -o and -v (exit 64)', () => {
    for (const minor of [20, 21, 22, 26]) assert.deepEqual(proxyStatusArgs({ major: 1, minor }, 'istio-system'), ['proxy-status']);
  });

  it('asks 1.27-1.29 for per-type states with --verbosity 1', () => {
    for (const minor of [27, 29]) assert.deepEqual(proxyStatusArgs({ major: 1, minor }, 'istio-system'), ['proxy-status', '--verbosity', '1']);
  });

  it('asks 1.30+ and dev builds for JSON', () => {
    assert.deepEqual(proxyStatusArgs({ major: 1, minor: 30 }, 'istio-system'), ['proxy-status', '--output', 'json']);
    assert.deepEqual(proxyStatusArgs(null, 'istio-system'), ['proxy-status', '--output', 'json']);
  });

  it('names the Istio namespace only when it is not istioctl’s default', () => {
    assert.deepEqual(istioNamespaceArgs('istio-system'), []);
    assert.deepEqual(proxyStatusArgs({ major: 1, minor: 24 }, 'istio-control'), ['proxy-status', '--istioNamespace', 'istio-control']);
  });
});
