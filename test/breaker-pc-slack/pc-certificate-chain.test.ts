// `proxy-config all` on a proxy whose workload chain carries a plugged-in intermediate CA (Istio's `cacerts`:
// leaf + intermediate, the root in ROOTCA). README "Certificate health": CAs — "the root in istio-ca-root-cert,
// plugged-in `cacerts` intermediates" — need attention under caWarnDays and are critical under caCriticalDays.
// The certificates are real X.509 built with the sandbox's DER writer (dates are what matters here).

import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { selfSignedRootPem, workloadCertificatePem } from '../../src/sandbox/root-ca.ts';
import { CORPUS, cluster, hoursFromNow, meshBot, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';
import { fakeIstioctl } from '../support/bot.ts';

const SYNTHETIC = fileURLToPath(new URL('../fixtures/istioctl-extra/synthetic_sidecar_config_dump_with_secrets.json', import.meta.url));
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

interface CertificateJson {
  name: string;
  type: string;
  serial: string;
  notAfter: string;
  health: { level: string; role: string };
}

let kube: Cluster;
let istioctl: string;
let spireIstioctl: string;
before(async () => {
  spireIstioctl = (await fakeIstioctl({ version: '1.28.1', configDumpFile: `${CORPUS}/proxy-config/secret/spire/input_config_dump.json` })).path;
  const dump = JSON.parse(await readFile(SYNTHETIC, 'utf8')) as { configs: Record<string, unknown>[] };
  const secrets = dump.configs.find((config) => String(config['@type']).endsWith('SecretsConfigDump')) as { dynamic_active_secrets: { name: string; secret: Record<string, unknown> }[]; dynamic_warming_secrets?: unknown[] };
  const leaf = workloadCertificatePem({ serial: '1a01', notBefore: hoursFromNow(-2), notAfter: hoursFromNow(22) }, 'spiffe://cluster.local/ns/default/sa/productpage');
  // The chain is leaf, intermediate, root (Istio's plug-in CA sends the whole chain); the root is ROOTCA too.
  // The plugged-in intermediate that signs every workload certificate ends in 5 days (caCriticalDays 14).
  const intermediate = selfSignedRootPem({ serial: '2b02', notBefore: hoursFromNow(-24 * 360), notAfter: hoursFromNow(24 * 5) });
  const root = selfSignedRootPem({ serial: '3c03', notBefore: hoursFromNow(-24 * 365), notAfter: hoursFromNow(24 * 3650) });
  secrets.dynamic_active_secrets = [
    { name: 'default', secret: { name: 'default', tls_certificate: { certificate_chain: { inline_bytes: base64(leaf + intermediate + root) }, private_key: { inline_bytes: base64('[redacted]') } } } },
    { name: 'ROOTCA', secret: { name: 'ROOTCA', validation_context: { trusted_ca: { inline_bytes: base64(root) } } } },
  ];
  secrets.dynamic_warming_secrets = [];
  const dir = await mkdtemp(join(tmpdir(), 'breaker-chain-'));
  const file = join(dir, 'config_dump.json');
  await writeFile(file, JSON.stringify(dump));
  istioctl = (await fakeIstioctl({ version: '1.28.1', configDumpFile: file })).path;
  kube = await cluster([namespace('default')]);
});
after(() => kube?.close());

describe('pc all with an intermediate CA in the workload chain', () => {
  it('judges the intermediate that expires in 5 days as a CA: critical, and the answer is not green', async () => {
    const run = await meshBot(['pc', 'all', 'productpage-v1.default', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl });
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { certificates: CertificateJson[] };
    const intermediate = json.certificates.find((certificate) => certificate.serial.endsWith('2b02'));
    assert.ok(intermediate, `the intermediate is not among ${json.certificates.map((certificate) => `${certificate.name}/${certificate.serial}`).join(', ')}`);
    assert.equal(intermediate.health.role, 'ca');
    assert.equal(intermediate.health.level, 'critical');
    // The root at the end of the chain is the one ROOTCA holds: judged once.
    assert.deepEqual(json.certificates.map((certificate) => `${certificate.name} ${certificate.type} ${certificate.serial.replace(/^0+/, '')}`).sort(), ['ROOTCA CA 3c03', 'default CA 2b02', 'default Cert Chain 1a01']);

    const text = await meshBot(['pc', 'all', 'productpage-v1.default'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl });
    assert.match(text.stdout, /3 certificates: 1 critical/);
    assert.match(text.stdout, /default \(CA\): CRITICAL, expires in [45] days → rotate the CA now/);
  });

  it('leaves SPIRE\'s one-day intermediate (corpus secret/spire) to the leaf it signs: rotated by software, not a CA to plan', async () => {
    const run = await meshBot(['pc', 'all', 'productpage-v1.default', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: spireIstioctl });
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { certificates: CertificateJson[] };
    // istioctl's table of the same dump (secret/spire/v1.25+_output.txt): the leaf and one ROOTCA per trust domain.
    assert.deepEqual(json.certificates.map((certificate) => `${certificate.name} ${certificate.type}`), ['default Cert Chain', 'ROOTCA CA', 'ROOTCA CA']);
  });
});
