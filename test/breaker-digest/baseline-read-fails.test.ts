// README Digests: "A section that could not be read keeps its previous facts, so one bad morning does not make every
// finding 'new' the next day." A Kubernetes API blip at fire time fails the baseline read and the istiod pod list
// together. That digest compares nothing (and says so) — but it then stored its own facts with the control plane
// missing, so the restarts istiod had between Monday and Wednesday were never reported "since the last digest".

import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { renderDigestText } from '../../commands/digest.render.ts';
import type { ClusterConfig } from '../../src/config.ts';
import { gatherDigest, type DigestTarget } from '../../src/mesh/digest/gather.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { digestDeps, ISTIOD, putIstiod, putRootCert } from '../mesh/digest/harness.ts';

const CLUSTER: ClusterConfig = { name: 'default', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };
const TARGET: DigestTarget = { channel: 'C0OPS', cluster: CLUSTER, timezone: 'Europe/Berlin', schedule: '0 9 * * 1-5' };
const MONDAY = new Date('2025-06-02T07:00:00Z');
const TUESDAY = new Date('2025-06-03T07:00:00Z');
const WEDNESDAY = new Date('2025-06-04T07:00:00Z');

let api: FakeKubeApi;
beforeEach(async () => {
  api = await startFakeKubeApi();
  putRootCert(api);
});
afterEach(() => api.close());

it('a morning whose baseline and istiod pods could not be read does not hide the restarts from the next digest', async () => {
  putIstiod(api, { restarts: 1 });
  const monday = await gatherDigest(await digestDeps(api, { version: '1.24.2' }, MONDAY), TARGET, MONDAY);
  assert.ok((await monday.commit()).ok);

  // Tuesday 09:00: the API server answers 503 to the baseline read and to the istiod pod list, then recovers.
  putIstiod(api, { restarts: 4 });
  api.failNext({ method: 'GET', pathPattern: /\/configmaps\/mesh-bot-digest-/, status: 503 });
  api.failNext({ method: 'GET', pathPattern: /\/namespaces\/istio-system\/pods$/, status: 503 });
  const tuesday = await gatherDigest(await digestDeps(api, { version: '1.24.2' }, TUESDAY), TARGET, TUESDAY);
  const tuesdayText = renderDigestText(tuesday.digest);
  assert.match(tuesdayText, /previous digest's facts could not be read/);
  assert.match(tuesdayText, /Control plane: unavailable/);
  await tuesday.commit();

  const wednesday = await gatherDigest(await digestDeps(api, { version: '1.24.2' }, WEDNESDAY), TARGET, WEDNESDAY);
  const text = renderDigestText(wednesday.digest);
  assert.ok(wednesday.digest.controlPlane.ok);
  assert.deepEqual(wednesday.digest.controlPlane.value.istiods.map((pod) => [pod.name, pod.restartsSinceLast]), [[ISTIOD, 3]], text);
  assert.match(text, /3 istiod restarts since the last digest/);
  assert.match(text, /compared with the digest of Mon 2 Jun 2025, 09:00 Europe\/Berlin/);
});
