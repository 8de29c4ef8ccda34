import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { createLeaderElector, type LeaderElector, type LeaderElectorOptions, type LeaseClient } from '../../src/kube/leader.ts';
import { createLogger } from '../../src/log.ts';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject } from '../../src/sandbox/kube-api.ts';

const NAMESPACE = 'mesh-bot';
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const YEAR_2001 = Date.UTC(2001, 0, 1);
const YEAR_2035 = Date.UTC(2035, 0, 1);

/**
 * A clock plus timers that only move when the test says so. `asleep()` resolves once the elector's loop is
 * parked in a sleep, so each `advance` runs exactly one step of the loop.
 */
interface FakeTime {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  advance(ms: number): void;
  asleep(): Promise<void>;
  readonly sleeps: number[];
}

function fakeTime(start: number): FakeTime {
  let now = start;
  const timers: { at: number; wake: () => void }[] = [];
  const sleeps: number[] = [];
  let parked: (() => void) | undefined;
  return {
    now: () => now,
    sleep(ms, signal) {
      sleeps.push(ms);
      return new Promise<void>((resolve) => {
        const timer = {
          at: now + ms,
          wake: () => {
            timers.splice(timers.indexOf(timer), 1);
            resolve();
          },
        };
        timers.push(timer);
        signal.addEventListener('abort', timer.wake, { once: true });
        parked?.();
        parked = undefined;
      });
    },
    advance(ms) {
      now += ms;
      for (const timer of [...timers]) if (timer.at <= now) timer.wake();
    },
    asleep: () => (timers.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => (parked = resolve))),
    sleeps,
  };
}

/** Two parties' calls wait for each other, so both are sent with the same state read before either lands. */
function rendezvous(parties: number): () => Promise<void> {
  let arrived = 0;
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived === parties) open();
    return opened;
  };
}

function heldBack(client: CoordinationV1Api, method: 'create' | 'replace', meet: () => Promise<void>): LeaseClient {
  return {
    readNamespacedLease: (param, options) => client.readNamespacedLease(param, options),
    createNamespacedLease: async (param, options) => {
      if (method === 'create') await meet();
      return client.createNamespacedLease(param, options);
    },
    replaceNamespacedLease: async (param, options) => {
      if (method === 'replace') await meet();
      return client.replaceNamespacedLease(param, options);
    },
  };
}

function leaseOf(holder: string, renewTime: string, leaseName: string): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: leaseName, namespace: NAMESPACE },
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: renewTime, renewTime, leaseTransitions: 0 },
  };
}

