// A mesh that sets its sidecar agents' SECRET_GRACE_PERIOD_RATIO (meshConfig.defaultConfig.proxyMetadata) rotates
// workload certificates at another share of their lifetime than Istio's half. Judged with the half, 0.2 (rotate with
// a fifth left) made every healthy certificate past 55 % of its life "rotation overdue" — a false alarm on every
// proxy — and 0.8 (rotate with four fifths left) kept a stuck certificate "healthy" for hours after its agent
// should have replaced it. `certificates.workloadGraceRatio` says which ratio the mesh uses.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { judgeCertificate } from '../../src/mesh/certificate-health.ts';
import { judgeZtunnelCertificates } from '../../src/mesh/ztunnel-config.ts';
import { selfSignedRootPem, workloadCertificatePem } from '../../src/sandbox/root-ca.ts';
import { hoursFromNow, meshBot } from '../breaker-ambient/support/harness.ts';
import { PRODUCTPAGE, terminalWorld } from '../breaker-analyze/support/sidecar.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';

const HOUR = 3_600_000;
const ISSUED = Date.parse('2026-03-01T00:00:00Z');
const dayLongCertificate = { role: 'workload' as const, notBefore: new Date(ISSUED).toISOString(), notAfter: new Date(ISSUED + 24 * HOUR).toISOString() };
const at = (hoursAfterIssue: number) => new Date(ISSUED + hoursAfterIssue * HOUR);
const thresholds = (workloadGraceRatio: number) => ({ caWarnDays: 90, caCriticalDays: 14, workloadGraceRatio });

describe('workload certificates judged with the mesh\'s grace ratio', () => {
  it('0.2: a 24-hour certificate 16 hours old is healthy (it rotates with 4.8 h left), overdue once 15 % is left', () => {
    assert.equal(judgeCertificate(dayLongCertificate, at(16), thresholds(0.2)).summary, 'healthy, rotates in about 3 h');
    const late = judgeCertificate(dayLongCertificate, at(21), thresholds(0.2));
    assert.equal(late.state, 'rotation-overdue');
    assert.equal(late.summary, 'rotation overdue by 1 h');
  });

  it('0.8: a 24-hour certificate not replaced 8 hours after issue is overdue by 3 h (it was due at 4.8 h)', () => {
    const health = judgeCertificate(dayLongCertificate, at(8), thresholds(0.8));
    assert.equal(health.level, 'attention');
    assert.equal(health.summary, 'rotation overdue by 3 h');
    assert.equal(health.rotationDueAt, new Date(ISSUED + 4.8 * HOUR).toISOString());
  });

  it('ztunnel keeps its own half-life whatever the sidecars\' ratio', () => {
    const leaf = { name: 'spiffe://cluster.local/ns/a/sa/b', type: 'Leaf', status: 'Available', valid: true, serial: '1', notBefore: dayLongCertificate.notBefore, notAfter: dayLongCertificate.notAfter };
    const judged = judgeZtunnelCertificates({ name: 'ztunnel-1', namespace: 'istio-system', node: 'n1', ready: true }, [leaf], at(16), thresholds(0.2));
    assert.equal(judged.certificates[0]?.health.summary, 'rotation overdue by 4 h');
  });
});

describe('config: certificates.workloadGraceRatio', () => {
  const load = (yaml: string) => loadConfig({ MESH_BOT_CONFIG: '/etc/mesh-bot/config.yaml' }, async () => yaml);

  it('reads a ratio between 0.15 and 1 and refuses the others, naming the setting and its bounds', async () => {
    const set = await load('certificates:\n  workloadGraceRatio: 0.25\n');
    assert.equal(set.ok && set.value.certificates.workloadGraceRatio, 0.25);
    for (const [value, bound] of [['0.1', /more than 0\.15/], ['1', /less than 1/], ['"half"', /number/]] as const) {
      const loaded = await load(`certificates:\n  workloadGraceRatio: ${value}\n`);
      assert.equal(loaded.ok, false, value);
      assert.match(loaded.ok ? '' : loaded.error.message, /certificates\.workloadGraceRatio/, value);
      assert.match(loaded.ok ? '' : loaded.error.message, bound, value);
    }
  });
});

describe('pc secret in a mesh that rotates with a fifth of the lifetime left', () => {
  const root = selfSignedRootPem({ serial: '3c03', notBefore: hoursFromNow(-24 * 30), notAfter: hoursFromNow(24 * 3650) });
  const leaf = workloadCertificatePem({ serial: '1a01', notBefore: hoursFromNow(-16), notAfter: hoursFromNow(8) }, 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage');
  const world = terminalWorld('1.24.2', [{ when: ['proxy-config', 'secret'], stdout: secretsConfigDumpJson([{ name: 'default', chain: [leaf] }, { name: 'ROOTCA', trustedCa: root }]) }]);
  const configFile = join(mkdtempSync(join(tmpdir(), 'mesh-bot-grace-')), 'config.yaml');
  writeFileSync(configFile, 'certificates:\n  workloadGraceRatio: 0.2\n');

  it('says healthy with the ratio configured, and overdue with Istio\'s default', async () => {
    const configured = await meshBot(['pc', 'secret', `${PRODUCTPAGE}.bookinfo`], { ...world().env, MESH_BOT_CONFIG: configFile });
    assert.equal(configured.code, 0, configured.stderr);
    assert.match(configured.stdout, /default \(workload certificate\): healthy, rotates in about 3 h/);
    const unconfigured = await meshBot(['pc', 'secret', `${PRODUCTPAGE}.bookinfo`], world().env);
    assert.match(unconfigured.stdout, /default \(workload certificate\): rotation overdue by 4 h/);
  });
});
