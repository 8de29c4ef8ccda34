import { formatSpan } from '../certificate-health.ts';
import type { AmbientFacts, AmbientGone, Digest, DigestLevel, DigestVerdict, WorkloadCertificate } from './types.ts';

export type VerdictInputs = Pick<Digest, 'controlPlane' | 'proxies' | 'skew' | 'analyze' | 'rootCa' | 'workloadCerts' | 'canaries' | 'pending' | 'ambient' | 'controlPlaneMissing'> & Partial<Pick<Digest, 'namespaces'>>;

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** "1 workload certificate overdue for rotation (by up to 5 h)"; the longest delay says how stuck rotation is. */
function certificateReasons(problems: readonly WorkloadCertificate[]): { critical: string[]; attention: string[] } {
  const expired = problems.filter((cert) => cert.health.state === 'expired');
  const expiring = problems.filter((cert) => cert.health.level === 'critical' && cert.health.state === 'expiring');
  const overdue = problems.filter((cert) => cert.health.state === 'rotation-overdue');
  const missing = problems.filter((cert) => cert.health.state === 'missing');
  const other = problems.filter((cert) => cert.health.level === 'attention' && cert.health.state !== 'rotation-overdue' && cert.health.state !== 'missing');
  const untrusted = problems.filter((cert) => cert.health.state === 'untrusted');
  // Whatever else the shared rule calls critical (a certificate never valid) stays critical here: no state falls through to green.
  const otherCritical = problems.filter((cert) => cert.health.level === 'critical' && !['expired', 'expiring', 'untrusted'].includes(cert.health.state));
  const longest = Math.max(...overdue.map((cert) => cert.health.overdueMs ?? 0));
  const every = (certs: readonly WorkloadCertificate[], role: string) => certs.every((cert) => cert.health.role === role);
  const count = (certs: readonly WorkloadCertificate[]) => plural(certs.length, every(certs, 'workload') ? 'workload certificate' : every(certs, 'ca') ? 'proxy CA' : 'certificate');
  return {
    critical: [
      ...(expired.length > 0 ? [`${count(expired)} expired`] : []),
      ...(expiring.length > 0 ? [`${count(expiring)} about to expire`] : []),
      ...(untrusted.length > 0 ? [`${count(untrusted)} issued under a root ${untrusted.length === 1 ? 'its proxy does' : 'their proxies do'} not trust (a root rotation half done)`] : []),
      ...(otherCritical.length > 0 ? [`${count(otherCritical)} critical`] : []),
    ],
    attention: [
      ...(overdue.length > 0 ? [`${count(overdue)} overdue for rotation (by up to ${formatSpan(longest)})`] : []),
      ...(missing.length > 0 ? [`${count(missing)} not issued yet (Envoy is waiting for ${missing.length === 1 ? 'it' : 'them'})`] : []),
      ...(other.length > 0 ? [`${count(other)} expiring or not yet valid`] : []),
    ],
  };
}

/**
 * Every ztunnel gone: critical while namespaces are labelled ambient (their pods' traffic goes through the ztunnel of
 * their node, like "no ztunnel is ready") or when that cannot be told on the digest that first sees it; only
 * attention when no namespace is ambient any more (most likely ambient mode was removed on purpose), said once.
 */
function goneReasons(facts: AmbientGone): { critical: string[]; attention: string[]; unavailable: string[] } {
  const { ready, desired } = facts.lastSeen;
  const namespaces = facts.ambientNamespaces.ok ? facts.ambientNamespaces.value.length : null;
  const reason = facts.news
    ? `no ztunnel runs any more (last digest: ${ready}/${desired} ready)`
    : namespaces !== null && namespaces > 0
      ? `no ztunnel runs though ${plural(namespaces, 'namespace is', 'namespaces are')} labelled ambient`
      : 'no ztunnel runs';
  const critical = (namespaces === null && facts.news) || (namespaces !== null && namespaces > 0);
  return { critical: critical ? [reason] : [], attention: critical ? [] : [reason], unavailable: namespaces === null ? ['ambient namespaces'] : [] };
}

/**
 * Ambient: no ready ztunnel, or a ztunnel certificate expired or about to, is critical (pods on those nodes lose
 * mTLS); fewer ready ztunnels than desired, a certificate whose rotation is overdue, certificates not Available,
 * waypoints not programmed and pods in ambient namespaces that are not captured need attention.
 */
