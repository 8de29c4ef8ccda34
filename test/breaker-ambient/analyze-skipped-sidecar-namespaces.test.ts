// BA-6 (regression test, fixed): namespaces labelled both istio.io/dataplane-mode=ambient and for sidecar injection
// (corpus ambient/analyze/v1.20-1.29_injection.yaml: multi-ns-2, multi-ns-3) are said to be skipped by IST0102
// "because ambient", with pods "captured by ztunnel instead of a sidecar". In Istio the injection label wins
// (corpus INDEX, sidecar-default-selector notes) and istioctl does check them: it reports IST0123 on them.

import assert from 'node:assert/strict';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { cluster, meshBot, namespace, standIn, type Cluster, type StandIn } from './support/harness.ts';

let kube: Cluster;
let istioctl: StandIn;
before(async () => {
  kube = await cluster([
    namespace('istio-system'),
    namespace('default', { 'istio-injection': 'enabled' }),
    namespace('ambient', { 'istio.io/dataplane-mode': 'ambient' }),
    namespace('multi-ns-2', { 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'ambient' }),
    namespace('multi-ns-3', { 'istio.io/rev': 'test', 'istio.io/dataplane-mode': 'ambient' }),
  ]);
  // What istioctl 1.29 reports for these namespaces (analyzers_test.go expectations for injection.yaml, corpus INDEX).
  // Template of IST0123 in the 1.28-1.29 message catalogue; %v is the list of injection labels found.
  const ist0123 = (ns: string, labels: string) => ({
    code: 'IST0123',
    documentationUrl: 'https://istio.io/v1.29/docs/reference/config/analysis/ist0123/?ref=istioctl-analyze',
    level: 'Warning',
    message: `The namespace has more than one type of injection labels [${labels}], which may lead to undefined behavior. Make sure only one injection label exists.`,
    origin: `Namespace ${ns}`,
  });
  const dir = await mkdtemp(join(tmpdir(), 'breaker-analyze-'));
  await writeFile(join(dir, 'analyze.json'), JSON.stringify([ist0123('multi-ns-2', 'istio-injection istio.io/dataplane-mode'), ist0123('multi-ns-3', 'istio.io/rev istio.io/dataplane-mode')], null, '\t'));
  istioctl = await standIn('1.29.6', [{ when: ['analyze'], stdoutFile: join(dir, 'analyze.json') }]);
});
after(() => kube.close());

it('analyze -A -o json: only the namespace that is ambient and not injected is named as skipped by IST0102', async () => {
  const run = await meshBot(['analyze', '-A', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { findings: { byCode: Record<string, number> }; ambient: { injectionSkippedNamespaces: string[] } };
  assert.equal(json.findings.byCode['IST0123'], 2, 'istioctl did check multi-ns-2 and multi-ns-3');
  assert.deepEqual(json.ambient.injectionSkippedNamespaces, ['ambient']);
});
