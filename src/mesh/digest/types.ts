import type { AnalyzeFinding, AnalyzeLevel } from '../../istioctl/parsers/analyze.ts';
import type { Result } from '../../result.ts';
import type { CertificateHealth } from '../certificate-health.ts';
import type { ProblemProxy, VersionSkew } from '../status.ts';
import type { AmbientBaselineFacts, NamesSinceLast } from './ambient.ts';

/**
 * One area of the digest: its facts, or one sentence saying why they could not be read. A failing area never
 * fails the digest; the renderers show "unavailable: <reason>" in its place.
 */
export type Section<T> = Result<T, string>;

export interface IstiodFacts {
  readonly name: string;
  readonly ready: boolean;
  readonly version: string;
  /** Container restarts since the pod started (Kubernetes' restartCount). */
  readonly restarts: number;
  /** Restarts since the previous digest; null on the first digest (nothing to compare with). */
  readonly restartsSinceLast: number | null;
  /** The pod did not exist at the previous digest (rollout, reschedule); false on the first digest. */
  readonly isNew: boolean;
}

export interface ControlPlaneFacts {
  readonly istiods: readonly IstiodFacts[];
  readonly ready: number;
  /** Sum of restartsSinceLast; null on the first digest. */
  readonly restartsSinceLast: number | null;
  /** istiod pods of the previous digest that are gone now. */
  readonly gone: readonly string[];
  /** istiod pods that have ended (`istiod-… (Evicted)`): mentioned, not counted as istiods. */
  readonly ended?: readonly string[];
}

export interface ProxyCounts {
  readonly total: number;
  readonly stale: number;
  readonly error: number;
}

export interface ProxyFacts extends ProxyCounts {
  readonly healthy: number;
  /** False for istioctl outputs without per-type states (1.27+ default table). */
  readonly statesKnown: boolean;
  /**
   * True when Envoy proxies (not only ztunnels, whose states older tables never show) are listed without any sync
   * state: nothing can be said about their sync, as `status` answers Unknown then.
   */
  readonly syncUnknown?: boolean;
  /** Every STALE / ERROR proxy, worst first (renderers show the first few). */
  readonly problems: readonly ProblemProxy[];
  /** The counts at the previous digest; null on the first one. */
  readonly previous: ProxyCounts | null;
  /**
   * A scoped digest's pods with a ready sidecar that no istiod lists (`pod.namespace`, sorted); null when not compared
   * (whole mesh, or their pods could not be listed).
   */
  readonly notConnected?: readonly string[] | null;
}

export interface AnalyzeFacts {
  readonly total: number;
  readonly byLevel: Readonly<Record<AnalyzeLevel, number>>;
  /** False on the first digest: then `added` and `resolved` are empty rather than "everything is new". */
  readonly compared: boolean;
  /** Findings that were not there at the previous digest, errors first. */
  readonly added: readonly AnalyzeFinding[];
  /** Findings of the previous digest that are gone; their `message` is '' (snapshots keep no messages). */
  readonly resolved: readonly AnalyzeFinding[];
  readonly unchanged: number;
}

export interface RootCertificate {
  readonly subject: string;
  /** ISO 8601. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** Whole days from the digest's time to notAfter; negative once expired. */
  readonly daysRemaining: number;
  /** Lowercase hex, as node:crypto prints it. */
  readonly serial: string;
  /** Judged with the CA thresholds of the config (src/mesh/certificate-health.ts). */
  readonly health: CertificateHealth;
}

export interface RootCaFacts {
  /** Namespace whose `istio-ca-root-cert` ConfigMap was read. */
  readonly namespace: string;
  /** Every root in the bundle (more than one while a root is being rotated), latest expiry first. */
  readonly roots: readonly RootCertificate[];
  /** The bundle's serials differ from the previous digest's; null on the first digest. */
  readonly rotated: boolean | null;
}

export interface WorkloadCertificate {
  /** istioctl's `pod.namespace`. */
  readonly proxy: string;
  /** Secret name (`default` for the workload chain, `kubernetes://…` for a gateway credential). */
  readonly name: string;
  readonly notBefore: string;
  /** '' for a secret Envoy is still waiting for (WARMING). */
  readonly notAfter: string;
  /** null when there is no certificate yet. */
  readonly daysRemaining: number | null;
  /** istioctl's STATUS column (`ACTIVE`, `WARMING`); absent in facts built before it was kept. */
  readonly status?: string;
  /** Workload chains by their rotation, other certificates by their lifetime (src/mesh/certificate-health.ts). */
  readonly health: CertificateHealth;
}

