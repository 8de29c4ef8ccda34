import type { SecretCertificate } from '../istioctl/parsers/proxy-config.ts';

/**
 * One rule for "is this certificate healthy?", used by `proxy-config secret`, `proxy-config all` and the digest
 * (and meant for ztunnel certificates too: anything with a role and notBefore/notAfter can be judged).
 *
 * Workload certificates are short-lived and rotated by the proxy's agent, so a fixed "expires within N days"
 * says nothing: a healthy 24-hour certificate always expires within a day. What matters is whether rotation
 * happens on schedule. Istio's defaults (istio/istio):
 * - pilot/cmd/pilot-agent/options/options.go: `SECRET_TTL` 24h (the lifetime the agent requests) and
 *   `SECRET_GRACE_PERIOD_RATIO` 0.5.
 * - security/pkg/nodeagent/cache/secretcache.go, `rotateTime`: the agent rotates when `ratio x lifetime` is left,
 *   lifetime being ExpireTime - CreatedTime, with the ratio moved by up to `SECRET_GRACE_PERIOD_RATIO_JITTER`
 *   (0.01) so that a fleet does not renew at once. A 24-hour certificate is therefore replaced about 12 hours
 *   before it expires, give or take ~15 minutes.
 * - istio/ztunnel, `WorkloadCertificate::refresh_at`: ztunnel refreshes at notBefore + lifetime / 2, the same
 *   half-life without jitter, so its certificates are judged with role `workload` unchanged.
 * Root and intermediate CAs (istiod's self-signed root, plugged-in `cacerts`) live for years and are rotated by
 * people, so they keep a days-based threshold.
 */

/** Istio's default `SECRET_GRACE_PERIOD_RATIO`: the share of its lifetime a workload certificate has left when it is rotated. */
export const ISTIO_GRACE_PERIOD_RATIO = 0.5;
/**
 * Slack before a missed rotation is reported: Istio's jitter (0.01 of the lifetime) plus time for the agent's
 * retries when istiod is briefly unreachable. 5 % is 72 minutes for a 24-hour certificate, 4.5 days for a 90-day one.
 */
export const ROTATION_MARGIN_RATIO = 0.05;
/** Below this share of its lifetime left, a certificate is critical: it expires before anyone could wait for a retry. */
export const CRITICAL_REMAINING_RATIO = 0.1;
/**
 * Certificates rotated by someone else than Istio (gateway `credentialName` Secrets, mostly from cert-manager):
 * cert-manager renews at two thirds of the lifetime by default, so less than a third left means renewal is late.
 */
export const EXTERNAL_RENEW_REMAINING_RATIO = 1 / 3;

/**
 * The config's `certificates` (src/config.ts): days-based thresholds for CAs, and the share of its lifetime a
 * sidecar's workload certificate has left when its agent rotates it, for a mesh that sets the agents'
 * `SECRET_GRACE_PERIOD_RATIO` (meshConfig.defaultConfig.proxyMetadata); Istio's default when absent.
 */
export interface CaThresholds {
  readonly caWarnDays: number;
  readonly caCriticalDays: number;
  readonly workloadGraceRatio?: number;
}

/** Rotating a root takes planning (new cacerts, trust bundle roll-out), so the warning comes a quarter ahead. */
export const DEFAULT_CA_THRESHOLDS: CaThresholds = { caWarnDays: 90, caCriticalDays: 14 };

/**
 * `workload`: the proxy's own identity, issued by Istio's CA and rotated by the agent (`default`, ztunnel
 * certificates). `ca`: a root or intermediate. `other`: a leaf Istio serves but does not rotate (gateway
 * credentials, DestinationRule client certificates).
 */
export type CertificateRole = 'workload' | 'ca' | 'other';

export type HealthLevel = 'healthy' | 'attention' | 'critical';

export type HealthState =
  | 'ok'
  /** A workload certificate past its rotation time (plus the margin). */
  | 'rotation-overdue'
  /** A CA or externally rotated certificate inside its warning window, or any certificate nearly expired. */
  | 'expiring'
  | 'expired'
  | 'not-yet-valid'
  /** No certificate to judge: a WARMING secret, or dates that could not be read. */
  | 'missing'
  /** A workload certificate issued under a root the proxy's own trust bundle (ROOTCA) does not hold. */
  | 'untrusted';

