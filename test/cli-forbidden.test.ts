// Every istioctl command refused by the Kubernetes API's RBAC answers with the permission to grant (verb, resource,
// API group, scope) and where mesh-bot's RBAC grants it, never "try again": the same classifier serves all of them.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ambientMesh, cluster, meshBot, namespace, standIn, type Cluster } from './breaker-ambient/support/harness.ts';

const USER = 'system:serviceaccount:mesh-bot:mesh-bot';

/** client-go's Forbidden as istioctl prints it on stderr (apiserver forbiddenMessage inside `R "name" is forbidden:`). */
function forbidden(resource: string, verb: string, group: string, scope: { namespace: string } | 'cluster'): string {
  const qualified = group === '' ? resource.split('/')[0] : `${resource}.${group}`;
  const where = scope === 'cluster' ? 'at the cluster scope' : `in the namespace "${scope.namespace}"`;
  return `Error: ${qualified} is forbidden: User "${USER}" cannot ${verb} resource "${resource}" in API group "${group}" ${where}\n`;
}

let kube: Cluster;
before(async () => {
  kube = await cluster([...ambientMesh(), namespace('shop')]);
});
after(() => kube.close());

const CASES: readonly { argv: string[]; when: string[]; stderr: string; says: RegExp; file: RegExp }[] = [
  {
    argv: ['status'],
    when: ['proxy-status'],
    stderr: forbidden('pods/portforward', 'create', '', { namespace: 'istio-system' }),
    says: /to create pods\/portforward \(core API group\) in namespace istio-system/,
    file: /deploy\/base\/rbac-istio-system\.yaml/,
  },
  {
    argv: ['analyze', '-A'],
    when: ['analyze'],
    stderr: forbidden('secrets', 'list', '', { namespace: 'istio-system' }),
    says: /to list secrets \(core API group\) in namespace istio-system/,
    file: /deploy\/optional\/analyze-secrets\.yaml/,
  },
  {
    argv: ['waypoint', 'list', '-n', 'shop'],
    when: ['waypoint', 'list'],
    stderr: forbidden('gateways', 'list', 'gateway.networking.k8s.io', { namespace: 'shop' }),
    says: /to list gateways \(API group gateway\.networking\.k8s\.io\) in namespace shop/,
    file: /deploy\/base\/rbac-cluster\.yaml/,
  },
  {
    argv: ['ztunnel-config', 'workloads'],
    when: ['ztunnel-config'],
    stderr: forbidden('pods/portforward', 'create', '', { namespace: 'istio-system' }),
    says: /to create pods\/portforward \(core API group\) in namespace istio-system/,
    file: /deploy\/base\/rbac-istio-system\.yaml/,
  },
  {
    argv: ['proxy-config', 'clusters', 'productpage-v1-7d4f.shop'],
    when: ['proxy-config'],
    stderr: forbidden('pods', 'get', '', { namespace: 'shop' }),
    says: /to get pods \(core API group\) in namespace shop/,
    file: /deploy\/base\/rbac-cluster\.yaml/,
  },
];

describe('terminal mode: istioctl refused by RBAC', () => {
  for (const { argv, when, stderr, says, file } of CASES) {
    it(`mesh-bot ${argv.join(' ')}: exit 1, names the refused permission and the RBAC file, not "try again"`, async () => {
      const istioctl = await standIn('1.28.10', [{ when, stderr, exit: 1 }]);
      const run = await meshBot(argv, { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stderr, new RegExp(`Kubernetes does not allow user ${USER} `));
      assert.match(run.stderr, says);
      assert.match(run.stderr, file);
      assert.doesNotMatch(run.stderr, /try again;/i);
    });
  }
});