export interface WorkloadCertFacts {
  /** Proxies whose certificates were read (`pod.namespace`), sorted. */
  readonly sampled: readonly string[];
  /** Proxies in scope the sample was drawn from. */
  readonly inScope: number;
  /** Certificates read from the sample (every leaf; the roots the proxies hold are judged too, listed in `problems` only). */
  readonly checked: number;
  /** The certificates read that are not healthy (rotation overdue, expiring, expired; roots by the CA thresholds), worst first. */
  readonly problems: readonly WorkloadCertificate[];
  /** Sampled proxies whose certificates could not be read, with the reason. */
  readonly unread: readonly { readonly proxy: string; readonly reason: string }[];
}

export interface CanaryRoute {
  readonly namespace: string;
  readonly virtualService: string;
  /** The HTTP route's name, or `#index` when it has none. */
  readonly route: string;
  readonly destinations: readonly { readonly host: string; readonly subset: string; readonly weight: number }[];
}

export interface PendingPromotion {
  readonly id: string;
  readonly namespace: string;
  readonly virtualService: string;
  /** "v1 90% / v2 10% → v1 50% / v2 50%". */
  readonly change: string;
  readonly requester: string;
  readonly expiresAt: string;
}

/**
 * A ztunnel certificate of a bounded sample (identity certificates and the roots ztunnel holds), judged by the one
 * rule: an identity certificate by its rotation, a root by the CA thresholds.
 */
export interface ZtunnelCertificateEntry {
  readonly ztunnel: string;
  /** istioctl's TYPE: `Leaf` (ztunnel's identity certificate for a workload), `Intermediate`/`CA`, `Root`. */
  readonly type: string;
  /** The SPIFFE identity the certificate is for. */
  readonly name: string;
  readonly notAfter: string;
  readonly daysRemaining: number | null;
  readonly health: CertificateHealth;
}

export interface ZtunnelCertificateSample {
  /** ztunnel pods whose certificates were read. */
  readonly sampled: readonly string[];
  /** ztunnel pods in the mesh the sample was drawn from. */
  readonly ztunnels: number;
  readonly earliest: ZtunnelCertificateEntry | null;
  /** The least healthy certificate when it is not healthy (it may not be the earliest: rotation overdue). */
  readonly worst: ZtunnelCertificateEntry | null;
  /** Rows `Initializing` / `Unavailable` in the sample. */
  readonly notAvailable: number;
  readonly unread: readonly { readonly ztunnel: string; readonly reason: string }[];
}

/** The ambient data plane (digests of meshes that run ztunnels); each part may be unavailable alone. */
export interface AmbientRunning {
  readonly kind: 'running';
  /**
   * From the ztunnel DaemonSet: `desired` is the nodes that should run one (every node its scheduling allows),
   * `ready` those whose ztunnel is ready. Without a DaemonSet, from the ztunnel pods.
   */
  readonly ztunnels: { readonly ready: number; readonly desired: number };
  /**
   * The node agents beside the ztunnel DaemonSet, as `status` judges them; null when not known (the DaemonSets could
   * not be read, or ztunnels run without a DaemonSet in this cluster). Absent in facts built before it existed.
   */
  readonly nodeAgents?: {
    /** The istio-cni node agent's DaemonSet; null when none runs in any namespace (no new pod can be captured). */
    readonly cni: { readonly ready: number; readonly desired: number } | null;
    /** Nodes the istio-cni agent is scheduled on and the ztunnel DaemonSet is not. */
    readonly nodesWithoutZtunnel: number;
  } | null;
  /**
   * Why the DaemonSets could not be listed: `ztunnels` is then counted from the ztunnel pods (a node without any
   * ztunnel pod is not seen) and the node agents are unknown. Null or absent when they were read.
   */
  readonly daemonSetsUnread?: string | null;
  /** ztunnels connected to istiod (proxy-status, whole mesh); null when the proxy list was not read. */
  readonly connected?: number | null;
  /** Of those, the ztunnels whose WDS/WADS are shown, not STALE or ERROR, yet not all SYNCED (ztunnelSync). */
  readonly notSynced?: number | null;
  readonly certificates: Section<ZtunnelCertificateSample>;
  /** Waypoints in scope and the `namespace/name` of those not programmed. */
  readonly waypoints: Section<{ readonly total: number; readonly notProgrammed: readonly string[] }>;
  /** `namespace/pod` of pods in ambient namespaces whose traffic ztunnel does not capture (protocol TCP). */
  readonly notCaptured: Section<readonly string[]>;
  /**
   * `namespace/pod` of pods in ambient namespaces kept out on purpose (labelled istio.io/dataplane-mode=none): not
   * a problem, and not in `notCaptured` unless they could not be listed (then this part is unavailable).
   */
  readonly optedOut: Section<readonly string[]>;
  /** Why pods with a sidecar may be counted in `notCaptured` (their lookup failed); null when they were told apart. */
  readonly captureCaveat: string | null;
  /** Waypoints newly not programmed and programmed again since the previous digest; null as notCapturedSinceLast. */
  readonly waypointsSinceLast: NamesSinceLast | null;
  /**
   * Pods newly not captured and captured again since the previous digest; null on the first digest, when the pods
   * could not be read, or when the previous digest stored their count only.
   */
  readonly notCapturedSinceLast: NamesSinceLast | null;
  /** What the previous digest saw; null on the first digest (or the first with ztunnels). */
  readonly previous: AmbientBaselineFacts | null;
}