export interface CertificateHealth {
  readonly role: CertificateRole;
  readonly level: HealthLevel;
  readonly state: HealthState;
  /** Milliseconds from the judging time to notAfter (negative once expired); null when unknown. */
  readonly remainingMs: number | null;
  /** notBefore to notAfter; null when unknown. */
  readonly lifetimeMs: number | null;
  /** Workload certificates: when the agent should have replaced it (ISO 8601); null otherwise. */
  readonly rotationDueAt: string | null;
  /** How long past rotationDueAt; null unless rotation is overdue. */
  readonly overdueMs: number | null;
  /**
   * A short phrase: "healthy", "rotation overdue by 2 h", "expired 3 days ago", "expires in 10 days", "not valid for
   * another 5 min". Spans, never dates: a digest shows every time in its own zone, and this text is the same in all.
   */
  readonly summary: string;
  /** What to do next; '' when nothing is needed. */
  readonly action: string;
}

export interface CertificateFacts {
  readonly role: CertificateRole;
  /** RFC 3339 / ISO 8601; '' when unknown. */
  readonly notBefore: string;
  readonly notAfter: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** "45 min", "9 h", "3 days": hours below two days, where a 24-hour certificate lives. */
export function formatSpan(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < HOUR_MS) return `${Math.max(1, Math.floor(abs / 60_000))} min`;
  if (abs < 2 * DAY_MS) return `${Math.floor(abs / HOUR_MS)} h`;
  return plural(Math.floor(abs / DAY_MS), 'day');
}

/** "9 h left", "60 days left", "expired 3 h ago", "expiry unknown". */
export function remainingText(remainingMs: number | null): string {
  if (remainingMs === null) return 'expiry unknown';
  return remainingMs <= 0 ? `expired ${formatSpan(remainingMs)} ago` : `${formatSpan(remainingMs)} left`;
}

/**
 * A row of `proxy-config secret` by what rotates it: CAs by type, the agent-issued identity by its SDS name
 * (`default`, security.WorkloadKeyCertResourceName in istio/istio), everything else is served but not rotated by Istio.
 */
export function secretRole(secret: { readonly name: string; readonly type: string }): CertificateRole {
  if (secret.type === 'CA') return 'ca';
  return secret.name === 'default' ? 'workload' : 'other';
}

const ACTIONS = {
  workloadOverdue: 'check that the proxy reaches istiod (`/mesh status`) and look for certificate errors in its istio-proxy container log',
  workloadCritical: 'restart the pod to get a new certificate now, then find out why rotation stopped (istio-proxy log, istiod)',
  caExpiring: 'plan the CA rotation: new cacerts, then restart istiod and roll the workloads',
  caCritical: 'rotate the CA now: workloads that trust only this one stop talking to each other when it expires',
  otherExpiring: 'renew it where it is issued (for a gateway: the Secret named in credentialName)',
  notYetValid: 'check the clocks of the node and of the CA that issued it',
  missing: 'Envoy is waiting for this secret: check that what it refers to exists and that istiod may read it',
  clientCa: 'renew the CA bundle in the Secret named in the gateway\'s credentialName (its ca.crt): clients whose certificates it signed are refused once it expires',
  untrusted: 'a root rotation is half done: put the root istiod now signs with into the trust bundle beside the old one (cacerts root-cert.pem), then restart the pods',
} as const;

/**
 * A workload certificate whose root the proxy's ROOTCA does not hold (SecretCertificate.untrustedRoot): its peers,
 * trusting what it trusts, cannot verify it, so mTLS fails whatever its dates say. An expired one stays expired.
 */
function untrusted(judged: CertificateHealth, rootSerial: string): CertificateHealth {
  if (judged.state === 'expired') return judged;
  return { ...judged, level: 'critical', state: 'untrusted', summary: `issued under root ${rootSerial}, which its ROOTCA does not hold`, action: ACTIONS.untrusted };
}

function health(facts: CertificateFacts, fields: Omit<CertificateHealth, 'role'>): CertificateHealth {
  return { role: facts.role, ...fields };
}

