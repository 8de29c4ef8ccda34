// BD-15: when istioctl finds no running istiod (`Error: no running Istio pods in "istio-system"`, ERROR_STRINGS.md),
// `status` answers "control plane down"; the digest only listed the parts it could not read. README Digests: "Critical
// (no ready istiod, …)": the two commands must not disagree about the control plane.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meshBot } from '../breaker-ambient/support/harness.ts';
import { terminalWorld } from './support/sidecar.ts';

const NO_ISTIOD = { stderr: 'Error: no running Istio pods in "istio-system"\n', exit: 1 };

describe('digest when istioctl finds no istiod', () => {
  const world = terminalWorld('1.24.2', [{ when: ['proxy-status'], ...NO_ISTIOD }, { when: ['analyze'], ...NO_ISTIOD }]);

  it('is critical, as status says the control plane is down', async () => {
    const { env } = world();
    const status = JSON.parse((await meshBot(['status', '-o', 'json'], env)).stdout) as { verdict: string };
    assert.equal(status.verdict, 'control-plane-down');
    const digest = JSON.parse((await meshBot(['digest', '-o', 'json'], env)).stdout) as { verdict: { level: string; reasons: string[] } };
    assert.equal(digest.verdict.level, 'critical', digest.verdict.reasons.join(', '));
    assert.ok(digest.verdict.reasons.some((reason) => /istiod/.test(reason)), digest.verdict.reasons.join(', '));
  });
});
