// BG2-6: a cluster served by an external istiod (`clusters[].xdsAddress`, README: istioctl dials that address and no
// istiod pod runs in the cluster). `status` reads the istiod that answered over xDS as the control plane
// (test/breaker-status/status-external-istiod-*.test.ts); the digest of the same cluster said "Critical: no istiod
// pods" every morning while istiod answered and every proxy was SYNCED — a red that trains a channel to ignore red.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { cluster, meshBot, namespace, proxyStatusJson, standIn, type Cluster, type StandIn } from '../breaker-ambient/support/harness.ts';
import { putRootCert } from '../mesh/digest/harness.ts';
import { PRODUCTPAGE, ROOT_2056, secretDump } from '../breaker-analyze/support/sidecar.ts';

const CONFIG = 'clusters:\n  - name: remote\n    context: fake\n    default: true\n    xdsAddress: istiod.mesh.example.com:15012\n';
const ISTIOD = 'istiod-central-6c9f7b8d4-x2k9q';

let kube: Cluster;
let istioctl: StandIn;
let config: string;
before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('bookinfo', { 'istio-injection': 'enabled' })]);
  putRootCert(kube.api, 'istio-system', ROOT_2056);
  istioctl = await standIn('1.30.3', [
    { when: ['proxy-status', '--xds-address'], stdout: proxyStatusJson(ISTIOD, '1.30.3', [{ id: `${PRODUCTPAGE}.bookinfo`, version: '1.30.3', types: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } }]) },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['proxy-config', 'secret'], stdout: secretDump({ ageHours: 2, rootNotAfterHours: 24 * 3650 }) },
  ]);
  config = join(await mkdtemp(join(tmpdir(), 'bg2-external-')), 'config.yaml');
  await writeFile(config, CONFIG);
});
after(() => kube.close());

it('the digest agrees with status: the istiod that answered is the control plane, not "no istiod pods"', async () => {
  const env = { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path, MESH_BOT_CONFIG: config };
  const status = JSON.parse((await meshBot(['status', '-o', 'json'], env)).stdout) as { verdict: string };
  assert.equal(status.verdict, 'healthy');
  const digest = JSON.parse((await meshBot(['digest', '-o', 'json'], env)).stdout) as { verdict: { level: string; reasons: string[] } };
  assert.doesNotMatch(digest.verdict.reasons.join(', '), /no istiod/);
  assert.equal(digest.verdict.level, 'healthy', digest.verdict.reasons.join(', '));
  const text = (await meshBot(['digest'], env)).stdout;
  assert.match(text, new RegExp(`${ISTIOD}: ready`));
});
