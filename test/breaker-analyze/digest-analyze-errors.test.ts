// BD-6: the first digest of a mesh whose `istioctl analyze` reports an Error (a VirtualService bound to a Gateway that
// does not exist: its traffic goes nowhere) said "Healthy", while `mesh-bot analyze` of the same mesh shows the error
// verdict. README Digests: "Needs attention (anything below that got worse or needs a look)"; no false green.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meshBot } from '../breaker-ambient/support/harness.ts';
import { analyzeJson } from '../mesh/digest/harness.ts';
import { ONE_PROXY, secretDump, terminalWorld } from './support/sidecar.ts';

// The docs example's finding (corpus analyze/docs-examples: `Error [IST0101] (VirtualService default/bookinfo …)
// Referenced host not found: "productpage"`), as `-o json` prints it.
const FINDINGS = analyzeJson([{ code: 'IST0101', level: 'Error', origin: 'VirtualService default/bookinfo', message: 'Referenced host not found: "productpage"' }]);

describe('digest of a mesh with analyze errors', () => {
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-status'], stdout: ONE_PROXY },
    { when: ['analyze'], stdout: FINDINGS },
    { when: ['proxy-config', 'secret'], stdout: secretDump({ ageHours: 4, rootNotAfterHours: 24 * 3000 }) },
  ]);

  it('agrees with analyze: not Healthy, and says why', async () => {
    const { env } = world();
    const analyze = JSON.parse((await meshBot(['analyze', '-A', '-o', 'json'], env)).stdout) as { verdict: string };
    assert.equal(analyze.verdict, 'errors');
    const digest = JSON.parse((await meshBot(['digest', '-o', 'json'], env)).stdout) as { verdict: { level: string; reasons: string[] } };
    assert.notEqual(digest.verdict.level, 'healthy');
    assert.ok(digest.verdict.reasons.some((reason) => /analyze error/.test(reason)), digest.verdict.reasons.join(', '));
  });
});
