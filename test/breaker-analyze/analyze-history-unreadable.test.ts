// BD-13 (part): when the stored history cannot be read (a ConfigMap holding something else), stderr says "could not
// compare with the previous run", but stdout said "First analyze of this scope: nothing to compare with yet." — it is
// not the first, and the two lines contradicted each other (PREAMBLE: errors a user sees are one clear sentence).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { historyRecordName } from '../../src/mesh/analyze-history.ts';
import { meshBot } from '../breaker-ambient/support/harness.ts';
import { analyzeJson } from '../mesh/digest/harness.ts';
import { terminalWorld } from './support/sidecar.ts';

const FINDINGS = analyzeJson([{ code: 'IST0101', level: 'Error', origin: 'VirtualService bookinfo/bookinfo', message: 'Referenced gateway not found: "bookinfo-gateway"' }]);

describe('analyze when its history ConfigMap is not readable', () => {
  const world = terminalWorld('1.24.2', [{ when: ['analyze'], stdout: FINDINGS }]);

  it('does not call the run the first one, and says why nothing is compared', async () => {
    const { kube, env } = world();
    kube.api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: historyRecordName('default', 'namespace-bookinfo'), namespace: 'mesh-bot' }, data: { 'value.json': '{hand-edited' } });
    const run = await meshBot(['analyze', '-n', 'bookinfo'], env);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /could not compare with the previous run/);
    assert.doesNotMatch(run.stdout, /First analyze/);
    assert.match(run.stdout, /Not compared with the previous run/);
  });

  // BD-13 part 2: valid JSON, but not a history mesh-bot could have written. Trusted, an index past the code table
  // gave a phantom finding "resolved" with an empty code, and "yesterday" was shown as the time of the previous run.
  const tampered: readonly [string, unknown][] = [
    ['an entry pointing past the code table', { at: '2026-12-06T09:00:00.000Z', snapshot: { version: 1, codes: ['IST0101'], origins: ['VirtualService bookinfo/bookinfo'], clusters: [], entries: [['0123456789abcdef', 5, 0, 0, -1]] } }],
    ['an entry pointing past the cluster table', { at: '2026-12-06T09:00:00.000Z', snapshot: { version: 1, codes: ['IST0101'], origins: ['VirtualService bookinfo/bookinfo'], clusters: [], entries: [['0123456789abcdef', 0, 0, 0, 3]] } }],
    ['a time that is not one', { at: 'yesterday', snapshot: { version: 1, codes: [], origins: [], clusters: [], entries: [] } }],
  ];
  for (const [label, record] of tampered) {
    it(`refuses a history with ${label}, and says nothing was compared`, async () => {
      const { kube, env } = world();
      kube.api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: historyRecordName('default', 'namespace-bookinfo'), namespace: 'mesh-bot' }, data: { 'value.json': JSON.stringify(record) } });
      const run = await meshBot(['analyze', '-n', 'bookinfo', '-o', 'json'], env);
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as { changes: unknown; errors: string[] };
      assert.equal(json.changes, null);
      assert.ok(json.errors.some((error) => error.startsWith('could not compare with the previous run')), json.errors.join('\n'));
    });
  }
});
