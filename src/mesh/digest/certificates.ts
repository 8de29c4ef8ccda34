import { X509Certificate } from 'node:crypto';
import type { ClusterConfig } from '../../config.ts';
import type { Istioctl } from '../../istioctl/istioctl.ts';
import type { ProxyStatusRow } from '../../istioctl/types.ts';
import type { ClusterKube } from '../../kube/clients.ts';
import { kubeCallError } from '../../kube/istio-objects.ts';
import { err, ok, type Result } from '../../result.ts';
import { bySeverity, judgeCertificate, judgeSecretCertificate, type CaThresholds } from '../certificate-health.ts';
import { secretCertificates } from '../proxy-config-report.ts';
import type { RootCaFacts, RootCertificate, Section, WorkloadCertFacts, WorkloadCertificate } from './types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** istiod publishes the mesh's trust bundle under this name in every namespace it injects into. */
export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';
export const ROOT_CERT_KEY = 'root-cert.pem';
/**
 * How many proxies' certificates a digest reads: each read is one istioctl port-forward to an Envoy, so a digest
 * of a 50,000-proxy mesh stays a handful of calls. Workload certificates are issued by the same CA with the same
 * lifetime, so a stuck rotation shows up in any sample.
 */
export const WORKLOAD_CERT_SAMPLE = 5;

function daysBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / DAY_MS);
}

/** Every certificate of a PEM bundle, judged as a CA; unparsable blocks are skipped (the bundle is istiod's, not user input). */
export function parseRootBundle(pem: string, now: Date, ca: CaThresholds): RootCertificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const roots: RootCertificate[] = [];
  for (const block of blocks) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      continue;
    }
    const notAfter = cert.validToDate.toISOString();
    const notBefore = cert.validFromDate.toISOString();
    roots.push({
      subject: cert.subject.replace(/\n/g, ', '),
      notBefore,
      notAfter,
      daysRemaining: daysBetween(now, cert.validToDate),
      serial: cert.serialNumber.toLowerCase(),
      health: judgeCertificate({ role: 'ca', notBefore, notAfter }, now, ca),
    });
  }
  return roots.sort((a, b) => b.notAfter.localeCompare(a.notAfter));
}

export type RootBundle = Omit<RootCaFacts, 'rotated'>;

/** Compared as a set: a bundle re-ordered by istiod is not a rotation. */
export function withRotation(bundle: RootBundle, previousSerials: readonly string[] | undefined): RootCaFacts {
  const serials = bundle.roots.map((root) => root.serial).sort();
  return { ...bundle, rotated: previousSerials === undefined ? null : [...previousSerials].sort().join(',') !== serials.join(',') };
}

/**
 * The root CA from `istio-ca-root-cert`: in the first scoped namespace (what the workloads there trust; with
 * several CAs or revisions it can differ), else in istiod's namespace. A scoped namespace without the ConfigMap,
 * or one mesh-bot may not read, falls back to istiod's namespace.
 */
export async function readRootCa(kube: ClusterKube, namespaces: readonly string[] | undefined, now: Date, ca: CaThresholds): Promise<Section<RootBundle>> {
  const candidates = [...new Set([...(namespaces?.slice(0, 1) ?? []), kube.cluster.istioNamespace])];
  let lastError = '';
  for (const namespace of candidates) {
    let pem: string | undefined;
    try {
      const configMap = await kube.core.readNamespacedConfigMap({ name: ROOT_CERT_CONFIGMAP, namespace });
      pem = configMap.data?.[ROOT_CERT_KEY];
    } catch (cause) {
      const failure = kubeCallError(cause, `read ConfigMap ${namespace}/${ROOT_CERT_CONFIGMAP}`, kube.cluster.name);
      lastError = failure.message;
      if (failure.kind === 'not-found' || failure.kind === 'forbidden') continue;
      return err(failure.message);
    }
    if (pem === undefined) return err(`ConfigMap ${namespace}/${ROOT_CERT_CONFIGMAP} has no ${ROOT_CERT_KEY}; check that istiod is running and manages it.`);
    const roots = parseRootBundle(pem, now, ca);
    if (roots.length === 0) return err(`ConfigMap ${namespace}/${ROOT_CERT_CONFIGMAP} holds no readable certificate in ${ROOT_CERT_KEY}.`);
    return ok({ namespace, roots });
  }
  return err(lastError);
}