describe('leader election (coordination.k8s.io/v1 Lease)', () => {
  let api: FakeKubeApi;
  let coordination: CoordinationV1Api;
  const logLines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });

  before(async () => {
    api = await startFakeKubeApi();
    coordination = api.kubeConfig().makeApiClient(CoordinationV1Api);
  });
  after(() => api.close());

  const spec = (leaseName: string): Record<string, unknown> => {
    const stored = api.get('coordination.k8s.io/v1', 'Lease', NAMESPACE, leaseName);
    assert.ok(stored, `Lease ${leaseName} exists`);
    return stored.spec as Record<string, unknown>;
  };

  const candidate = (identity: string, leaseName: string, time: FakeTime, extra: Partial<LeaderElectorOptions> = {}): LeaderElector =>
    createLeaderElector({ coordination, namespace: NAMESPACE, leaseName, identity, logger, now: time.now, monotonic: time.now, sleep: time.sleep, random: () => 0, ...extra });

  it('lets the first candidate create the lease and lead', async () => {
    const time = fakeTime(YEAR_2035);
    const a = candidate('pod-a-1x2y', 'first', time);
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(a.isLeader(), true);
    const stored = spec('first');
    assert.equal(stored.holderIdentity, 'pod-a-1x2y');
    assert.equal(stored.leaseDurationSeconds, 15);
    assert.equal(stored.leaseTransitions, 0);
    assert.equal(stored.acquireTime, '2035-01-01T00:00:00.000000Z');
    assert.equal(stored.renewTime, '2035-01-01T00:00:00.000000Z');
  });

  it('renews with a single write when nobody else touched the lease', async () => {
    const time = fakeTime(YEAR_2035);
    const a = candidate('pod-a', 'fast-renew', time);
    assert.equal(await a.tryAcquireOrRenew(), true);
    const before = api.requests.length;
    time.advance(2000);
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.deepEqual(api.requests.slice(before).map((request) => request.method), ['PUT']);
    assert.equal(spec('fast-renew').renewTime, '2035-01-01T00:00:02.000000Z');
    assert.equal(spec('fast-renew').acquireTime, '2035-01-01T00:00:00.000000Z');
  });

  it('keeps a second candidate out while the holder renews, and lets it in leaseDuration after it last saw a change, with clocks 34 years apart', async () => {
    const timeA = fakeTime(YEAR_2001);
    const timeB = fakeTime(YEAR_2035);
    const a = candidate('pod-a', 'skewed', timeA);
    const b = candidate('pod-b', 'skewed', timeB);
    assert.equal(await a.tryAcquireOrRenew(), true);
    // A renews every 10 s with a renewTime that reads 34 years old on B's clock; B tries every 2 s.
    let lastChangeSeenByB = 0;
    for (let step = 1; step <= 15; step += 1) {
      timeA.advance(2000);
      timeB.advance(2000);
      if (step % 5 === 0) assert.equal(await a.tryAcquireOrRenew(), true);
      assert.equal(await b.tryAcquireOrRenew(), false, `B must not lead while A renews (step ${step})`);
      if (step % 5 === 0) lastChangeSeenByB = timeB.now();
    }
    // A is killed: it stops renewing and does not release.
    let tookOverAt = 0;
    for (let step = 1; step <= 10 && tookOverAt === 0; step += 1) {
      timeB.advance(2000);
      if (await b.tryAcquireOrRenew()) tookOverAt = timeB.now();
    }
    assert.equal(tookOverAt - lastChangeSeenByB, 16_000, 'the first 2-second step at or past 15 s');
    assert.equal(spec('skewed').holderIdentity, 'pod-b');
    assert.equal(spec('skewed').leaseTransitions, 1);
    timeA.advance(2000);
    assert.equal(await a.tryAcquireOrRenew(), false);
    assert.equal(a.isLeader(), false);
  });

  for (const [when, renewTime] of [
    ['far in the past', '2001-01-01T00:00:00.000000Z'],
    ['far in the future', '2099-01-01T00:00:00.000000Z'],
  ] as const) {
    it(`judges a dead holder expired by the local clock only, when its renewTime is ${when}`, async () => {
      const leaseName = `dead-holder-${when.split(' ').pop() ?? ''}`;
      api.put(leaseOf('pod-gone', renewTime, leaseName));
      const time = fakeTime(YEAR_2035);
      const b = candidate('pod-b', leaseName, time);
      assert.equal(await b.tryAcquireOrRenew(), false);
      time.advance(14_999);
      assert.equal(await b.tryAcquireOrRenew(), false);
      time.advance(1);
      assert.equal(await b.tryAcquireOrRenew(), true);
      assert.equal(spec(leaseName).holderIdentity, 'pod-b');
      assert.equal(spec(leaseName).leaseTransitions, 1);
    });
  }

  it('counts a lease as seen when the read answered, so a slow read does not let a candidate take over early', async () => {
    api.put(leaseOf('pod-slow-read', '2035-01-01T00:00:00.000000Z', 'slow-read'));
    const time = fakeTime(YEAR_2035);
    let slow = true;
    const slowFirstRead: LeaseClient = {
      readNamespacedLease: async (param, options) => {
        const lease = await coordination.readNamespacedLease(param, options);
        if (slow) time.advance(10_000);
        slow = false;
        return lease;
      },
      createNamespacedLease: (param, options) => coordination.createNamespacedLease(param, options),
      replaceNamespacedLease: (param, options) => coordination.replaceNamespacedLease(param, options),
    };
    const b = candidate('pod-b', 'slow-read', time, { coordination: slowFirstRead });
    assert.equal(await b.tryAcquireOrRenew(), false, 'first sight of the holder, after a 10 s read');
    time.advance(5_000);
    assert.equal(await b.tryAcquireOrRenew(), false, '15 s after the question, but only 5 s after the answer');
    time.advance(10_000);
    assert.equal(await b.tryAcquireOrRenew(), true, '15 s after the answer');
  });

  it('judges expiry on the monotonic clock: a wall-clock step neither expires a lease nor keeps a lapsed leader leading', async () => {
    api.put(leaseOf('pod-steady', '2035-01-01T00:00:00.000000Z', 'clock-step'));
    const wall = fakeTime(YEAR_2035);
    const steady = fakeTime(0);
    const b = candidate('pod-b', 'clock-step', wall, { monotonic: steady.now, sleep: steady.sleep });
    assert.equal(await b.tryAcquireOrRenew(), false);
    wall.advance(3_600_000);
    steady.advance(1_000);
    assert.equal(await b.tryAcquireOrRenew(), false, 'an hour on the wall clock is one second here');
    steady.advance(14_000);
    assert.equal(await b.tryAcquireOrRenew(), true);
    assert.equal(spec('clock-step').renewTime, '2035-01-01T01:00:00.000000Z', 'the Lease still carries wall-clock times');
    wall.advance(-7_200_000);
    steady.advance(10_000);
    assert.equal(b.isLeader(), false, 'a wall clock stepped back does not stretch the renew deadline');
  });

  it('hands over at once when the holder releases on stop', async () => {
    const timeA = fakeTime(YEAR_2035);
    const timeB = fakeTime(YEAR_2035 + 123_456);
    const seenByB: string[] = [];
    const a = candidate('pod-a', 'handover', timeA);
    const b = candidate('pod-b', 'handover', timeB, { onNewLeader: (identity) => seenByB.push(identity) });
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(await b.tryAcquireOrRenew(), false);
    await a.stop();
    assert.equal(a.isLeader(), false);
    assert.equal(spec('handover').holderIdentity, '');
    assert.equal(spec('handover').leaseDurationSeconds, 1);
    assert.equal(spec('handover').leaseTransitions, 0);
    assert.equal(await b.tryAcquireOrRenew(), true, 'no waiting for the lease duration');
    assert.equal(spec('handover').holderIdentity, 'pod-b');
    assert.equal(spec('handover').leaseTransitions, 1);
    assert.deepEqual(seenByB, ['pod-a', 'pod-b']);
  });

  it('lets exactly one of two candidates racing to create the lease win; the other gets 409', async () => {
    const meet = rendezvous(2);
    const time = fakeTime(YEAR_2035);
    const a = candidate('pod-a', 'create-race', time, { coordination: heldBack(coordination, 'create', meet) });
    const b = candidate('pod-b', 'create-race', time, { coordination: heldBack(coordination, 'create', meet) });
    const warnsBefore = logLines.filter((line) => line.level === 'warn').length;
    const results = await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(spec('create-race').holderIdentity, results[0] ? 'pod-a' : 'pod-b');
    assert.ok(logLines.some((line) => line.level === 'debug' && line.lease === 'mesh-bot/create-race' && /wrote the lease first/.test(String(line.msg))));
    assert.equal(logLines.filter((line) => line.level === 'warn').length, warnsBefore, 'losing a race is not a warning');
  });

  it('lets exactly one of two candidates racing to take over an expired lease win; the other gets 409', async () => {
    api.put(leaseOf('pod-gone', '2035-01-01T00:00:00.000000Z', 'update-race'));
    const meet = rendezvous(2);
    const time = fakeTime(YEAR_2035);
    const a = candidate('pod-a', 'update-race', time, { coordination: heldBack(coordination, 'replace', meet) });
    const b = candidate('pod-b', 'update-race', time, { coordination: heldBack(coordination, 'replace', meet) });
    assert.deepEqual(await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]), [false, false]);
    time.advance(15_000);
    const results = await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
    assert.equal(results.filter(Boolean).length, 1);
    const puts = api.requests.filter((request) => request.method === 'PUT' && request.path.endsWith('/leases/update-race'));
    assert.equal(puts.length, 2, 'both wrote from the same resourceVersion');
    assert.equal(spec('update-race').holderIdentity, results[0] ? 'pod-a' : 'pod-b');
    assert.equal(spec('update-race').leaseTransitions, 1);
    assert.equal([a, b].filter((elector) => elector.isLeader()).length, 1);
  });

  it('writes acquireTime and renewTime with exactly six fractional digits on create, renew, takeover and release', async () => {
    const time = fakeTime(Date.UTC(2035, 5, 1, 12, 30, 45, 678));
    const a = candidate('pod-a', 'micro', time);
    const b = candidate('pod-b', 'micro', time);
    const before = api.requests.length;
    assert.equal(await a.tryAcquireOrRenew(), true);
    time.advance(2001);
    assert.equal(await a.tryAcquireOrRenew(), true);
    await a.stop();
    assert.equal(await b.tryAcquireOrRenew(), true);
    const writes = api.requests.slice(before).filter((request) => ['POST', 'PUT'].includes(request.method));
    assert.deepEqual(writes.map((request) => request.method), ['POST', 'PUT', 'PUT', 'PUT']);
    for (const write of writes) {
      const written = (write.body as { spec: Record<string, unknown> }).spec;
      assert.match(String(written.acquireTime), MICRO_TIME);
      assert.match(String(written.renewTime), MICRO_TIME);
    }
    assert.equal(spec('micro').renewTime, '2035-06-01T12:30:47.679000Z');
  });

  it('turns isLeader false once the renew deadline passes without a renewal', async () => {
    const time = fakeTime(YEAR_2035);
    const a = candidate('pod-a', 'deadline-flag', time);
    assert.equal(await a.tryAcquireOrRenew(), true);
    time.advance(9_999);
    assert.equal(a.isLeader(), true);
    time.advance(1);
    assert.equal(a.isLeader(), false, 'work checked against isLeader() stops before another replica can take over');
  });

  it('keeps running through a 500 from the API, retrying with jitter, then leads', async () => {
    api.failNext({ method: 'GET', pathPattern: /\/leases\/flaky$/, status: 500 });
    const time = fakeTime(YEAR_2035);
    const events: string[] = [];
    const a = candidate('pod-a', 'flaky', time, {
      random: () => 0.5,
      onStartedLeading: () => events.push('started'),
      onStoppedLeading: () => events.push('stopped'),
    });
    const running = a.run();
    await time.asleep();
    assert.equal(a.isLeader(), false);
    assert.deepEqual(time.sleeps, [2000 * (1 + 0.5 * 1.2)]);
    const warning = logLines.find((line) => line.level === 'warn' && line.lease === 'mesh-bot/flaky');
    assert.match(String(warning?.msg), /failed to read Lease mesh-bot\/flaky \(500 /);
    time.advance(3200);
    await time.asleep();
    assert.equal(a.isLeader(), true);
    assert.deepEqual(events, ['started']);
    assert.ok(logLines.some((line) => line.msg === 'started leading' && line.leader === 'pod-a' && line.lease === 'mesh-bot/flaky'));
    await a.stop();
    await running;
    assert.deepEqual(events, ['started', 'stopped']);
    assert.equal(spec('flaky').holderIdentity, '');
  });

  it('steps down and calls onStoppedLeading when renewals fail for the renew deadline, without releasing', async () => {
    const time = fakeTime(YEAR_2035);
    const events: string[] = [];
    const a = candidate('pod-a', 'unrenewable', time, {
      onStartedLeading: () => events.push(`started@${time.now() - YEAR_2035}`),
      onStoppedLeading: () => events.push(`stopped@${time.now() - YEAR_2035}`),
    });
    const running = a.run();
    await time.asleep();
    assert.deepEqual(events, ['started@0']);
    api.failNext({ pathPattern: /\/leases\/unrenewable$/, status: 503, times: 50 });
    for (let step = 1; step <= 4; step += 1) {
      time.advance(2000);
      await time.asleep();
    }
    assert.deepEqual(events, ['started@0'], 'still within the renew deadline at 8 s');
    assert.equal(a.isLeader(), true);
    time.advance(2000);
    await time.asleep();
    assert.deepEqual(events, ['started@0', 'stopped@10000']);
    assert.equal(a.isLeader(), false);
    assert.ok(logLines.some((line) => line.msg === 'stopped leading' && line.lease === 'mesh-bot/unrenewable'));
    assert.equal(spec('unrenewable').holderIdentity, 'pod-a', 'the lease is left to expire, not released');
    await a.stop();
    await running;
    assert.deepEqual(events, ['started@0', 'stopped@10000'], 'no second onStoppedLeading on stop');
  });

  it('steps down at once when the lease shows another holder, and leaves that holder alone on stop', async () => {
    const time = fakeTime(YEAR_2035);
    const events: string[] = [];
    const a = candidate('pod-a', 'seized', time, {
      onStartedLeading: () => events.push('started'),
      onStoppedLeading: () => events.push('stopped'),
      onNewLeader: (identity) => events.push(`leader ${identity}`),
    });
    const running = a.run();
    await time.asleep();
    api.put(leaseOf('pod-intruder', '2035-01-01T00:00:01.000000Z', 'seized'));
    time.advance(2000);
    await time.asleep();
    assert.deepEqual(events, ['leader pod-a', 'started', 'leader pod-intruder', 'stopped']);
    assert.equal(a.isLeader(), false);
    await a.stop();
    await running;
    assert.equal(spec('seized').holderIdentity, 'pod-intruder');
  });

  it('refuses timings that break LeaseDuration > RenewDeadline > 1.2 × RetryPeriod', () => {
    const time = fakeTime(YEAR_2035);
    assert.throws(() => candidate('pod-a', 'bad', time, { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), /leaseDurationMs \(10000\) must be greater than renewDeadlineMs \(10000\)/);
    assert.throws(() => candidate('pod-a', 'bad', time, { renewDeadlineMs: 2400, retryPeriodMs: 2000 }), /renewDeadlineMs \(2400\) must be greater than 1\.2 × retryPeriodMs \(2000\)/);
    assert.throws(() => candidate('pod-a', 'bad', time, { leaseDurationMs: 15_500 }), /whole number of seconds/);
    assert.doesNotThrow(() => candidate('pod-a', 'bad', time, { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 2000 }));
  });
});
