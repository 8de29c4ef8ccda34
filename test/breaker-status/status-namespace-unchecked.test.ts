// BS-1. `status -n NS` when the Kubernetes API refuses `get namespaces/NS` (a Role-only install, a person's kubeconfig
// without cluster-scope reads): README "-n names a namespace the Kubernetes API must know … an existing namespace
// without proxies answers 'no proxies in namespace X'". Unchecked, a typo and an empty namespace look the same, so
// the answer must not call a name it could not check an existing, empty namespace without saying so.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, proxyStatus122, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from './support/sidecar.ts';

const TABLE = proxyStatus122([{ name: 'productpage-v1-7d9f8c6b5-x2k4m.default', states: ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT'], istiod: 'istiod-7d4f9-abcde', version: '1.24.6' }]);
const RULES = [{ when: ['proxy-status'], stdout: TABLE }];

let kube: Cluster;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), istiod('istiod-7d4f9-abcde', '1.24.6')]);
  kube.api.failNext({ pathPattern: /\/namespaces\/defualt$/, status: 403, times: 100 });
});
after(() => kube.close());

it('JSON: a mistyped namespace the API refuses to look up is no "no-proxies" answer; the error names the unchecked namespace; exit 1', async () => {
  const run = await runStatus(kube, '1.24.6', RULES, ['status', '-n', 'defualt', '-o', 'json']);
  assert.ok(run.json, run.stderr);
  assert.notEqual(run.json.verdict, 'no-proxies');
  assert.equal(run.json.verdict, 'unknown');
  assert.ok(run.json.errors.some((error) => /defualt/.test(error) && /exist/.test(error)), run.json.errors.join(' | '));
  assert.equal(run.code, 1);
});

it('text: stderr says the namespace could not be checked; stdout never says "no proxies in namespace defualt" as a fact', async () => {
  const run = await runStatus(kube, '1.24.6', RULES, ['status', '-n', 'defualt']);
  assert.match(run.stderr.split('\n')[0] ?? '', /^mesh-bot: .*defualt/);
  assert.doesNotMatch(run.stdout, /No proxies|no proxies in namespace defualt/);
  assert.match(run.stdout, /no proxies found in namespace defualt, which the Kubernetes API could not confirm exists/);
});

it('a namespace the API refuses but where proxies run exists for sure: the answer stands (exit 0)', async () => {
  kube.api.failNext({ pathPattern: /\/namespaces\/default$/, status: 403, times: 100 });
  const run = await runStatus(kube, '1.24.6', RULES, ['status', '-n', 'default', '-o', 'json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.json?.verdict, 'healthy');
  assert.equal(run.json?.proxies?.total, 1);
});
