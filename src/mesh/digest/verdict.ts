import { WORKLOAD_CERT_WARN_DAYS } from './certificates.ts';
import type { Digest, DigestLevel, DigestVerdict } from './types.ts';

/** Root CA expiry: below this many days the digest asks for attention (rotating a root takes planning). */
export const ROOT_CA_WARN_DAYS = 90;
/** ...and below this many it is critical: workloads stop trusting each other when the root expires. */
export const ROOT_CA_CRITICAL_DAYS = 14;

export type VerdictInputs = Pick<Digest, 'controlPlane' | 'proxies' | 'skew' | 'analyze' | 'rootCa' | 'workloadCerts' | 'canaries' | 'pending'>;

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function days(count: number): string {
  if (count < 0) return `expired ${plural(-count, 'day')} ago`;
  return count === 0 ? 'expires today' : `expires in ${plural(count, 'day')}`;
}

/**
 * What a reader must know first: critical when the mesh is broken or about to be (no ready istiod, a root CA or
 * workload certificate expired or expiring within two weeks); attention for anything that got worse or needs a
 * look; healthy otherwise. Canaries and pending requests are information, not problems.
 */
export function decideVerdict(inputs: VerdictInputs): DigestVerdict {
  const critical: string[] = [];
  const attention: string[] = [];
  const unavailable: string[] = [];
  const names: [keyof VerdictInputs, string][] = [
    ['controlPlane', 'control plane'],
    ['proxies', 'proxy sync'],
    ['skew', 'version skew'],
    ['analyze', 'analyze'],
    ['rootCa', 'root CA'],
    ['workloadCerts', 'workload certificates'],
    ['canaries', 'canaries'],
    ['pending', 'approval requests'],
  ];
  for (const [key, name] of names) if (!inputs[key].ok) unavailable.push(name);

  if (inputs.controlPlane.ok) {
    const { istiods, ready, restartsSinceLast } = inputs.controlPlane.value;
    if (istiods.length === 0 || ready === 0) critical.push(istiods.length === 0 ? 'no istiod pods' : 'no istiod pod is ready');
    else if (ready < istiods.length) attention.push(`istiod ${ready}/${istiods.length} ready`);
    if (restartsSinceLast !== null && restartsSinceLast > 0) attention.push(`${plural(restartsSinceLast, 'istiod restart')} since the last digest`);
  }
  if (inputs.proxies.ok) {
    const { stale, error } = inputs.proxies.value;
    if (error > 0) attention.push(`${plural(error, 'proxy', 'proxies')} in ERROR`);
    if (stale > 0) attention.push(`${plural(stale, 'proxy', 'proxies')} STALE`);
  }
  if (inputs.skew.ok) {
    const behind = inputs.skew.value.mismatched.reduce((sum, entry) => sum + entry.count, 0);
    if (behind > 0) attention.push(`${plural(behind, 'proxy', 'proxies')} on a version istiod does not run`);
  }
  if (inputs.analyze.ok && inputs.analyze.value.compared) {
    const serious = inputs.analyze.value.added.filter((finding) => finding.level !== 'Info').length;
    if (serious > 0) attention.push(`${plural(serious, 'new analyze finding')} (errors or warnings)`);
  }
  if (inputs.rootCa.ok) {
    // The latest-expiring root is the one the mesh can keep using; an older one in the bundle is being retired.
    const root = inputs.rootCa.value.roots[0];
    if (root && root.daysRemaining < ROOT_CA_CRITICAL_DAYS) critical.push(`root CA ${days(root.daysRemaining)}`);
    else if (root && root.daysRemaining < ROOT_CA_WARN_DAYS) attention.push(`root CA ${days(root.daysRemaining)}`);
  }
  if (inputs.workloadCerts.ok) {
    const expiring = inputs.workloadCerts.value.expiring;
    const expired = expiring.filter((cert) => cert.daysRemaining < 0).length;
    if (expired > 0) critical.push(`${plural(expired, 'workload certificate')} expired`);
    if (expiring.length - expired > 0) attention.push(`${plural(expiring.length - expired, 'workload certificate')} expiring within ${WORKLOAD_CERT_WARN_DAYS} days`);
  }

  const level: DigestLevel = critical.length > 0 ? 'critical' : attention.length > 0 ? 'attention' : 'healthy';
  return { level, reasons: [...critical, ...attention], unavailable };
}
