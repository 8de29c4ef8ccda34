// ztunnel-config certificates of a mesh with a plugged-in CA (Istio's `cacerts`): istioctl 1.22+ prints ztunnel's chain
// as `Leaf`, then `Intermediate`, then `Root` (istioctl/pkg/writer/ztunnel/configdump/certificates.go: every chain
// element after the first is `Intermediate` unless it is the legacy-format root). README "Certificate health": CAs
// (plugged-in intermediates included) are judged by caWarnDays/caCriticalDays, never by the workload rotation rule;
// an intermediate is rotated by people, so "rotation overdue" is a false alarm, and a 10-day-left one is critical.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ambientMesh, certificatesTable, cluster, hoursFromNow, meshBot, proxyStatusJson, standIn, ZTUNNELS, type Cluster, type StandIn } from '../breaker-ambient/support/harness.ts';

const IDENTITY = 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews';
const DAY = 24;

/** A healthy 24 h leaf issued 2 h ago, the intermediate that signed it, and a 10-year root. */
function chain(intermediate: { notBefore: string; notAfter: string }): string {
  return certificatesTable([
    { name: IDENTITY, type: 'Leaf', status: 'Available', valid: 'true', serial: 'aa01', notAfter: hoursFromNow(22), notBefore: hoursFromNow(-2) },
    { name: IDENTITY, type: 'Intermediate', status: 'Available', valid: 'true', serial: 'bb02', ...intermediate },
    { name: IDENTITY, type: 'Root', status: 'Available', valid: 'true', serial: 'cc03', notAfter: hoursFromNow(DAY * 3000), notBefore: hoursFromNow(-DAY * 650) },
  ]);
}

interface ZcJson {
  certificates: { type: string; serial: string; daysRemaining: number | null; health: { level: string; state: string; role: string; summary: string; action: string } }[];
}
interface DigestJson {
  verdict: { level: string; reasons: string[] };
}

function world(intermediate: { notBefore: string; notAfter: string }): () => { kube: Cluster; istioctl: StandIn } {
  let kube: Cluster | undefined;
  let istioctl: StandIn | undefined;
  before(async () => {
    kube = await cluster(ambientMesh());
    istioctl = await standIn('1.30.3', [
      { when: ['proxy-status'], stdout: proxyStatusJson('istiod-8c7b98fc4-mwjfp', '1.30.3', ZTUNNELS.map((z) => ({ id: `${z.pod}.istio-system`, version: '1.30.3', types: { WADS: 'SYNCED', WDS: 'SYNCED' } }))) },
      { when: ['analyze'], stdout: '[]\n' },
      { when: ['ztunnel-config', 'certificate'], stdout: chain(intermediate) },
      { when: ['ztunnel-config', 'workload'], stdout: 'NAMESPACE POD NAME ADDRESS NODE WAYPOINT PROTOCOL\n' },
      { when: ['waypoint', 'list'], stdout: 'No waypoints found.\n' },
    ]);
  });
  after(() => kube?.close());
  return () => ({ kube: kube as Cluster, istioctl: istioctl as StandIn });
}

describe('a 5-year intermediate 3 years old (2 years left) in ztunnel chains', () => {
  const get = world({ notBefore: hoursFromNow(-DAY * 365 * 3), notAfter: hoursFromNow(DAY * 365 * 2) });

  it('zc certificates calls it a healthy CA, not a workload certificate overdue for rotation', async () => {
    const { kube, istioctl } = get();
    const env = { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path };
    const text = await meshBot(['zc', 'certs', '--node', 'ambient-worker'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /rotation overdue|ATTENTION|CRITICAL/i, text.stdout);
    const run = await meshBot(['zc', 'certs', '--node', 'ambient-worker', '-o', 'json'], env);
    const json = JSON.parse(run.stdout) as ZcJson;
    const intermediate = json.certificates.find((row) => row.type === 'Intermediate');
    assert.deepEqual([intermediate?.health.role, intermediate?.health.level], ['ca', 'healthy']);
  });

  it('the digest does not name a ztunnel certificate as a reason', async () => {
    const { kube, istioctl } = get();
    const run = await meshBot(['digest', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    const json = JSON.parse(run.stdout) as DigestJson;
    assert.deepEqual(json.verdict.reasons.filter((reason) => /ztunnel/.test(reason)), []);
  });
});

describe('the same intermediate with 10 days left', () => {
  const get = world({ notBefore: hoursFromNow(-DAY * 365 * 5 + DAY * 10), notAfter: hoursFromNow(DAY * 10) });

  it('zc certificates: CRITICAL, with the CA advice (rotate the CA), and the digest is critical for a ztunnel CA', async () => {
    const { kube, istioctl } = get();
    const env = { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path };
    const run = await meshBot(['zc', 'certs', '--node', 'ambient-worker', '-o', 'json'], env);
    const intermediate = (JSON.parse(run.stdout) as ZcJson).certificates.find((row) => row.type === 'Intermediate');
    assert.equal(intermediate?.health.level, 'critical');
    assert.equal(intermediate?.health.role, 'ca');
    assert.match(intermediate?.health.action ?? '', /rotate the CA/);
    const digest = JSON.parse((await meshBot(['digest', '-o', 'json'], env)).stdout) as DigestJson;
    assert.equal(digest.verdict.level, 'critical');
    assert.ok(digest.verdict.reasons.some((reason) => /^ztunnel CA certificate expires in (9|10) days/.test(reason)), digest.verdict.reasons.join('; '));
  });
});

// cert-manager's istio-csr and SPIRE rotate short-lived intermediates by software (cert-manager at two thirds of the
// lifetime); one living no longer than caWarnDays (90) would otherwise always read "expires in N days". README
// "Certificate health": such a CA "is rotated by software and left to the leaf it signed" — `pc secret` leaves it out;
// `zc certificates` prints it, so it is judged as a certificate Istio serves but does not rotate (attention under a
// third of its life left, critical under 10 %).
describe('a 90-day intermediate (software-rotated) 10 days old', () => {
  const get = world({ notBefore: hoursFromNow(-DAY * 10), notAfter: hoursFromNow(DAY * 80) });

  it('is healthy in zc certificates and not a digest reason', async () => {
    const { kube, istioctl } = get();
    const env = { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path };
    const run = await meshBot(['zc', 'certs', '--node', 'ambient-worker', '-o', 'json'], env);
    const intermediate = (JSON.parse(run.stdout) as ZcJson).certificates.find((row) => row.type === 'Intermediate');
    assert.equal(intermediate?.health.level, 'healthy', intermediate?.health.summary);
    const digest = JSON.parse((await meshBot(['digest', '-o', 'json'], env)).stdout) as DigestJson;
    assert.deepEqual(digest.verdict.reasons.filter((reason) => /ztunnel/.test(reason)), []);
  });
});

describe('the same 90-day intermediate with 5 days left', () => {
  const get = world({ notBefore: hoursFromNow(-DAY * 85), notAfter: hoursFromNow(DAY * 5) });

  it('is critical in zc certificates', async () => {
    const { kube, istioctl } = get();
    const run = await meshBot(['zc', 'certs', '--node', 'ambient-worker', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    const intermediate = (JSON.parse(run.stdout) as ZcJson).certificates.find((row) => row.type === 'Intermediate');
    assert.equal(intermediate?.health.level, 'critical', intermediate?.health.summary);
  });
});