/** A deterministic sample: sidecars and gateways sorted by name; ztunnels have no Envoy admin to read. */
export function sampleProxies(rows: readonly ProxyStatusRow[], size = WORKLOAD_CERT_SAMPLE): ProxyStatusRow[] {
  return rows
    .filter((row) => !row.name.startsWith('ztunnel-'))
    .slice()
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, size);
}

function podOf(row: ProxyStatusRow): string {
  const suffix = `.${row.namespace}`;
  return row.namespace !== '' && row.name.endsWith(suffix) ? row.name.slice(0, -suffix.length) : row.name;
}

/**
 * Reads `proxy-config secret -o json` of the sampled proxies and judges every certificate with the one rule of
 * src/mesh/certificate-health.ts, as `pc secret` judges them: the workload chain by whether its rotation is on
 * schedule, other leaves (gateway credentials) by their lifetime, and by the CA thresholds the roots the proxy holds
 * (ROOTCA) and the plugged-in intermediates behind its leaves (`cacerts`), which istioctl's table never shows and
 * whose expiry breaks every certificate they signed. Only dates and serials leave the parser (Envoy redacts private
 * keys in its dump). The root CA part reads the istio-ca-root-cert ConfigMap, not the root this proxy verifies its
 * peers with, and an expired one there breaks its mTLS however healthy the ConfigMap is. Only leaves count as
 * `checked`; a CA joins `problems` when it is not healthy. Dates are judged at the digest's time, not by
 * istioctl's clock.
 */
export async function readWorkloadCerts(istioctl: Istioctl, cluster: ClusterConfig, rows: readonly ProxyStatusRow[] | null, now: Date, ca: CaThresholds): Promise<Section<WorkloadCertFacts>> {
  if (rows === null) return err('the proxy list (istioctl proxy-status) is unavailable, so no proxies could be sampled');
  const sample = sampleProxies(rows);
  const reads = await Promise.all(
    sample.map(async (row): Promise<Result<WorkloadCertificate[], string>> => {
      const output = await istioctl.proxyConfig(cluster, { type: 'secret', pod: podOf(row), namespace: row.namespace });
      if (!output.ok) return err(output.error.message);
      const parsed = secretCertificates(output.value.value, { now, ca });
      if (!parsed.ok) return err(parsed.error.message);
      return ok(
        // A secret without a date is one Envoy still waits for (WARMING): "no certificate yet" by the same rule, never
        // left out, or a sidecar whose certificate never arrived would read as "rotation on schedule".
        parsed.value.map((cert) => {
          const dated = cert.notAfter !== '' && !Number.isNaN(Date.parse(cert.notAfter));
          return {
            proxy: row.name,
            name: cert.name,
            notBefore: cert.notBefore,
            notAfter: dated ? cert.notAfter : '',
            daysRemaining: dated ? daysBetween(now, new Date(cert.notAfter)) : null,
            status: cert.status,
            health: judgeSecretCertificate({ ...cert, notAfter: dated ? cert.notAfter : '' }, now, ca),
          };
        }),
      );
    }),
  );
  const checked: WorkloadCertificate[] = [];
  const unread: { proxy: string; reason: string }[] = [];
  for (const [index, read] of reads.entries()) {
    const proxy = sample[index]?.name ?? '';
    if (read.ok) checked.push(...read.value);
    else unread.push({ proxy, reason: read.error });
  }
  if (sample.length > 0 && unread.length === sample.length) return err(`no sampled proxy's certificates could be read: ${unread[0]?.reason ?? ''}`);
  const problems = checked.filter((cert) => cert.health.level !== 'healthy').sort((a, b) => bySeverity(a, b) || a.proxy.localeCompare(b.proxy));
  const leaves = checked.filter((cert) => cert.health.role !== 'ca' && cert.health.state !== 'missing').length;
  return ok({ sampled: sample.map((row) => row.name), inScope: rows.length, checked: leaves, problems, unread });
}
