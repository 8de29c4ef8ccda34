// README Digests: `schedule` is "evaluated in `timezone` (as cron: a fixed hour repeated when summer time ends fires
// once)" and "every time in the digest is shown in it, named". Berlin's autumn night is covered in
// test/schedule/scheduler.test.ts; here the other transitions: the hour skipped in spring (cron runs the job once,
// at the jump), and a 30-minute shift (Lord Howe Island) — both as cron runs them, guarded here — and the digest's own
// footer time.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { renderDigestSlack, renderDigestText } from '../../commands/digest.render.ts';
import { decideVerdict } from '../../src/mesh/digest/verdict.ts';
import type { Digest } from '../../src/mesh/digest/types.ts';
import { createStateStore, type StateStore } from '../../src/kube/state-store.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { createScheduler } from '../../src/schedule/scheduler.ts';
import { advanceUntil, FakeClock } from '../support/fake-clock.ts';
import { quietLogger } from '../support/quiet.ts';

const quiet = quietLogger();

describe('digest schedules across summer-time transitions', () => {
  let api: FakeKubeApi;
  let store: StateStore;
  before(async () => {
    api = await startFakeKubeApi();
    store = createStateStore(api.kubeConfig().makeApiClient(CoreV1Api), 'mesh-bot', 'default');
  });
  after(() => api.close());

  async function fires(id: string, schedule: string, timezone: string, from: string, until: string): Promise<string[]> {
    const clock = new FakeClock(from);
    const fired: string[] = [];
    const scheduler = createScheduler({ jobs: [{ id, schedule, timezone, run: async (at) => void fired.push(at.toISOString()) }], clock, isLeader: () => true, identity: id, store, logger: quiet, checkEveryMs: 60_000 });
    scheduler.start();
    await advanceUntil([clock], () => clock.now() >= Date.parse(until), { stepMs: 60_000, limitMs: 6 * 3_600_000 });
    await scheduler.stop();
    return fired;
  }

  it('Europe/Berlin, 29 March 2026: 02:30 does not exist; the digest fires once, at 03:00 CEST (01:00 UTC), as cron runs it', async () => {
    assert.deepEqual(await fires('spring-berlin', '30 2 * * *', 'Europe/Berlin', '2026-03-29T00:55:00Z', '2026-03-29T01:20:00Z'), ['2026-03-29T01:00:00.000Z']);
  });

  it('Australia/Lord_Howe, 5 April 2026: 01:30-01:59 happens twice (a 30-minute shift); "45 1 * * *" fires once', async () => {
    // 01:45 LHDT (UTC+11) is 14:45 UTC on the 4th; 01:45 LHST (UTC+10:30) again at 15:15 UTC.
    assert.deepEqual(await fires('fall-lord-howe', '45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T14:40:00Z', '2026-04-04T15:25:00Z'), ['2026-04-04T14:45:00.000Z']);
  });
});

describe('the times a digest shows', () => {
  // 09:00:07 in Berlin, summer time: 07:00:07 UTC.
  const firedAt = new Date('2025-06-02T07:00:07Z');
  const sections = {
    controlPlane: { ok: false, error: 'Kubernetes API: timed out' },
    proxies: { ok: false, error: 'istioctl: timed out' },
    skew: { ok: false, error: 'proxy versions unknown' },
    analyze: { ok: false, error: 'istioctl analyze: timed out' },
    rootCa: { ok: false, error: 'timed out' },
    workloadCerts: { ok: false, error: 'no proxies' },
    canaries: { ok: true, value: [] },
    pending: { ok: true, value: [] },
  } satisfies Partial<Digest>;
  const digest: Digest = { cluster: 'prod-eu', namespaces: undefined, channel: 'C0OPS', timezone: 'Europe/Berlin', schedule: '0 9 * * 1-5', firedAt, baselineAt: null, verdict: decideVerdict(sections), ...sections, notes: [], istioctlVersion: undefined };

  it('names the read time in the digest\'s zone, not in UTC', () => {
    const blocks = JSON.stringify(renderDigestSlack(digest).blocks);
    assert.match(blocks, /read at 09:00:07 Europe\/Berlin/);
    assert.doesNotMatch(blocks, /07:00:07 UTC/);
    assert.match(renderDigestText(digest), /Mon 2 Jun 2025, 09:00 Europe\/Berlin \(GMT\+2\)/);
  });
});
