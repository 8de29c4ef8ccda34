// `pc secret` and the digest's certificate sample on a sidecar whose workload chain carries a plugged-in intermediate
// CA (Istio's `cacerts`: leaf, intermediate, root; the root is also the ROOTCA secret). istioctl's secret table shows
// only the leaf and ROOTCA, so an intermediate about to expire used to leave both green. README "Certificate health":
// CAs, plugged-in `cacerts` intermediates included, are critical under caCriticalDays (14) — in every answer.
// The certificates are real X.509 (the sandbox's DER writer); the stand-in prints `proxy-config secret -o json`.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { selfSignedRootPem, workloadCertificatePem } from '../../src/sandbox/root-ca.ts';
import { hoursFromNow, meshBot, slackBot, tabwrite, type Rule } from '../breaker-ambient/support/harness.ts';
import { blockText } from '../support/blocks.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';
import { ONE_PROXY, PRODUCTPAGE, terminalWorld } from '../breaker-analyze/support/sidecar.ts';

const POD = `${PRODUCTPAGE}.bookinfo`;
/** A key where Envoy would have put "[redacted]": none of it may reach an answer. */
const PLANTED_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_BODY = PLANTED_KEY.split('\n')[1] ?? '';

interface CertificateJson {
  name: string;
  type: string;
  valid: boolean;
  serial: string;
  daysRemaining: number | null;
  health: { level: string; state: string; role: string };
}

interface DigestJson {
  verdict: { level: string; reasons: string[] };
  certificates: { workloads: { checked: number; problems: { proxy: string; name: string; health: { level: string; state: string; role: string } }[] } };
}

/**
 * A 24-hour workload certificate issued 2 hours ago, behind it the intermediate (serial 2b02) and the root (3c03):
 * istioctl's `-o json`, and its table of the same secrets (1.20-1.25 layout, padding 5), which has no intermediate row.
 */