/**
 * No ztunnel runs (no ztunnel DaemonSet, no ztunnel pod) though an earlier digest saw some: said while it is news
 * (the previous digest saw ztunnels) or while namespaces are still labelled ambient, whose pods need a ztunnel.
 */
export interface AmbientGone {
  readonly kind: 'gone';
  /** The last digest that saw ztunnels: when, and how many were ready of how many desired. */
  readonly lastSeen: { readonly at: string; readonly ready: number; readonly desired: number };
  /** The previous digest saw ztunnels (false: it already saw none, and said so). */
  readonly news: boolean;
  /** Namespaces in scope labelled istio.io/dataplane-mode=ambient, sorted. */
  readonly ambientNamespaces: Section<readonly string[]>;
  readonly previous: AmbientBaselineFacts;
}

export type AmbientFacts = AmbientRunning | AmbientGone;

export type DigestLevel = 'healthy' | 'attention' | 'critical';

export interface DigestVerdict {
  readonly level: DigestLevel;
  /** Plain sentences, most severe first: "3 proxies STALE", "root CA expires in 10 days". */
  readonly reasons: readonly string[];
  /** Areas that could not be read (their names), so "healthy" is never claimed over missing data. */
  readonly unavailable: readonly string[];
}

/** Everything one digest says, built at fire time; rendered by commands/digest.render.ts. */
export interface Digest {
  readonly cluster: string;
  /** Scoped namespaces; undefined = the whole mesh. */
  readonly namespaces: readonly string[] | undefined;
  /** null for the terminal, which has no channel and keeps no history. */
  readonly channel: string | null;
  /** IANA zone the digest's times are shown in. */
  readonly timezone: string;
  readonly schedule: string | undefined;
  readonly firedAt: Date;
  /** When the previous digest of this channel, cluster and scope ran; null for the first. */
  readonly baselineAt: Date | null;
  /**
   * A previous digest stored facts that could not be read (an API error, a ConfigMap edited by hand): nothing is
   * compared, yet this is no first digest. Absent or false otherwise.
   */
  readonly baselineUnreadable?: boolean;
  readonly verdict: DigestVerdict;
  readonly controlPlane: Section<ControlPlaneFacts>;
  readonly proxies: Section<ProxyFacts>;
  readonly skew: Section<VersionSkew>;
  readonly analyze: Section<AnalyzeFacts>;
  readonly rootCa: Section<RootCaFacts>;
  readonly workloadCerts: Section<WorkloadCertFacts>;
  readonly canaries: Section<readonly CanaryRoute[]>;
  readonly pending: Section<readonly PendingPromotion[]>;
  /** Only when the mesh has ztunnels (null otherwise: no ambient section). */
  readonly ambient?: Section<AmbientFacts> | null;
  /** istioctl found no running istiod (its own "no running Istio pods"): the control plane is down, as `status` says. */
  readonly controlPlaneMissing?: boolean;
  /** Problems with the digest's own bookkeeping (baseline unreadable), one sentence each. */
  readonly notes: readonly string[];
  readonly istioctlVersion: string | undefined;
}
