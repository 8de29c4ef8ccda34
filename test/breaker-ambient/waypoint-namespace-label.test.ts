// Found by the breakers (BA-2), fixed in d1f181c: a namespace labelled istio.io/use-waypoint with a waypoint that does
// not exist is reported.
// Istio reads istio.io/use-waypoint on the namespace too: every Service and pod in it then uses that waypoint.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { AMBIENT, cluster, meshBot, namespace, service, standIn, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster([
    namespace('istio-system'),
    namespace('default', { 'istio.io/dataplane-mode': 'ambient' }),
    namespace('bookinfo', { 'istio.io/dataplane-mode': 'ambient' }),
    namespace('shop', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'shop-waypoint' }),
    service('shop', 'cart', {}),
    service('shop', 'checkout', {}),
  ]);
  istioctl = await standIn('1.27.9', [{ when: ['waypoint', 'list'], stdoutFile: `${AMBIENT}/waypoint/list/v1.27+_combined-gateway.txt` }]);
});
after(() => kube.close());

it('wp -A: namespace shop uses waypoint shop-waypoint, which does not exist: the answer says so', async () => {
  const text = await meshBot(['wp', '-A'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /shop.*shop-waypoint.*does not exist/);

  const json = await meshBot(['wp', '-A', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  const parsed = JSON.parse(json.stdout) as { services: { problems: { namespace: string; waypoint: string; problem: string }[] } };
  assert.ok(parsed.services.problems.some((p) => p.namespace === 'shop' && p.waypoint === 'shop-waypoint' && p.problem === 'missing'), JSON.stringify(parsed.services));
});