/** Judges one certificate at `now`; see the module comment for the rule. */
export function judgeCertificate(facts: CertificateFacts, now: Date, ca: CaThresholds = DEFAULT_CA_THRESHOLDS): CertificateHealth {
  const graceRatio = ca.workloadGraceRatio ?? ISTIO_GRACE_PERIOD_RATIO;
  const notAfter = facts.notAfter === '' ? Number.NaN : Date.parse(facts.notAfter);
  const notBefore = facts.notBefore === '' ? Number.NaN : Date.parse(facts.notBefore);
  const none = { rotationDueAt: null, overdueMs: null };
  if (Number.isNaN(notAfter)) {
    return health(facts, { level: 'attention', state: 'missing', remainingMs: null, lifetimeMs: null, ...none, summary: 'no certificate yet', action: ACTIONS.missing });
  }
  const remainingMs = notAfter - now.getTime();
  const lifetimeMs = Number.isNaN(notBefore) || notBefore >= notAfter ? null : notAfter - notBefore;
  const base = { remainingMs, lifetimeMs };
  const criticalAction = facts.role === 'ca' ? ACTIONS.caCritical : facts.role === 'workload' ? ACTIONS.workloadCritical : ACTIONS.otherExpiring;
  if (remainingMs <= 0) {
    return health(facts, { level: 'critical', state: 'expired', ...base, ...none, summary: `expired ${formatSpan(remainingMs)} ago`, action: criticalAction });
  }
  // An empty validity window: no clock makes it valid, so it is as unusable as an expired one (and counted as such).
  if (!Number.isNaN(notBefore) && notBefore >= notAfter) {
    return health(facts, { level: 'critical', state: 'expired', ...base, ...none, summary: `never valid: its NOT AFTER is ${notAfter === notBefore ? 'its NOT BEFORE' : `${formatSpan(notBefore - notAfter)} before its NOT BEFORE`}`, action: criticalAction });
  }
  if (!Number.isNaN(notBefore) && now.getTime() < notBefore) {
    return health(facts, { level: 'attention', state: 'not-yet-valid', ...base, ...none, summary: `not valid for another ${formatSpan(notBefore - now.getTime())}`, action: ACTIONS.notYetValid });
  }
  if (facts.role === 'ca') {
    const days = Math.floor(remainingMs / DAY_MS);
    if (days < ca.caCriticalDays) return health(facts, { level: 'critical', state: 'expiring', ...base, ...none, summary: `expires in ${formatSpan(remainingMs)}`, action: ACTIONS.caCritical });
    if (days < ca.caWarnDays) return health(facts, { level: 'attention', state: 'expiring', ...base, ...none, summary: `expires in ${formatSpan(remainingMs)}`, action: ACTIONS.caExpiring });
    return health(facts, { level: 'healthy', state: 'ok', ...base, ...none, summary: 'healthy', action: '' });
  }
  // Without a lifetime nothing can be said about rotation; only expiry (handled above) is certain.
  if (lifetimeMs === null) return health(facts, { level: 'healthy', state: 'ok', ...base, ...none, summary: 'valid (issue date unknown)', action: '' });
  if (remainingMs < CRITICAL_REMAINING_RATIO * lifetimeMs) {
    const overdue = facts.role === 'workload' ? overdueFields(notAfter, lifetimeMs, now, graceRatio) : none;
    const late = overdue.overdueMs === null ? '' : `, rotation overdue by ${formatSpan(overdue.overdueMs)}`;
    return health(facts, { level: 'critical', state: 'expiring', ...base, ...overdue, summary: `expires in ${formatSpan(remainingMs)}${late}`, action: criticalAction });
  }
  if (facts.role === 'other') {
    if (remainingMs < EXTERNAL_RENEW_REMAINING_RATIO * lifetimeMs) {
      return health(facts, { level: 'attention', state: 'expiring', ...base, ...none, summary: `expires in ${formatSpan(remainingMs)}, renewal is late`, action: ACTIONS.otherExpiring });
    }
    return health(facts, { level: 'healthy', state: 'ok', ...base, ...none, summary: 'healthy', action: '' });
  }
  const overdue = overdueFields(notAfter, lifetimeMs, now, graceRatio);
  if (remainingMs < (graceRatio - ROTATION_MARGIN_RATIO) * lifetimeMs && overdue.overdueMs !== null) {
    return health(facts, { level: 'attention', state: 'rotation-overdue', ...base, ...overdue, summary: `rotation overdue by ${formatSpan(overdue.overdueMs)}`, action: ACTIONS.workloadOverdue });
  }
  const dueIn = Date.parse(overdue.rotationDueAt) - now.getTime();
  const when = dueIn > 0 ? `rotates in about ${formatSpan(dueIn)}` : 'rotation due now';
  return health(facts, { level: 'healthy', state: 'ok', ...base, rotationDueAt: overdue.rotationDueAt, overdueMs: null, summary: `healthy, ${when}`, action: '' });
}

function overdueFields(notAfter: number, lifetimeMs: number, now: Date, graceRatio: number): { rotationDueAt: string; overdueMs: number | null } {
  const due = notAfter - graceRatio * lifetimeMs;
  return { rotationDueAt: new Date(due).toISOString(), overdueMs: now.getTime() > due ? now.getTime() - due : null };
}

const SEVERITY: Readonly<Record<HealthLevel, number>> = { healthy: 0, attention: 1, critical: 2 };

/** The worse of the levels; 'healthy' for none. */
export function worstLevel(levels: Iterable<HealthLevel>): HealthLevel {
  let worst: HealthLevel = 'healthy';
  for (const level of levels) if (SEVERITY[level] > SEVERITY[worst]) worst = level;
  return worst;
}

