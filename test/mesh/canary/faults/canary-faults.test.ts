/**
 * Issue #9's fault-injection suite, part 1: every operation of the canary state machine, run through the production
 * command and click listeners, with every fault of the model at every Kubernetes and Slack call it makes — crash
 * (the effect lands, the replica is gone), stall while the leader sweeps, 409/422/429/500/timeout/reset, and the
 * ambiguous failures where the write landed — followed by a second replica and the sweep, then I1–I5.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runMatrix, summarize } from '../../../support/faults-run.ts';
import { ALL_OPERATIONS } from './operations.ts';

const STALLED = new Set(['promote', 'approve', 'reject', 'rollback (command)', 'rollback (card button)']);

describe('fault injection: canary operations under every fault at every call (issue #9)', () => {
  let runs = 0;
  let points = 0;
  let violations = 0;
  after(() => {
    console.log(`fault suite (operations): ${points} fault points in ${ALL_OPERATIONS.length} operations, ${runs} runs, ${violations} violations`);
  });

  for (const operation of ALL_OPERATIONS) {
    it(`${operation.name} keeps I1–I5 under every fault at each of its calls`, async (t) => {
      const report = await runMatrix(operation, { stall: STALLED.has(operation.name) });
      runs += report.runs;
      points += report.faultPoints;
      violations += report.findings.length;
      t.diagnostic(`${operation.name}: ${report.faultPoints} fault points, ${report.runs} runs, ${report.findings.length} violations`);
      assert.deepEqual(summarize(report.findings), []);
    });
  }
});
