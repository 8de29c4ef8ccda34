import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { judgeCertificate, type CertificateRole } from '../../src/mesh/certificate-health.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ISSUED = Date.parse('2026-03-01T00:00:00Z');

/** A certificate issued at ISSUED for `lifetime`, judged `age` later. */
function judge(role: CertificateRole, lifetime: number, age: number, ca?: { caWarnDays: number; caCriticalDays: number }) {
  const facts = { role, notBefore: new Date(ISSUED).toISOString(), notAfter: new Date(ISSUED + lifetime).toISOString() };
  const health = judgeCertificate(facts, new Date(ISSUED + age), ca);
  return { level: health.level, state: health.state, summary: health.summary, overdueHours: health.overdueMs === null ? null : health.overdueMs / HOUR };
}

describe('certificate health: workload certificates are judged by their rotation (Istio rotates at half the lifetime)', () => {
  // Istio's default: 24 hours, rotated when 12 hours are left; reported once less than 45 % (10.8 h) is left.
  it('a 24-hour certificate is healthy while young and until the rotation margin has passed', () => {
    assert.deepEqual(judge('workload', DAY, 1 * HOUR), { level: 'healthy', state: 'ok', summary: 'healthy, rotates in about 11 h', overdueHours: null });
    assert.deepEqual(judge('workload', DAY, 11 * HOUR), { level: 'healthy', state: 'ok', summary: 'healthy, rotates in about 1 h', overdueHours: null });
    // 13 h old: rotation was due an hour ago, still inside Istio's jitter and retry margin.
    assert.deepEqual(judge('workload', DAY, 13 * HOUR), { level: 'healthy', state: 'ok', summary: 'healthy, rotation due now', overdueHours: null });
  });

  it('a 24-hour certificate not replaced 16 hours after issue is "rotation overdue by 4 h", not expiring', () => {
    assert.deepEqual(judge('workload', DAY, 16 * HOUR), { level: 'attention', state: 'rotation-overdue', summary: 'rotation overdue by 4 h', overdueHours: 4 });
  });

  it('a 24-hour certificate with 2 hours left is critical, and an expired one too', () => {
    assert.deepEqual(judge('workload', DAY, 22 * HOUR), { level: 'critical', state: 'expiring', summary: 'expires in 2 h, rotation overdue by 10 h', overdueHours: 10 });
    assert.deepEqual(judge('workload', DAY, 27 * HOUR), { level: 'critical', state: 'expired', summary: 'expired 3 h ago', overdueHours: null });
  });

  it('a 90-day workload certificate (SECRET_TTL raised) follows the same shares: healthy at 44 days, overdue at 50, critical at 85', () => {
    assert.deepEqual(judge('workload', 90 * DAY, 10 * DAY), { level: 'healthy', state: 'ok', summary: 'healthy, rotates in about 35 days', overdueHours: null });
    assert.equal(judge('workload', 90 * DAY, 44 * DAY).level, 'healthy');
    assert.deepEqual(judge('workload', 90 * DAY, 50 * DAY), { level: 'attention', state: 'rotation-overdue', summary: 'rotation overdue by 5 days', overdueHours: 5 * 24 });
    assert.equal(judge('workload', 90 * DAY, 85 * DAY).level, 'critical');
    assert.equal(judge('workload', 90 * DAY, 91 * DAY).state, 'expired');
  });

  it('a 10-year certificate used as a workload certificate is healthy for years, not "expiring within 14 days" noise', () => {
    assert.equal(judge('workload', 3650 * DAY, 365 * DAY).level, 'healthy');
  });
});

describe('certificate health: CAs keep a days-based threshold', () => {
  it('a 10-year root is healthy for years, needs attention under 90 days and is critical under 14', () => {
    assert.deepEqual(judge('ca', 3650 * DAY, 365 * DAY), { level: 'healthy', state: 'ok', summary: 'healthy', overdueHours: null });
    assert.deepEqual(judge('ca', 3650 * DAY, 3577 * DAY), { level: 'attention', state: 'expiring', summary: 'expires in 73 days', overdueHours: null });
    assert.deepEqual(judge('ca', 3650 * DAY, 3640 * DAY), { level: 'critical', state: 'expiring', summary: 'expires in 10 days', overdueHours: null });
    assert.deepEqual(judge('ca', 3650 * DAY, 3653 * DAY), { level: 'critical', state: 'expired', summary: 'expired 3 days ago', overdueHours: null });
  });

  it('takes its thresholds from the config (certificates.caWarnDays / caCriticalDays)', () => {
    assert.equal(judge('ca', 3650 * DAY, 3577 * DAY, { caWarnDays: 30, caCriticalDays: 7 }).level, 'healthy');
    assert.equal(judge('ca', 3650 * DAY, 3630 * DAY, { caWarnDays: 30, caCriticalDays: 7 }).level, 'attention');
    assert.equal(judge('ca', 3650 * DAY, 3645 * DAY, { caWarnDays: 30, caCriticalDays: 7 }).level, 'critical');
  });

  it('a 90-day intermediate is judged by days too: 40 days left is fine only with a shorter warning', () => {
    assert.equal(judge('ca', 90 * DAY, 50 * DAY).level, 'attention');
    assert.equal(judge('ca', 90 * DAY, 50 * DAY, { caWarnDays: 30, caCriticalDays: 7 }).level, 'healthy');
  });
});

describe('certificate health: certificates Istio serves but does not rotate (gateway credentials)', () => {
  it('a 90-day certificate is healthy with 40 days left, late with 20 (cert-manager renews with 30 left) and critical with 5', () => {
    assert.equal(judge('other', 90 * DAY, 50 * DAY).level, 'healthy');
    assert.deepEqual(judge('other', 90 * DAY, 70 * DAY), { level: 'attention', state: 'expiring', summary: 'expires in 20 days, renewal is late', overdueHours: null });
    assert.equal(judge('other', 90 * DAY, 85 * DAY).level, 'critical');
  });
});

describe('certificate health: what cannot be judged', () => {
  it('a secret without a certificate (WARMING) needs attention; a certificate not yet valid too', () => {
    assert.deepEqual(
      (({ level, state }) => ({ level, state }))(judgeCertificate({ role: 'other', notBefore: '', notAfter: '' }, new Date(ISSUED))),
      { level: 'attention', state: 'missing' },
    );
    assert.equal(judge('workload', DAY, -2 * HOUR).state, 'not-yet-valid');
  });
});

describe('config: certificates', () => {
  const load = (yaml: string) => loadConfig({ MESH_BOT_CONFIG: '/etc/mesh-bot/config.yaml' }, async () => yaml);

  it('defaults to 90 and 14 days for CAs and reads other values', async () => {
    const defaults = await load('clusters: [{ name: prod }]\n');
    assert.deepEqual(defaults.ok && defaults.value.certificates, { caWarnDays: 90, caCriticalDays: 14, workloadGraceRatio: 0.5 });
    const custom = await load('certificates:\n  caWarnDays: 180\n  caCriticalDays: 30\n');
    assert.deepEqual(custom.ok && custom.value.certificates, { caWarnDays: 180, caCriticalDays: 30, workloadGraceRatio: 0.5 });
  });

  it('refuses a critical threshold above the warning one, naming the setting', async () => {
    const loaded = await load('certificates:\n  caWarnDays: 10\n  caCriticalDays: 30\n');
    assert.equal(loaded.ok, false);
    assert.match(loaded.ok ? '' : loaded.error.message, /certificates\.caCriticalDays.*caCriticalDays must not exceed caWarnDays/);
  });
});
