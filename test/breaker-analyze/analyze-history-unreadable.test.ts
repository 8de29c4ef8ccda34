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
});
