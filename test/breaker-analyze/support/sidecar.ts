// A sidecar mesh as the analyze/digest breakers see it from outside: the fake Kubernetes API holding one ready istiod
// and a root CA valid until 2056, and istioctl 1.24 answers built like the corpus (proxy-status v1.22-1.26 table,
// proxy-config secret -o json with the secrets of the v1.20-1.25 table).
import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseAnalyzeJson } from '../../../src/istioctl/parsers/analyze.ts';
import { createStateStore } from '../../../src/kube/state-store.ts';
import { compareAndRecord } from '../../../src/mesh/analyze-history.ts';
import { ok } from '../../../src/result.ts';
import type { KubeObject } from '../../../src/sandbox/kube-api.ts';
import { selfSignedRootPem, workloadCertificatePem } from '../../../src/sandbox/root-ca.ts';
import { cluster, hoursFromNow, namespace, proxyStatus122, standIn, type Cluster, type Rule, type StandIn } from '../../breaker-ambient/support/harness.ts';
import { putIstiod, putRootCert, ISTIOD } from '../../mesh/digest/harness.ts';
import { secretsConfigDumpJson } from '../../support/secrets-dump.ts';

/** Self-signed `O=cluster.local`, serial 5eed, valid 2026-12-07 to 2056-11-29 (openssl req -x509 -days 10950). */
export const ROOT_2056 = readFileSync(new URL('../fixtures/root-ca-2056.pem', import.meta.url), 'utf8');

export const PRODUCTPAGE = 'productpage-v1-d5789fdfb-7pq2k';

/** The Kubernetes side of a healthy sidecar mesh: namespaces, one ready 1.24.2 istiod, the root CA ConfigMap. */
export async function sidecarCluster(extra: readonly KubeObject[] = []): Promise<Cluster> {
  const kube = await cluster([namespace('istio-system'), namespace('default'), namespace('bookinfo', { 'istio-injection': 'enabled' }), ...extra]);
  putIstiod(kube.api, { restarts: 0, version: '1.24.2' });
  putRootCert(kube.api, 'istio-system', ROOT_2056);
  return kube;
}

/** One SYNCED productpage sidecar on 1.24.2, as `istioctl proxy-status` 1.22-1.26 prints it. */
export const ONE_PROXY = proxyStatus122([{ name: `${PRODUCTPAGE}.bookinfo`, states: ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT'], istiod: ISTIOD, version: '1.24.2' }]);

/**
 * `proxy-config secret -o json`: a workload chain issued `ageHours` ago for 24 h (leaf and root, as Istio's own CA
 * sends it), and the ROOTCA the proxy holds — the secrets of the corpus table secret/v1.20-1.25_output.txt, dated now.
 */
export function secretDump(options: { ageHours: number; rootNotAfterHours: number }): string {
  const root = selfSignedRootPem({ serial: '0193a543fe2b0d9cd4847675394dfc54', notBefore: hoursFromNow(-24 * 3650), notAfter: hoursFromNow(options.rootNotAfterHours) });
  const leaf = workloadCertificatePem(
    { serial: '6fbee254c22900615cb1f74e3d2f1713', notBefore: hoursFromNow(-options.ageHours), notAfter: hoursFromNow(24 - options.ageHours) },
    'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage',
  );
  return secretsConfigDumpJson([
    { name: 'default', chain: [leaf, root] },
    { name: 'ROOTCA', trustedCa: root },
  ]);
}

/** What a terminal test needs once its `before` hook ran: the cluster, the stand-in, and the environment of mesh-bot. */
export interface TerminalWorld {
  readonly kube: Cluster;
  readonly istioctl: StandIn;
  readonly env: { readonly KUBECONFIG: string; readonly ISTIOCTL: string; readonly POD_NAMESPACE: string };
}

/** Registers the hooks of a terminal test: the sidecar cluster and an istioctl stand-in of `version` answering `rules`. */
export function terminalWorld(version: string, rules: readonly Rule[]): () => TerminalWorld {
  let world: TerminalWorld | undefined;
  before(async () => {
    const kube = await sidecarCluster();
    const istioctl = await standIn(version, rules);
    world = { kube, istioctl, env: { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path, POD_NAMESPACE: 'mesh-bot' } };
  });
  after(() => world?.kube.close());
  return () => {
    if (world === undefined) throw new Error('the terminal world did not start (see the before hook)');
    return world;
  };
}

/**
 * Records `analyzeStdout` (istioctl analyze -o json) as the previous run of `namespace` in the cluster's history, as a
 * `/mesh analyze -n NAMESPACE` in Slack does: the terminal compares with that history and never records one itself.
 */
export async function recordAsTheChannel(world: TerminalWorld, namespace: string, analyzeStdout: string, at = new Date('2026-12-06T09:00:00Z')): Promise<void> {
  const findings = parseAnalyzeJson(analyzeStdout);
  if (!findings.ok) throw new Error(findings.error.message);
  const store = ok(createStateStore(world.kube.api.kubeConfig().makeApiClient(CoreV1Api), 'mesh-bot', 'default'));
  const recorded = await compareAndRecord(store, { cluster: 'default', scope: `namespace-${namespace}` }, findings.value, at);
  if (recorded.errors.length > 0) throw new Error(recorded.errors.join('; '));
}
