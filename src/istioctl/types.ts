/**
 * Normalized xDS sync states. istioctl spells them differently per version
 * (`NOT SENT` / `NOT_SENT`, `STALE (Never Acknowledged)`, `SYNCED (2m3s)`, JSON `UNKNOWN`);
 * parsers map every spelling onto these.
 */
export type SyncState = 'SYNCED' | 'STALE' | 'NOT SENT' | 'IGNORED' | 'ERROR';

/** One proxy as reported by `istioctl proxy-status`. */
export interface ProxyStatusRow {
  /** istioctl's `pod.namespace` (node id). */
  readonly name: string;
  /** Namespace of the proxy: from node metadata when known, else the part after the last dot of `name`. */
  readonly namespace: string;
  /** Multi-cluster CLUSTER column / CLUSTER_ID metadata; '' when blank. */
  readonly cluster: string;
  /** istiod instance the proxy is connected to; '' when blank. */
  readonly istiod: string;
  /** Proxy's Istio version as printed (`1.20`, `1.1*` fallback); '' when blank. */
  readonly version: string;
  /** xDS type (CDS, LDS, EDS, RDS, ECDS, or any other short name istioctl prints) → normalized state. Empty when the format shows no per-type states. */
  readonly states: Readonly<Record<string, SyncState>>;
  /** Same keys as `states`, the cell text exactly as istioctl printed it (e.g. `STALE (Never Acknowledged)`). */
  readonly rawStates: Readonly<Record<string, string>>;
  /** 1.27+ default output: the SUBSCRIBED TYPES list; undefined for other formats. */
  readonly subscribedTypes?: readonly string[];
}

/** Which istioctl output family produced a proxy-status report. */
export type ProxyStatusFormat =
  | 'syncz-table' // 1.20-1.21 default `ps` (debug/syncz writer)
  | 'xds-table' // 1.20-1.21 `x ps`, 1.22-1.26 `ps`, 1.27+ `ps --verbosity 1`
  | 'subscribed-types-table' // 1.27+ `ps` default (no per-type states)
  | 'json' // 1.30+ `ps -o json`: one DiscoveryResponse document per istiod
  | 'empty'; // no output at all (1.20-1.21 `x ps` on an empty mesh)

export interface IstiodIdentity {
  readonly id: string;
  readonly version: string;
}

export interface ProxyStatusReport {
  readonly format: ProxyStatusFormat;
  readonly proxies: readonly ProxyStatusRow[];
  /** istiods named by the output itself (JSON control-plane identifiers, or the ISTIOD column). */
  readonly istiods: readonly IstiodIdentity[];
}

export interface ParseFailure {
  readonly kind: 'parse';
  /** One sentence saying what was unexpected, for logs and for the user. */
  readonly message: string;
}

/** Parsed `istioctl version` output. */
export interface IstioctlVersionInfo {
  /** Client version as printed (`1.28.1`, `1.22.0-beta.1`, `unknown`). */
  readonly client: string;
  /** Control plane versions when the output includes them (text output only). */
  readonly controlPlane: readonly { readonly component: string; readonly version: string }[];
}

/** A semantic version reduced to what drives flags and parsers. `null` minor = unknown (dev build). */
export interface IstioMinor {
  readonly major: number;
  readonly minor: number;
}
