import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalyzeFinding } from '../../../src/istioctl/parsers/analyze.ts';
import { toSnapshot } from '../../../src/mesh/analyze.ts';
import { baselineRecordName, baselineSchema, packSnapshot, unpackSnapshot, type DigestBaseline } from '../../../src/mesh/digest/baseline.ts';

describe('what a digest stores for the next one', () => {
  it('keeps 10,000 findings of a large mesh well under the ConfigMap budget', () => {
    const findings: AnalyzeFinding[] = Array.from({ length: 10_000 }, (_, i) => ({
      code: `IST01${String(i % 40).padStart(2, '0')}`,
      level: i % 3 === 0 ? 'Error' : 'Warning',
      message: `The host checkout-service-${i}.payments-production.svc.cluster.local defined in the DestinationRule does not match any services in the mesh.`,
      origin: `DestinationRule payments-production-${i % 20}/checkout-service-canary-${i}`,
      resource: null,
    }));
    const at = '2025-06-02T07:00:00.000Z';
    const baseline: DigestBaseline = {
      version: 1,
      at,
      controlPlane: { at, restarts: { 'istiod-7d4f74889d-mb5dh': 3 } },
      proxies: { at, total: 50_000, stale: 12, error: 1 },
      analyze: { at, snapshot: packSnapshot(toSnapshot(findings)) },
      rootCa: { at, serials: ['1000'] },
    };
    const bytes = Buffer.byteLength(JSON.stringify(baseline));
    // The state store refuses records over 900 KiB; a third of that leaves room for much larger meshes.
    assert.ok(bytes < 300 * 1024, `baseline is ${bytes} bytes`);
    assert.ok(baselineSchema.safeParse(JSON.parse(JSON.stringify(baseline))).success);
    const unpacked = unpackSnapshot(baseline.analyze?.snapshot ?? '');
    assert.ok(unpacked.ok);
    assert.equal(unpacked.value.entries.length, 10_000);
  });

  it('refuses a hand-edited snapshot with one sentence instead of trusting it', () => {
    assert.deepEqual(unpackSnapshot('bm90IGd6aXA='), { ok: false, error: 'the stored analyze snapshot is not readable' });
  });

  it('names one record per channel, cluster and namespace scope, whatever order the namespaces are listed in', () => {
    const a = baselineRecordName('prod-eu', 'C0OPS', ['payments', 'checkout']);
    assert.equal(a, baselineRecordName('prod-eu', 'C0OPS', ['checkout', 'payments']));
    assert.notEqual(a, baselineRecordName('prod-eu', 'C0OTHER', ['checkout', 'payments']));
    assert.notEqual(a, baselineRecordName('prod-eu', 'C0OPS', undefined));
    assert.match(a, /^mesh-bot-digest-prod-eu-c0ops-checkout-payments-[0-9a-f]{10}$/);
  });
});
