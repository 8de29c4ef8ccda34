// BS-6. External/central istiod (`clusters[].xdsAddress`, README): istioctl dials istiod over --xds-address, no istiod
// pod runs in the cluster. With no proxy connected yet istioctl still answers (exit 0) with the corpus empty-mesh
// outputs, which name no istiod: 1.30+ `{}` (v1.30+_output-json_no-proxies_stdout.txt) and 1.27.1+ a header only.
// istiod answered, so the control plane is not down: the answer is "no proxies".

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cluster, CORPUS, type Cluster } from '../breaker-ambient/support/harness.ts';
import { runStatus, sidecarNamespaces } from './support/sidecar.ts';

const CONFIG = 'clusters:\n  - name: remote\n    context: fake\n    default: true\n    xdsAddress: istiod.mesh.example.com:15012\n';
const EMPTY: readonly [string, string][] = [
  ['1.30.3', `${CORPUS}/proxy-status/empty-and-errors/v1.30+_output-json_no-proxies_stdout.txt`],
  ['1.28.1', `${CORPUS}/proxy-status/empty-and-errors/v1.27.1+_no-proxies_stdout.txt`],
];

let kube: Cluster;
before(async () => {
  kube = await cluster(sidecarNamespaces());
});
after(() => kube.close());

describe('status of a cluster served by an external istiod, no proxy connected yet', () => {
  for (const [version, file] of EMPTY) {
    it(`${version}: "no proxies", not "control plane down"`, async () => {
      const run = await runStatus(kube, version, [{ when: ['proxy-status', '--xds-address'], stdoutFile: file }], ['status', '-o', 'json'], CONFIG);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.json?.verdict, 'no-proxies');
      assert.equal(run.json?.proxies?.total, 0);
    });
  }

  it('text: names the external istiod that answered instead of "no istiod pods"', async () => {
    const [version, file] = EMPTY[0] ?? ['', ''];
    const run = await runStatus(kube, version, [{ when: ['proxy-status', '--xds-address'], stdoutFile: file }], ['status'], CONFIG);
    assert.match(run.stdout, /^Mesh status: remote — No proxies/);
    assert.doesNotMatch(run.stdout, /Control plane down|no istiod pods/);
    assert.match(run.stdout, /istiod\.mesh\.example\.com:15012/);
  });
});
