// README Digests: `timezone` — "every time in the digest is shown in it, named". A certificate that is not valid yet
// (a node or CA clock ahead) or never valid was described with its raw UTC dates ("not valid until
// 2025-06-03T07:00:00Z", "NOT AFTER 2022-03-18T13:04:49Z is not after NOT BEFORE …"), the only times of a Berlin
// digest not in Berlin time; every other certificate line says how long ("expires in 3 days", "expired 2 h ago").

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderDigestSlack, renderDigestText } from '../../commands/digest.render.ts';
import { judgeCertificate } from '../../src/mesh/certificate-health.ts';
import { decideVerdict } from '../../src/mesh/digest/verdict.ts';
import type { Digest, WorkloadCertificate } from '../../src/mesh/digest/types.ts';

// 09:00:07 in Berlin, summer time.
const firedAt = new Date('2025-06-02T07:00:07Z');

function problem(name: string, notBefore: string, notAfter: string): WorkloadCertificate {
  return { proxy: 'productpage-v1-d5789fdfb-7pq2k.bookinfo', name, notBefore, notAfter, daysRemaining: null, status: 'ACTIVE', health: judgeCertificate({ role: 'workload', notBefore, notAfter }, firedAt) };
}

const sections = {
  controlPlane: { ok: false, error: 'Kubernetes API: timed out' },
  proxies: { ok: false, error: 'istioctl: timed out' },
  skew: { ok: false, error: 'proxy versions unknown' },
  analyze: { ok: false, error: 'istioctl analyze: timed out' },
  rootCa: { ok: false, error: 'timed out' },
  workloadCerts: {
    ok: true,
    value: {
      sampled: ['productpage-v1-d5789fdfb-7pq2k.bookinfo'],
      inScope: 1,
      checked: 2,
      // Issued for 24 h from tomorrow 09:00 Berlin; and one whose NOT AFTER is three days before its NOT BEFORE.
      problems: [problem('default', '2025-06-03T07:00:00Z', '2025-06-04T07:00:00Z'), problem('kubernetes://bookinfo-credential', '2025-06-08T07:00:00Z', '2025-06-05T07:00:00Z')],
      unread: [],
    },
  },
  canaries: { ok: true, value: [] },
  pending: { ok: true, value: [] },
} satisfies Partial<Digest>;
const digest: Digest = { cluster: 'prod-eu', namespaces: undefined, channel: 'C0OPS', timezone: 'Europe/Berlin', schedule: '0 9 * * 1-5', firedAt, baselineAt: null, verdict: decideVerdict(sections), ...sections, notes: [], istioctlVersion: undefined };

describe('a Berlin digest with a certificate not valid yet and one never valid', () => {
  it('shows no UTC time in their lines, and says how long until the first becomes valid', () => {
    for (const text of [renderDigestText(digest), JSON.stringify(renderDigestSlack(digest).blocks)]) {
      const lines = text.split(/\n|\\n/).filter((line) => line.includes('productpage-v1'));
      assert.equal(lines.length, 2, text);
      for (const line of lines) assert.doesNotMatch(line, /\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z/, line);
      assert.match(lines.join('\n'), /default: not valid for another 23 h/);
      assert.match(lines.join('\n'), /never valid/);
    }
  });
});
