// BG2-1: a digest whose proxy certificate sample could be read only in part. Four of five sampled sidecars answer
// `proxy-config secret` with istioctl's port-forward failure (ERROR_STRINGS.md: `Error: failed to execute command on
// <pod>.<ns> sidecar: failure running port forward process: …`), the fifth holds a healthy chain. README Digests: a
// part that cannot be read keeps the verdict from turning green ("at least Needs attention while any section … is
// unread"); four fifths of the sample unread is not "rotation on schedule" for the mesh. It was Healthy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meshBot, proxyStatusJson } from '../breaker-ambient/support/harness.ts';
import { ISTIOD } from '../mesh/digest/harness.ts';
import { decideVerdict } from '../../src/mesh/digest/verdict.ts';
import { ok } from '../../src/result.ts';
import { PRODUCTPAGE, secretDump, terminalWorld } from '../breaker-analyze/support/sidecar.ts';

const SYNCED = { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' };
// Sorted by name, as the digest samples them: the four `details-…` pods come first and are the unreadable ones.
const UNREADABLE = ['details-v1-a', 'details-v1-b', 'details-v1-c', 'details-v1-d'];
const PROXIES = [...UNREADABLE, PRODUCTPAGE].map((pod) => ({ id: `${pod}.bookinfo`, version: '1.24.2', types: SYNCED }));

describe('digest when most sampled proxies cannot be read', () => {
  const world = terminalWorld('1.30.3', [
    { when: ['proxy-status'], stdout: proxyStatusJson(ISTIOD, '1.30.3', PROXIES) },
    { when: ['analyze'], stdout: '[]\n' },
    ...UNREADABLE.map((pod) => ({
      when: ['proxy-config', 'secret', `${pod}.bookinfo`],
      stderr: `Error: failed to execute command on ${pod}.bookinfo sidecar: failure running port forward process: error upgrading connection: unable to upgrade connection: container not found ("istio-proxy")\n`,
      exit: 1,
    })),
    // Issued 2 h ago for 24 h: rotation on schedule; the root is valid for ten more years.
    { when: ['proxy-config', 'secret', `${PRODUCTPAGE}.bookinfo`], stdout: secretDump({ ageHours: 2, rootNotAfterHours: 24 * 3650 }) },
  ]);

  it('is not Healthy, and says the sample was read only in part', async () => {
    const { env } = world();
    const run = await meshBot(['digest', '-o', 'json'], env);
    const json = JSON.parse(run.stdout) as { verdict: { level: string; reasons: string[]; unavailable: string[] } };
    assert.notEqual(json.verdict.level, 'healthy', `reasons: ${json.verdict.reasons.join(', ')}`);
    assert.equal(json.verdict.level, 'attention');
    assert.ok(json.verdict.unavailable.some((part) => /4 of 5 sampled proxies/.test(part)), json.verdict.unavailable.join(', '));

    const text = (await meshBot(['digest'], env)).stdout;
    assert.doesNotMatch(text.split('\n')[0] ?? '', /Healthy/);
    assert.match(text, /could not read 4 sampled proxies/);
  });
});

// The same for the Ambient section's ztunnel sample: two of three sampled ztunnels answer `ztunnel-config
// certificates` with an error, the third holds nothing to worry about. The verdict is what the digest's first line
// and top-level `text` say; it was Healthy.
describe('digest verdict when most sampled ztunnels cannot be read', () => {
  it('is not Healthy, and names the unread ztunnels among the unavailable parts', () => {
    const verdict = decideVerdict({
      controlPlane: ok({ istiods: [{ name: 'istiod-1', ready: true, version: '1.30.3', restarts: 0, restartsSinceLast: null, isNew: false }], ready: 1, restartsSinceLast: null, gone: [] }),
      proxies: ok({ total: 3, healthy: 3, stale: 0, error: 0, statesKnown: true, problems: [], previous: null }),
      skew: ok({ controlPlane: ['1.30.3'], mismatched: [] }),
      analyze: ok({ total: 0, byLevel: { Error: 0, Warning: 0, Info: 0 }, compared: false, added: [], resolved: [], unchanged: 0 }),
      rootCa: ok({ namespace: 'istio-system', roots: [], rotated: null }),
      workloadCerts: ok({ sampled: [], inScope: 0, checked: 0, problems: [], unread: [] }),
      canaries: ok([]),
      pending: ok([]),
      controlPlaneMissing: false,
      ambient: ok({
        kind: 'running',
        ztunnels: { ready: 3, desired: 3 },
        certificates: ok({
          sampled: ['ztunnel-n5bg2'],
          ztunnels: 3,
          earliest: null,
          worst: null,
          notAvailable: 0,
          unread: [
            { ztunnel: 'ztunnel-xljhg', reason: 'Port-forwarding to the pod failed.' },
            { ztunnel: 'ztunnel-qk2pp', reason: 'Port-forwarding to the pod failed.' },
          ],
        }),
        waypoints: ok({ total: 0, notProgrammed: [] }),
        notCaptured: ok([]),
        optedOut: ok([]),
        captureCaveat: null,
        waypointsSinceLast: null,
        notCapturedSinceLast: null,
        previous: null,
      }),
    });
    assert.equal(verdict.level, 'attention', verdict.unavailable.join(', '));
    assert.ok(verdict.unavailable.includes('certificates of 2 of 3 sampled ztunnels'), verdict.unavailable.join(', '));
  });
});
