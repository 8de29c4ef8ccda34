import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { AnalyzeFinding } from '../../../src/istioctl/parsers/analyze.ts';
import { createStateStore, type StateStore } from '../../../src/kube/state-store.ts';
import { toSnapshot } from '../../../src/mesh/analyze.ts';
import { boundedNames, namesSinceLast, BASELINE_NAMES_BYTES } from '../../../src/mesh/digest/ambient.ts';
import { analyzeSection } from '../../../src/mesh/digest/analyze.ts';
import { baselineRecordName, baselineSchema, packSnapshot, readBaseline, unpackSnapshot, writeBaseline, type DigestBaseline } from '../../../src/mesh/digest/baseline.ts';
import { ok } from '../../../src/result.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../../src/sandbox/kube-api.ts';

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

describe('names kept for the next digest (pods not captured, waypoints not programmed)', () => {
  const long = (i: number) => `${'n'.repeat(60)}${String(i).padStart(3, '0')}/${'p'.repeat(240)}`;

  it('keeps a sorted prefix within its share of the ConfigMap, and still tells new from old up to its last name', () => {
    const pods = Array.from({ length: 600 }, (_, i) => long(i)).reverse();
    const kept = boundedNames(pods);
    assert.ok(Buffer.byteLength(JSON.stringify(kept)) <= BASELINE_NAMES_BYTES, `${Buffer.byteLength(JSON.stringify(kept))} bytes`);
    assert.ok(kept.length > 10 && kept.length < 600, `${kept.length} kept`);
    assert.deepEqual(kept, [...pods].sort().slice(0, kept.length));

    // The next digest: long(0) captured again, long(600) sorts last (not compared), a/new sorts first (new).
    const now = [...pods.filter((pod) => pod !== long(0)), long(600), 'a/new'];
    // Every name past the stored prefix is unknown: the 600 - kept.length old ones not stored, and long(600).
    assert.deepEqual(namesSinceLast(now, kept, 600), { added: ['a/new'], removed: [long(0)], unknown: 600 - kept.length + 1 });
  });

  it('compares every name when all fit, and nothing when the previous digest stored counts only', () => {
    assert.deepEqual(namesSinceLast(['default/sleep'], ['default/httpbin'], 1), { added: ['default/sleep'], removed: ['default/httpbin'], unknown: 0 });
    assert.equal(namesSinceLast(['default/sleep'], undefined, 1), null);
  });
});

describe('a digest baseline at 50,000 findings (ConfigMaps of the fake API server)', () => {
  let api: FakeKubeApi;
  let store: StateStore;
  before(async () => {
    api = await startFakeKubeApi();
    store = createStateStore(api.kubeConfig().makeApiClient(CoreV1Api), 'mesh-bot', 'prod');
  });
  after(() => api.close());

  /** Generated resource names (hashes) barely compress: 50,000 of them do not fit one ConfigMap even gzipped. */
  const findings: AnalyzeFinding[] = Array.from({ length: 50_000 }, (_, i) => ({
    code: i % 5 === 0 ? 'IST0101' : 'IST0104',
    level: i % 5 === 0 ? 'Error' : 'Warning',
    message: `Referenced host not found: "svc-${i % 400}.team-${i % 250}.svc.cluster.local"`,
    origin: `VirtualService team-${i % 250}/${createHash('sha256').update(`route-${i}`).digest('hex')}`,
    resource: null,
  }));
  const baselineOf = (at: string, packed: string): DigestBaseline => ({ version: 1, at, controlPlane: null, proxies: null, analyze: { at, snapshot: packed }, rootCa: null });

  it('moves on to the newest digest, keeping its most severe findings, and the next digest says what it could not compare', async () => {
    const name = baselineRecordName('prod', 'C0OPS', undefined);
    const written = await writeBaseline(store, name, baselineOf('2026-12-06T07:00:00.000Z', packSnapshot(toSnapshot(findings))));
    assert.deepEqual(written, { ok: true, value: undefined });
    const read = await readBaseline(store, name);
    assert.ok(read.ok && read.value);
    const snapshot = unpackSnapshot(read.value.analyze?.snapshot ?? '');
    assert.ok(snapshot.ok && snapshot.value.cutoff);
    const kept = snapshot.value.entries.length;
    assert.ok(kept >= 10_000 && kept < 50_000, `${kept} kept`);
    assert.ok(snapshot.value.entries.every(([, , level], index, all) => index === 0 || level >= (all[index - 1]?.[2] ?? 0)), 'most severe first');

    const next = analyzeSection(ok(findings), read.value);
    assert.ok(next.section.ok);
    assert.deepEqual([next.section.value.added.length, next.section.value.resolved.length, next.section.value.unchanged], [0, 0, kept]);
    assert.equal(next.note, `${50_000 - kept} analyze finding(s) (the least severe) were not compared: the previous digest had more findings than its baseline ConfigMap holds, and kept the most severe.`);
  });

  it('loads an ambient baseline written before the names of pods not captured and the last seen ztunnels were kept', async () => {
    const name = baselineRecordName('prod', 'C0OLD', undefined);
    const at = '2026-12-01T07:00:00.000Z';
    // Exactly what the first ambient digests stored (no notCapturedPods, no lastSeen).
    const old = { version: 1, at, controlPlane: null, proxies: null, analyze: null, rootCa: null, ambient: { at, ready: 3, desired: 3, notProgrammed: ['default/waypoint'], notCaptured: 1, earliestNotAfter: '2033-03-22T13:04:57Z' } };
    assert.ok((await store.upsert(name, old, { 'mesh-bot/kind': 'digest-baseline' })).ok);
    const read = await readBaseline(store, name);
    assert.ok(read.ok && read.value?.ambient, JSON.stringify(read));
    assert.deepEqual(read.value.ambient, old.ambient);
  });

  it('keeps every one of 50,000 findings of a mesh with ordinary names', async () => {
    const ordinary = findings.map((finding, i) => ({ ...finding, origin: `VirtualService team-${i % 250}/checkout-route-${i}` }));
    const packed = packSnapshot(toSnapshot(ordinary));
    const unpacked = unpackSnapshot(packed);
    assert.ok(unpacked.ok);
    assert.deepEqual([unpacked.value.entries.length, unpacked.value.cutoff], [50_000, undefined]);
    assert.ok((await writeBaseline(store, baselineRecordName('prod', 'C0OTHER', undefined), baselineOf('2026-12-06T07:00:00.000Z', packed))).ok);
  });
});
