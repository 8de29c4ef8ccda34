// BD-1: a digest that could not read istioctl at all (proxies, version skew, analyze, workload certificates) must not
// call the mesh Healthy. README Digests: "the verdict names the missing sections rather than calling the mesh healthy
// over them".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meshBot } from '../breaker-ambient/support/harness.ts';
import { terminalWorld } from './support/sidecar.ts';

// ERROR_STRINGS.md: `Error: no running Istio pods in "istio-system"`, stderr, exit 1 (1.22+).
const NO_ISTIOD = { stderr: 'Error: no running Istio pods in "istio-system"\n', exit: 1 };

describe('digest when istioctl cannot be read', () => {
  const world = terminalWorld('1.24.2', [{ when: ['proxy-status'], ...NO_ISTIOD }, { when: ['analyze'], ...NO_ISTIOD }]);

  it('is not Healthy, and says which parts it could not read', async () => {
    const { env } = world();
    const text = await meshBot(['digest'], env);
    const verdict = text.stdout.split('\n').find((line) => line.startsWith('Verdict:')) ?? '';
    assert.doesNotMatch(verdict, /Healthy/, verdict);
    assert.match(verdict, /unavailable: proxy sync, version skew, analyze, workload certificates/);

    const json = await meshBot(['digest', '-o', 'json'], env);
    const parsed = JSON.parse(json.stdout) as { verdict: { level: string; unavailable: string[] } };
    assert.notEqual(parsed.verdict.level, 'healthy');
    assert.deepEqual(parsed.verdict.unavailable, ['proxy sync', 'version skew', 'analyze', 'workload certificates']);
  });
});