function ambientReasons(facts: AmbientFacts): { critical: string[]; attention: string[]; unavailable: string[] } {
  if (facts.kind === 'gone') return goneReasons(facts);
  const critical: string[] = [];
  const attention: string[] = [];
  const unavailable: string[] = [];
  const { ready, desired } = facts.ztunnels;
  if (desired > 0 && ready === 0) critical.push('no ztunnel is ready');
  else if (ready < desired) attention.push(`ztunnels ${ready}/${desired} ready`);
  // What `status` calls degraded beside the ztunnels: pods on a node without a ready istio-cni agent or ztunnel cannot
  // be captured, and a ztunnel without a connection to istiod gets no workload or policy updates.
  // Without the DaemonSets, pods cannot tell a node that has no ztunnel pod at all, nor the node agents: unread, not fine.
  if (facts.daemonSetsUnread) unavailable.push(DAEMON_SETS);
  const agents = facts.nodeAgents;
  if (agents?.cni === null) attention.push('no istio-cni node agent');
  else if (agents?.cni && agents.cni.ready < agents.cni.desired) attention.push(`istio-cni node agent ${agents.cni.ready}/${agents.cni.desired} ready`);
  if (agents && agents.nodesWithoutZtunnel > 0) attention.push(`${plural(agents.nodesWithoutZtunnel, 'node runs', 'nodes run')} istio-cni but no ztunnel`);
  const notConnected = facts.connected === undefined || facts.connected === null ? 0 : Math.max(0, ready - facts.connected);
  if (notConnected > 0) attention.push(`${plural(notConnected, 'ready ztunnel')} not connected to istiod`);
  const notSynced = facts.notSynced ?? 0;
  if (notSynced > 0) attention.push(`${plural(notSynced, 'ztunnel')} without every WDS/WADS SYNCED`);
  if (facts.certificates.ok) {
    const judged = facts.certificates.value.worst ?? facts.certificates.value.earliest;
    const what = judged?.health.role === 'ca' ? 'ztunnel CA certificate' : 'ztunnel certificate';
    if (judged?.health.level === 'critical') critical.push(`${what} ${judged.health.summary}`);
    else if (judged?.health.level === 'attention') attention.push(`${what} ${judged.health.summary}`);
    // An identity ztunnel holds no certificate for (Initializing, Unavailable) has no dates to judge, but its pods
    // have no mTLS identity: a look is needed, as for a sidecar secret Envoy still waits for (WARMING).
    const notAvailable = facts.certificates.value.notAvailable;
    if (notAvailable > 0) attention.push(`${plural(notAvailable, 'ztunnel certificate')} not Available`);
    const unread = facts.certificates.value.unread.length;
    if (unread > 0) unavailable.push(`certificates of ${unread} of ${plural(unread + facts.certificates.value.sampled.length, 'sampled ztunnel')}`);
  } else unavailable.push('ztunnel certificates');
  if (facts.waypoints.ok) {
    const count = facts.waypoints.value.notProgrammed.length;
    if (count > 0) attention.push(`${plural(count, 'waypoint')} not programmed`);
  } else unavailable.push('waypoints');
  if (facts.notCaptured.ok) {
    const count = facts.notCaptured.value.length;
    if (count > 0) attention.push(`${plural(count, 'pod')} in ambient namespaces not captured`);
  } else unavailable.push('ambient capture');
  return { critical, attention, unavailable };
}

/** The name the verdict and the JSON errors give the ambient DaemonSets when they could not be listed. */
export const DAEMON_SETS = 'ztunnel and istio-cni DaemonSets';

const INFORMATION_ONLY: ReadonlySet<string> = new Set(['canaries', 'approval requests']);

/**
 * What a reader must know first: critical when the mesh is broken or about to be (no ready istiod, a root CA under
 * its critical days, a certificate expired or about to); attention for anything that got worse or needs a look,
 * such as a workload certificate whose rotation is overdue, or a part that could not be read; healthy otherwise.
 * Certificates are judged by the one rule of src/mesh/certificate-health.ts. Canaries and pending requests are
 * information, not problems. istioctl finding no running istiod is critical, as `status` calls it control plane down.
 */
