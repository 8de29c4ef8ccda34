// README Digests: the verdict says what it knows. After a digest that could not read `istioctl analyze`, the next one
// cannot tell new findings from old ("Not compared with the last digest, which kept no readable analyze findings"),
// yet its verdict read "Healthy: nothing got worse since the last digest" right above that line.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { renderDigestSlack, renderDigestText } from '../../commands/digest.render.ts';
import { judgeCertificate } from '../../src/mesh/certificate-health.ts';
import { decideVerdict } from '../../src/mesh/digest/verdict.ts';
import type { Digest } from '../../src/mesh/digest/types.ts';

const AT = new Date('2025-06-03T07:00:00Z');
const ROOT = { notBefore: '2024-01-15T00:00:00.000Z', notAfter: '2034-01-15T00:00:00.000Z' };

function digestWith(compared: boolean): Digest {
  const sections = {
    controlPlane: { ok: true, value: { istiods: [{ name: 'istiod-a', ready: true, version: '1.24.2', restarts: 0, restartsSinceLast: 0, isNew: false }], ready: 1, restartsSinceLast: 0, gone: [] } },
    proxies: { ok: true, value: { total: 6, healthy: 6, stale: 0, error: 0, statesKnown: true, problems: [], previous: { total: 6, stale: 0, error: 0 } } },
    skew: { ok: true, value: { controlPlane: ['1.24.2'], mismatched: [] } },
    analyze: { ok: true, value: { total: 3, byLevel: { Error: 0, Warning: 3, Info: 0 }, compared, added: [], resolved: [], unchanged: compared ? 3 : 0 } },
    rootCa: { ok: true, value: { namespace: 'istio-system', roots: [{ subject: 'O=cluster.local', notBefore: ROOT.notBefore, notAfter: ROOT.notAfter, daysRemaining: 3000, serial: '1000', health: judgeCertificate({ role: 'ca', ...ROOT }, AT) }], rotated: false } },
    workloadCerts: { ok: true, value: { sampled: [], inScope: 0, checked: 0, problems: [], unread: [] } },
    canaries: { ok: true, value: [] },
    pending: { ok: true, value: [] },
  } satisfies Partial<Digest>;
  return { cluster: 'prod-eu', namespaces: undefined, channel: 'C0OPS', timezone: 'UTC', schedule: '0 7 * * *', firedAt: AT, baselineAt: new Date('2025-06-02T07:00:00Z'), verdict: decideVerdict(sections), ...sections, notes: [], istioctlVersion: '1.24.2' };
}

it('is "Healthy", not "nothing got worse since the last digest", when the findings could not be compared', () => {
  const uncompared = digestWith(false);
  assert.equal(uncompared.verdict.level, 'healthy');
  assert.match(renderDigestText(uncompared), /^Verdict: Healthy$/m);
  assert.doesNotMatch(JSON.stringify(renderDigestSlack(uncompared).blocks), /nothing got worse/);
  assert.match(renderDigestText(digestWith(true)), /^Verdict: Healthy: nothing got worse since the last digest$/m);
});
