// ztunnel-config certificates with identities whose certificate ztunnel is still fetching (Initializing) or failed to
// get (Unavailable), as in the corpus golden (ambient/ztunnel-config/certificates/v1.22+_secretsummary.txt). The text
// answer said only "Initializing — not Available", with nothing to do, and `-o json` gave the action of a WARMING
// Envoy secret ("Envoy is waiting for this secret: check that what it refers to exists…"): ztunnel is no Envoy, and
// an identity's certificate refers to nothing a user created. Each such row now says what to look at.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AMBIENT, ambientMesh, cluster, meshBot, standIn, type Cluster, type StandIn } from '../breaker-ambient/support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster(ambientMesh());
  istioctl = await standIn('1.26.8', [{ when: ['ztunnel-config', 'certificate'], stdoutFile: `${AMBIENT}/ztunnel-config/certificates/v1.22+_secretsummary.txt` }]);
});
after(() => kube?.close());

interface CertificatesJson {
  certificates: { name: string; status: string; health: { level: string; action: string } }[];
}

describe('zc certificates: identities Initializing and Unavailable (corpus golden)', () => {
  it('text: each such row says what to do, about ztunnel and istiod', async () => {
    const run = await meshBot(['zc', 'certs', '--node', 'ambient-worker'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    assert.equal(run.code, 0, run.stderr);
    const rows = run.stdout.split('\n').filter((line) => /Initializing|Unavailable/.test(line) && line.includes('spiffe://'));
    assert.equal(rows.length, 3, run.stdout);
    for (const row of rows) assert.match(row, / → .*ztunnel.*istiod/, row);
    assert.doesNotMatch(run.stdout, /Envoy/, run.stdout);
  });

  it('-o json: the same advice, never Envoy\'s', async () => {
    const run = await meshBot(['zc', 'certs', '--node', 'ambient-worker', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    const json = JSON.parse(run.stdout) as CertificatesJson;
    const waiting = json.certificates.filter((cert) => cert.status !== 'Available');
    assert.equal(waiting.length, 3);
    for (const cert of waiting) {
      assert.equal(cert.health.level, 'attention');
      assert.match(cert.health.action, /ztunnel/);
      assert.doesNotMatch(cert.health.action, /Envoy/);
    }
  });
});
