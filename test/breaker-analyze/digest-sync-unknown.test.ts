// BD-11: an istioctl 1.27-1.29 that reports its version as `unknown` (a custom build) gets the newest flags, ignores
// `--output` and prints its default SUBSCRIBED TYPES table (corpus proxy-status/v1.27-1.29; ERROR_STRINGS: "1.27-1.29
// accept -o but IGNORE it"), which shows no sync state. `status` answers Unknown there (README Commands: "never
// Healthy"); the digest said "Proxies: 2 connected (this istioctl shows no per-type sync states)" and Healthy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meshBot, tabwrite } from '../breaker-ambient/support/harness.ts';
import { ISTIOD } from '../mesh/digest/harness.ts';
import { secretDump, terminalWorld } from './support/sidecar.ts';

// The corpus v1.27-1.29 default table (padding 5): NAME CLUSTER ISTIOD VERSION SUBSCRIBED TYPES.
const TABLE = tabwrite(
  [
    ['NAME', 'CLUSTER', 'ISTIOD', 'VERSION', 'SUBSCRIBED TYPES'],
    ['details-v1-65cfcf56f9-4drsk.bookinfo', 'Kubernetes', ISTIOD, '1.24.2', '4 (CDS,LDS,EDS,RDS)'],
    ['productpage-v1-d5789fdfb-7pq2k.bookinfo', 'Kubernetes', ISTIOD, '1.24.2', '4 (CDS,LDS,EDS,RDS)'],
  ],
  5,
);

describe('digest over a proxy list without sync states', () => {
  const world = terminalWorld('unknown', [
    { when: ['proxy-status'], stdout: TABLE },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['proxy-config', 'secret'], stdout: secretDump({ ageHours: 4, rootNotAfterHours: 24 * 3000 }) },
  ]);

  it('agrees with status: it cannot call the proxies in sync', async () => {
    const { env } = world();
    const status = JSON.parse((await meshBot(['status', '-o', 'json'], env)).stdout) as { verdict: string };
    assert.equal(status.verdict, 'unknown');
    const digest = JSON.parse((await meshBot(['digest', '-o', 'json'], env)).stdout) as { verdict: { level: string; reasons: string[]; unavailable: string[] } };
    assert.notEqual(digest.verdict.level, 'healthy', JSON.stringify(digest.verdict));
  });
});
