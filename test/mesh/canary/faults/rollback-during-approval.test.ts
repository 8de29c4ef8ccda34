// A rollback (another person, another replica) landing at each call of an approval, including the window between
// the approval's weight patch and its "applied" record: whatever the order, the cards must end up telling the
// truth about the route — no card says "Now" for weights that are not in force (I3), and no weight moves that
// neither an approved plan nor the rollback explains (I1, I5).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pool, runOnce, summarize, type Finding, type Interference, type Operation } from '../../../support/faults-run.ts';
import { approve, secondRequest } from './operations.ts';

const approvalAfterAnEarlierPromotion: Operation = { ...approve, name: 'approve 80% (50% applied before)', truth: { rollback: true, stable: 'v1' }, prefix: secondRequest };
const onHttpRoute: Operation = { ...approvalAfterAnEarlierPromotion, name: `${approvalAfterAnEarlierPromotion.name} on an HTTPRoute`, seed: { kind: 'HTTPRoute' } };

const rollbackMeanwhile: Interference = async (world, other) => {
  await world.rollback(other);
};

describe('a rollback while an approval is being applied', () => {
  for (const operation of [approvalAfterAnEarlierPromotion, onHttpRoute]) {
    it(`${operation.name}: a rollback at each of its calls leaves every card true to the route`, async (t) => {
      const clean = await runOnce(operation, null);
      assert.deepEqual(clean.violations, []);
      const results = await pool(clean.calls, 4, (call) => runOnce(operation, { kind: 'stall', at: call.n }, rollbackMeanwhile));
      const findings: Finding[] = results.flatMap((result, index) =>
        result.violations.map((violation) => ({ operation: operation.name, fault: `rollback before call ${clean.calls[index]?.n}`, site: clean.calls[index]?.site ?? '-', violation })),
      );
      t.diagnostic(`${clean.calls.length} calls, ${findings.length} violations`);
      assert.deepEqual(summarize(findings), []);
    });
  }
});
