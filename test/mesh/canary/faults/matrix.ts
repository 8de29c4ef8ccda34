/**
 * Issue #9's fault-injection suite, operations part: each operation of the canary state machine, run through the
 * production command and click listeners, with every fault of the model at every Kubernetes and Slack call it
 * makes — a crash after each write (the effect landed, the replica is gone), a stall before each write while the
 * leader sweeps, 409/422/429/500/timeout/reset at every call, and the ambiguous failures where the write landed —
 * then a second replica and the sweep, then I1–I5. Split over several files so `node --test` runs them side by side.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runMatrix, summarize, type Operation, type Sample } from '../../../support/faults-run.ts';

/** Operations where a replica pausing before a write races with the leader's sweep (on either kind of route). */
const STALLED = new Set(['promote', 'approve', 'reject', 'rollback (command)', 'rollback (card button)']);

/**
 * The HTTPRoute runs share every call but the route's own with the VirtualService runs, which meet every failure
 * at every call: on an HTTPRoute, crashes, stalls and every failure at the route's calls always run, the other
 * failures at a seeded half of the other calls.
 */
export const HTTP_ROUTE_SAMPLE: Sample = { fraction: 0.5, seed: 12 };

export function describeOperations(title: string, operations: readonly Operation[], sample?: Sample): void {
  describe(`fault injection: ${title} under every fault at every call (issue #9)`, () => {
    let runs = 0;
    let points = 0;
    let violations = 0;
    after(() => console.log(`fault suite (${title}): ${points} fault points in ${operations.length} operations, ${runs} runs, ${violations} violations`));

    for (const operation of operations) {
      it(`${operation.name} keeps I1–I5 under every fault at each of its calls`, async (t) => {
        const report = await runMatrix(operation, { stall: STALLED.has(operation.name.replace(/ on an HTTPRoute$/, '')), ...(sample ? { sample } : {}) });
        runs += report.runs;
        points += report.faultPoints;
        violations += report.findings.length;
        t.diagnostic(`${operation.name}: ${report.faultPoints} fault points, ${report.runs} runs, ${report.findings.length} violations`);
        assert.deepEqual(summarize(report.findings), []);
      });
    }
  });
}