export function decideVerdict(inputs: VerdictInputs): DigestVerdict {
  const critical: string[] = [];
  const attention: string[] = [];
  const unavailable: string[] = [];
  const names: [Exclude<keyof VerdictInputs, 'ambient' | 'controlPlaneMissing' | 'namespaces'>, string][] = [
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

  const noIstiodPods = inputs.controlPlane.ok && inputs.controlPlane.value.istiods.length === 0;
  if (inputs.controlPlaneMissing === true && !noIstiodPods) critical.push('istioctl finds no running istiod');
  if (inputs.controlPlane.ok) {
    const { istiods, ready, restartsSinceLast } = inputs.controlPlane.value;
    if (istiods.length === 0 || ready === 0) critical.push(istiods.length === 0 ? 'no istiod pods' : 'no istiod pod is ready');
    else if (ready < istiods.length) attention.push(`istiod ${ready}/${istiods.length} ready`);
    if (restartsSinceLast !== null && restartsSinceLast > 0) attention.push(`${plural(restartsSinceLast, 'istiod restart')} since the last digest`);
  }
  if (inputs.proxies.ok) {
    const { stale, error, total, previous, syncUnknown } = inputs.proxies.value;
    if (syncUnknown === true) unavailable.push('proxy sync states');
    // No proxy is never green (as `status` says "no proxies"); every one gone since the last digest is said as such.
    const none = inputs.namespaces === undefined ? 'no proxies connected to istiod' : `no proxies in ${inputs.namespaces.join(', ')}`;
    if (total === 0) attention.push(previous !== null && previous.total > 0 ? `${none} any more (last digest: ${previous.total})` : none);
    if (error > 0) attention.push(`${plural(error, 'proxy', 'proxies')} in ERROR`);
    if (stale > 0) attention.push(`${plural(stale, 'proxy', 'proxies')} STALE`);
    const lost = inputs.proxies.value.notConnected?.length ?? 0;
    if (lost > 0) attention.push(`${plural(lost, 'sidecar')} not connected to istiod`);
  }
  if (inputs.skew.ok) {
    const behind = inputs.skew.value.mismatched.reduce((sum, entry) => sum + entry.count, 0);
    if (behind > 0) attention.push(`${plural(behind, 'proxy', 'proxies')} on a version istiod does not run`);
  }
  if (inputs.analyze.ok) {
    const { compared, added, byLevel } = inputs.analyze.value;
    const serious = compared ? added.filter((finding) => finding.level !== 'Info').length : 0;
    // Errors that are not new still need a look (as `/mesh analyze` says in red), first digest included.
    if (serious > 0) attention.push(`${plural(serious, 'new analyze finding')} (errors or warnings)`);
    else if (byLevel.Error > 0) attention.push(plural(byLevel.Error, 'analyze error'));
  }
  if (inputs.rootCa.ok) {
    // The latest-expiring root is the one the mesh can keep using; an older one in the bundle is being retired.
    const root = inputs.rootCa.value.roots[0];
    if (root?.health.level === 'critical') critical.push(`root CA ${root.health.summary}`);
    else if (root?.health.level === 'attention') attention.push(`root CA ${root.health.summary}`);
  }
  if (inputs.workloadCerts.ok) {
    const reasons = certificateReasons(inputs.workloadCerts.value.problems);
    critical.push(...reasons.critical);
    attention.push(...reasons.attention);
    // A sampled proxy whose certificates could not be read (its Envoy unreachable) is no proxy on schedule: the
    // sample stands for the mesh only as far as it was read.
    const { unread, sampled } = inputs.workloadCerts.value;
    if (unread.length > 0) unavailable.push(`certificates of ${unread.length} of ${plural(sampled.length, 'sampled proxy', 'sampled proxies')}`);
  }

  const ambient = inputs.ambient;
  if (ambient && !ambient.ok) unavailable.push('ambient');
  if (ambient?.ok) {
    const reasons = ambientReasons(ambient.value);
    critical.push(...reasons.critical);
    attention.push(...reasons.attention);
    unavailable.push(...reasons.unavailable);
  }

  // A part that could not be read is not a healthy part: the verdict never turns green over it. Canaries and
  // approval requests are information, not health, so they alone leave a healthy verdict healthy.
  const unreadHealth = unavailable.filter((name) => !INFORMATION_ONLY.has(name));
  const level: DigestLevel = critical.length > 0 ? 'critical' : attention.length > 0 || unreadHealth.length > 0 ? 'attention' : 'healthy';
  return { level, reasons: [...critical, ...attention], unavailable };
}