/** For sorting: critical first, then attention, then healthy; within a level the least time left (or none known) first. */
export function bySeverity(a: { readonly health: CertificateHealth }, b: { readonly health: CertificateHealth }): number {
  const left = (health: CertificateHealth) => health.remainingMs ?? Number.NEGATIVE_INFINITY;
  const [x, y] = [left(a.health), left(b.health)];
  return SEVERITY[b.health.level] - SEVERITY[a.health.level] || (x < y ? -1 : x > y ? 1 : 0);
}

/** State and time left, without the advice: "CRITICAL, expired 3 h ago", "rotation overdue by 2 h, 9 h left". */
export function describeHealth(health: CertificateHealth): string {
  const parts = [
    ...(health.level === 'critical' ? ['CRITICAL'] : []),
    health.summary,
    // The summary already says "expired …" or "expires in …" for the other states.
    ...(health.state === 'ok' || health.state === 'rotation-overdue' || health.state === 'untrusted' ? [remainingText(health.remainingMs)] : []),
  ];
  return parts.join(', ');
}

/** The `health` object of JSON outputs. */
export function healthJson(health: CertificateHealth): Record<string, unknown> {
  return {
    level: health.level,
    state: health.state,
    role: health.role,
    summary: health.summary,
    action: health.action,
    hoursRemaining: health.remainingMs === null ? null : Math.floor(health.remainingMs / HOUR_MS),
    rotationDueAt: health.rotationDueAt,
    overdueMinutes: health.overdueMs === null ? null : Math.floor(health.overdueMs / 60_000),
  };
}

const ROLE_LABEL: Readonly<Record<CertificateRole, string>> = { workload: 'workload certificate', ca: 'CA', other: 'certificate' };

export function roleLabel(role: CertificateRole): string {
  return ROLE_LABEL[role];
}

// ---- the rows of `proxy-config secret` ----

/** DESIGN.md section 5 `certificates` item, plus the judgement the renderers show. */
export interface CertificateStatus extends SecretCertificate {
  /** Whole days from the judging time to notAfter (negative once expired); null when the expiry is unknown. */
  readonly daysRemaining: number | null;
  /** Rotation overdue or expiring (not yet expired). */
  readonly expiringSoon: boolean;
  /** Anything but healthy: what an on-call engineer must look at. */
  readonly needsAttention: boolean;
  readonly health: CertificateHealth;
}

export interface CertificatesSummary {
  readonly certificates: readonly CertificateStatus[];
  /** Certificates that are not healthy (attention or critical). */
  readonly needingAttention: number;
  readonly critical: number;
  readonly level: HealthLevel;
}

/** One certificate of a proxy's secrets, as `pc secret`, `pc all` and the digest judge it: by its dates and, for the workload chain, by whether the proxy's ROOTCA holds its root. */
export function judgeSecretCertificate(cert: SecretCertificate, now: Date, ca?: CaThresholds): CertificateHealth {
  const dated = judgeCertificate({ role: secretRole(cert), notBefore: cert.notBefore, notAfter: cert.notAfter }, now, ca);
  // A gateway's client CA bundle (`kubernetes://NAME-cacert`, `file-root:…`: the ca.crt of a credentialName Secret or
  // a mounted file for MUTUAL TLS) is the operator's, not the mesh CA: new cacerts and an istiod restart renew nothing.
  if (cert.type === 'CA' && /^(kubernetes:\/\/|file-root:)/.test(cert.name) && (dated.action === ACTIONS.caExpiring || dated.action === ACTIONS.caCritical)) return { ...dated, action: ACTIONS.clientCa };
  return cert.untrustedRoot === undefined ? dated : untrusted(dated, cert.untrustedRoot);
}

export function summarizeCertificates(certificates: readonly SecretCertificate[], options: { readonly now: Date; readonly ca?: CaThresholds }): CertificatesSummary {
  const out = certificates.map((cert): CertificateStatus => {
    const judged = judgeSecretCertificate(cert, options.now, options.ca);
    return {
      ...cert,
      daysRemaining: judged.remainingMs === null ? null : Math.floor(judged.remainingMs / DAY_MS),
      expiringSoon: judged.state === 'rotation-overdue' || judged.state === 'expiring',
      needsAttention: judged.level !== 'healthy',
      health: judged,
    };
  });
  return {
    certificates: out,
    needingAttention: out.filter((cert) => cert.needsAttention).length,
    critical: out.filter((cert) => cert.health.level === 'critical').length,
    level: worstLevel(out.map((cert) => cert.health.level)),
  };
}