function pluggedInChain(intermediateNotAfterHours: number): { json: string; table: string } {
  const leafDates = { notBefore: hoursFromNow(-2), notAfter: hoursFromNow(22) };
  const rootDates = { notBefore: hoursFromNow(-24 * 365), notAfter: hoursFromNow(24 * 3650) };
  const leaf = workloadCertificatePem({ serial: '1a01', ...leafDates }, 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage');
  const intermediate = selfSignedRootPem({ serial: '2b02', notBefore: hoursFromNow(-24 * 360), notAfter: hoursFromNow(intermediateNotAfterHours) });
  const root = selfSignedRootPem({ serial: '3c03', ...rootDates });
  const json = secretsConfigDumpJson([
    { name: 'default', chain: [leaf, intermediate, root], privateKey: PLANTED_KEY },
    { name: 'ROOTCA', trustedCa: root },
  ]);
  const table = tabwrite(
    [
      ['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'],
      ['default', 'Cert Chain', 'ACTIVE', 'true', '1a01', leafDates.notAfter, leafDates.notBefore],
      ['ROOTCA', 'CA', 'ACTIVE', 'true', '3c03', rootDates.notAfter, rootDates.notBefore],
    ],
    5,
  );
  return { json, table };
}

function rulesFor(intermediateNotAfterHours: number): Rule[] {
  const secrets = pluggedInChain(intermediateNotAfterHours);
  return [
    { when: ['proxy-status'], stdout: ONE_PROXY },
    { when: ['analyze'], stdout: '[]\n' },
    // First match wins: the JSON for `-o json`, the table otherwise, as istioctl answers.
    { when: ['proxy-config', 'secret', '--output', 'json'], stdout: secrets.json },
    { when: ['proxy-config', 'secret'], stdout: secrets.table },
  ];
}

const rows = (certificates: readonly CertificateJson[]) => certificates.map((cert) => `${cert.name} ${cert.type} ${cert.serial.replace(/^0+/, '')}`).sort();

describe('pc secret and the digest when the plugged-in intermediate expires in 5 days', () => {
  const world = terminalWorld('1.24.2', rulesFor(24 * 5));

  it('pc secret -o json lists the intermediate as a critical CA row, and still exits 0', async () => {
    const run = await meshBot(['pc', 'secret', POD, '-o', 'json'], world().env);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { certificates: CertificateJson[] };
    // The root behind the intermediate is the ROOTCA secret's: judged once.
    assert.deepEqual(rows(json.certificates), ['ROOTCA CA 3c03', 'default CA 2b02', 'default Cert Chain 1a01']);
    const intermediate = json.certificates.find((cert) => cert.type === 'CA' && cert.name === 'default');
    assert.equal(intermediate?.valid, true);
    assert.equal(intermediate?.daysRemaining, 4);
    assert.deepEqual(intermediate && { level: intermediate.health.level, state: intermediate.health.state, role: intermediate.health.role }, { level: 'critical', state: 'expiring', role: 'ca' });
    assert.ok(!run.stdout.includes(KEY_BODY) && !run.stdout.includes('PRIVATE KEY'), 'no key material in the JSON');
  });

  it('pc secret in the terminal names it: CRITICAL, rotate the CA now', async () => {
    const run = await meshBot(['pc', 'secret', POD], world().env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /3 certificates: 1 critical/);
    assert.match(run.stdout, /default \(CA\): CRITICAL, expires in 4 days → rotate the CA now/);
    assert.match(run.stdout, /default \(workload certificate\): healthy/);
    assert.ok(!run.stdout.includes(KEY_BODY));
  });

  it('the digest is not green: critical, with the intermediate among the certificates needing attention', async () => {
    const json = JSON.parse((await meshBot(['digest', '-o', 'json'], world().env)).stdout) as DigestJson;
    assert.equal(json.verdict.level, 'critical', json.verdict.reasons.join(', '));
    assert.ok(json.verdict.reasons.some((reason) => /about to expire/.test(reason)), json.verdict.reasons.join(', '));
    assert.deepEqual(json.certificates.workloads.problems.map((cert) => [cert.proxy, cert.name, cert.health.role, cert.health.level]), [[POD, 'default', 'ca', 'critical']]);
    assert.equal(json.certificates.workloads.checked, 1, 'the leaf is the one certificate checked for rotation');
    const text = (await meshBot(['digest'], world().env)).stdout;
    assert.doesNotMatch(text, /rotation on schedule/);
    assert.match(text, new RegExp(`Workload certificates needing attention[^\\n]*\\n\\s*• ${POD.replaceAll('.', '\\.')} default \\(CA\\): CRITICAL, expires in 4 days → rotate the CA now`));
  });

  it('says the same in Slack: the pc secret answer and the posted digest', async () => {
    const { kube, istioctl } = world();
    const slack = await slackBot(kube, istioctl);
    try {
      await slack.bot.slash(`pc secret ${POD}`);
      const answer = await slack.bot.answer('C0OPS');
      assert.match(answer.text, /3 certificates: 1 critical/);
      const blocks = blockText(answer.blocks);
      assert.match(blocks, /^:red_circle: /m);
      assert.match(blocks, /default \(CA\): CRITICAL, expires in 4 days → rotate the CA now/);
      assert.ok(!JSON.stringify(answer).includes(KEY_BODY));
      const digest = await slack.digestNow(1);
      assert.match(digest, /about to expire/);
      assert.match(digest, /default \(CA\): CRITICAL, expires in 4 days/);
    } finally {
      await slack.bot.close();
    }
  });
});

describe('pc secret and the digest when the plugged-in intermediate expired yesterday', () => {
  const world = terminalWorld('1.24.2', rulesFor(-24));

  it('both call it critical: expired', async () => {
    const run = await meshBot(['pc', 'secret', POD, '-o', 'json'], world().env);
    assert.equal(run.code, 0, run.stderr);
    const intermediate = (JSON.parse(run.stdout) as { certificates: CertificateJson[] }).certificates.find((cert) => cert.serial.endsWith('2b02'));
    assert.deepEqual(intermediate && [intermediate.type, intermediate.valid, intermediate.health.level, intermediate.health.state], ['CA', false, 'critical', 'expired']);
    assert.match((await meshBot(['pc', 'secret', POD], world().env)).stdout, /default \(CA\): CRITICAL, expired 24 h ago → rotate the CA now/);

    const json = JSON.parse((await meshBot(['digest', '-o', 'json'], world().env)).stdout) as DigestJson;
    assert.equal(json.verdict.level, 'critical', json.verdict.reasons.join(', '));
    assert.ok(json.verdict.reasons.some((reason) => /expired/.test(reason)), json.verdict.reasons.join(', '));
    assert.match((await meshBot(['digest'], world().env)).stdout, new RegExp(`${POD.replaceAll('.', '\\.')} default \\(CA\\): CRITICAL, expired`));
  });
});
