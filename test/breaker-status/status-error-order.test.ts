// BS-4. A sidecar mesh (no ztunnel pod anywhere, none connected) on an install whose RBAC predates ambient (no
// `list daemonsets`). README Terminal mode: "every error on stderr (…), the most important first". When istiod does
// not answer, that is why the answer is Unknown: it must lead, not the DaemonSet permission ambient mode needs.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cluster, meshBot, proxyStatus122, standIn, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from './support/sidecar.ts';

const TABLE = proxyStatus122([{ name: 'productpage-v1-7d9f8c6b5-x2k4m.default', states: ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT'], istiod: 'istiod-7d4f9-abcde', version: '1.24.6' }]);
// ERROR_STRINGS.md, proxy-status: `Error: could not get XDS from discovery pod "%s": %v` (exit 1).
const XDS_UNAVAILABLE = { when: ['proxy-status'], stderr: 'Error: could not get XDS from discovery pod "istiod-7d4f9-abcde": rpc error: code = Unavailable desc = connection error\n', exit: 1 };

let kube: Cluster;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), istiod('istiod-7d4f9-abcde', '1.24.6')]);
  kube.api.failNext({ pathPattern: /\/daemonsets$/, status: 403, times: 100 });
});
after(() => kube.close());

it('istiod not answering is the first line of stderr, ahead of the DaemonSet permission', async () => {
  const run = await runStatus(kube, '1.24.6', [XDS_UNAVAILABLE], ['status']);
  assert.equal(run.code, 1);
  assert.match(run.stderr.split('\n')[0] ?? '', /^mesh-bot: istioctl: istiod pod istiod-7d4f9-abcde did not answer/);
});

it('a healthy sidecar mesh without any ztunnel gets no warning about ztunnel and istio-cni readiness', async () => {
  const run = await runStatus(kube, '1.24.6', [{ when: ['proxy-status'], stdout: TABLE }], ['status', '-o', 'json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.json?.verdict, 'healthy');
  assert.deepEqual(run.json?.errors, []);
  assert.equal(run.stderr, '');
});

it('a kubeconfig mesh-bot cannot use (no current context) is the first and only error, a configuration error', async () => {
  const kubeconfig = join(await mkdtemp(join(tmpdir(), 'breaker-status-kubeconfig-')), 'config');
  await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
  const istioctl = await standIn('1.24.6', [XDS_UNAVAILABLE]);
  const run = await meshBot(['status'], { KUBECONFIG: kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^mesh-bot: No usable kubeconfig for cluster default: .*\. Set KUBECONFIG or run mesh-bot in a pod with a service account\.\n$/);
});
