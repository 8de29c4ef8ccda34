// BD-7: istioctl prints some lists in Go map order, which changes from run to run for the same problem: IST0116's
// services come from `for protocol := range protMap` (istio pkg/config/analysis/analyzers/deployment/services.go), so
// `[reviews-http reviews-tcp]` one run is `[reviews-tcp reviews-http]` the next. README analyze history: "a list of
// pods its order ... are ignored ... So a rollout that replaces pods reports nothing new and nothing resolved"; the
// same unchanged problem must not be "1 new, 1 resolved" every other run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meshBot } from '../breaker-ambient/support/harness.ts';
import { analyzeJson } from '../mesh/digest/harness.ts';
import { recordAsTheChannel, terminalWorld } from './support/sidecar.ts';

// messages.yaml IST0116 (every release): `This deployment %s is associated with multiple services using port %d but
// different protocols: %v`, args deployment string, port int32, services []string (Go %v of a slice: `[a b]`).
function run(services: readonly string[]): string {
  return analyzeJson([
    {
      code: 'IST0116',
      level: 'Warning',
      origin: 'Deployment bookinfo/reviews-v1',
      message: `This deployment reviews-v1 is associated with multiple services using port 9080 but different protocols: [${services.join(' ')}]`,
    },
  ]);
}

interface Changes {
  changes: { new: unknown[]; resolved: unknown[]; unchanged: number } | null;
}

describe('analyze history across runs that print a list in another order', () => {
  const world = terminalWorld('1.24.2', [{ when: ['analyze'], stdout: run(['reviews-http', 'reviews-tcp']) }]);

  it('reports nothing new and nothing resolved', async () => {
    const { env } = world();
    await recordAsTheChannel(world(), 'bookinfo', run(['reviews-http', 'reviews-tcp']));
    await world().istioctl.answer([{ when: ['analyze'], stdout: run(['reviews-tcp', 'reviews-http']) }]);
    const second = JSON.parse((await meshBot(['analyze', '-n', 'bookinfo', '-o', 'json'], env)).stdout) as Changes;
    assert.deepEqual(second.changes && { new: second.changes.new.length, resolved: second.changes.resolved.length, unchanged: second.changes.unchanged }, { new: 0, resolved: 0, unchanged: 1 });
    const text = await meshBot(['analyze', '-n', 'bookinfo'], env);
    assert.match(text.stdout, /Since the previous run \([^)]*\): 0 new, 0 resolved/);
  });
});
