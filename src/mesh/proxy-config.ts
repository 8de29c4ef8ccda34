import { ok } from '../result.ts';
import { DEFAULT_CA_THRESHOLDS, summarizeCertificates, type CaThresholds, type CertificatesSummary } from './certificate-health.ts';
import type { Result } from '../result.ts';
import type { ParseFailure } from '../istioctl/types.ts';
import {
  bootstrapFromDump,
  clustersFromDump,
  endpointsFromDump,
  listenersFromDump,
  routesFromDump,
  secretsFromDump,
} from '../istioctl/parsers/proxy-config.ts';
import { secretIssuersFromDump } from '../istioctl/parsers/proxy-config/secret.ts';
import type {
  BootstrapInfo,
  ClusterInfo,
  ConfigDump,
  EndpointInfo,
  ListenerInfo,
  ProxyLogLevels,
  RouteTableInfo,
  SecretCertificate,
} from '../istioctl/parsers/proxy-config.ts';

/** What `a.localeCompare(b)` does, with the collator made once instead of per comparison. */
const compareText = new Intl.Collator().compare;

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

// ---- clusters ----

export interface ServiceClusters {
  readonly fqdn: string;
  readonly ports: readonly number[];
  /** Subsets seen for this service across ports (`v1`, `v2`), sorted. */
  readonly subsets: readonly string[];
  /** `name.namespace` of the DestinationRules shaping this service's clusters. */
  readonly destinationRules: readonly string[];
}

export interface ClustersSummary {
  readonly total: number;
  readonly byDirection: Readonly<{ inbound: number; outbound: number; other: number }>;
  readonly byType: Readonly<Record<string, number>>;
  /** Services with Istio-named (`direction|port|subset|fqdn`) clusters, by FQDN. */
  readonly services: readonly ServiceClusters[];
  /** Every DestinationRule referenced, `name.namespace`, sorted. */
  readonly destinationRules: readonly string[];
}

/**
 * `fqdn` filters like istioctl's `--fqdn` (substring of the cluster name), so `reviews` or the full
 * `reviews.default.svc.cluster.local` both work.
 */
export function summarizeClusters(
  clusters: readonly ClusterInfo[],
  options: { readonly fqdn?: string } = {},
): ClustersSummary {
  const selected = options.fqdn ? clusters.filter((c) => c.name.includes(options.fqdn ?? '')) : clusters;
  const byDirection = { inbound: 0, outbound: 0, other: 0 };
  const byType: Record<string, number> = {};
  const services = new Map<string, { ports: Set<number>; subsets: Set<string>; rules: Set<string> }>();
  const rules = new Set<string>();
  for (const c of selected) {
    // `inbound-vip` (ambient waypoints) is inbound too.
    if (c.direction.startsWith('inbound')) byDirection.inbound += 1;
    else if (c.direction.startsWith('outbound')) byDirection.outbound += 1;
    else byDirection.other += 1;
    increment(byType, c.type);
    if (c.destinationRule) rules.add(c.destinationRule.display);
    // Inbound clusters of sidecars (`inbound|9080||`) carry no service name.
    if (!c.direction || !c.fqdn) continue;
    let service = services.get(c.fqdn);
    if (!service) {
      service = { ports: new Set(), subsets: new Set(), rules: new Set() };
      services.set(c.fqdn, service);
    }
    if (c.port !== null) service.ports.add(c.port);
    if (c.subset) service.subsets.add(c.subset);
    if (c.destinationRule) service.rules.add(c.destinationRule.display);
  }
  return {
    total: selected.length,
    byDirection,
    byType,
    services: [...services.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([fqdn, s]) => ({
        fqdn,
        ports: [...s.ports].sort((a, b) => a - b),
        subsets: [...s.subsets].sort(),
        destinationRules: [...s.rules].sort(),
      })),
    destinationRules: [...rules].sort(),
  };
}

// ---- listeners ----

export interface ListenersSummary {
  readonly total: number;
  /** Port (as text, `0` for internal listeners) → number of listeners. */
  readonly byPort: Readonly<Record<string, number>>;
  /** HTTP / TCP / HTTP+TCP / OTHER → count. */
  readonly byProtocol: Readonly<Record<string, number>>;
  readonly byDirection: Readonly<Record<string, number>>;
  /** RDS route names no route config provides; only computed when the caller knows the route names. */
  readonly missingRoutes: readonly { readonly listener: string; readonly route: string }[];
}

/**
 * `routeNames`: names of the route configs present in the same dump. Without them nothing can be called
 * missing, so `missingRoutes` stays empty.
 */
export function summarizeListeners(
  listeners: readonly ListenerInfo[],
  options: { readonly routeNames?: ReadonlySet<string> } = {},
): ListenersSummary {
  const byPort: Record<string, number> = {};
  const byProtocol: Record<string, number> = {};
  const byDirection: Record<string, number> = {};
  const missingRoutes: { listener: string; route: string }[] = [];
  for (const l of listeners) {
    increment(byPort, String(l.port));
    increment(byProtocol, l.protocol);
    increment(byDirection, l.direction);
    if (options.routeNames) {
      for (const route of l.rdsRoutes) {
        if (!options.routeNames.has(route)) missingRoutes.push({ listener: l.name, route });
      }
    }
  }
  return { total: listeners.length, byPort, byProtocol, byDirection, missingRoutes };
}

// ---- routes ----

export interface RouteRow {
  readonly table: string;
  readonly virtualHost: string;
  readonly domains: string;
  readonly match: string;
  /** `name.namespace`, '' when the route is not from a VirtualService. */
  readonly virtualService: string;
}

export interface RoutesSummary {
  readonly tables: number;
  readonly virtualHosts: number;
  readonly rows: readonly RouteRow[];
  /** `name.namespace` → number of routes it produced. */
  readonly byVirtualService: Readonly<Record<string, number>>;
}

export function summarizeRoutes(tables: readonly RouteTableInfo[]): RoutesSummary {
  const rows: RouteRow[] = [];
  const byVirtualService: Record<string, number> = {};
  let virtualHosts = 0;
  for (const table of tables) {
    for (const vh of table.virtualHosts) {
      virtualHosts += 1;
      for (const route of vh.routes) {
        const vs = route.virtualService?.display ?? '';
        if (vs) increment(byVirtualService, vs);
        rows.push({ table: table.name, virtualHost: vh.name, domains: vh.displayDomains, match: route.match, virtualService: vs });
      }
    }
  }
  return { tables: tables.length, virtualHosts, rows, byVirtualService };
}

// ---- endpoints ----

export interface ClusterEndpoints {
  readonly cluster: string;
  readonly total: number;
  readonly byStatus: Readonly<Record<string, number>>;
}

export interface EndpointsSummary {
  readonly total: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** Clusters with at least one endpoint that is not HEALTHY first, then by name. */
  readonly clusters: readonly ClusterEndpoints[];
  /** Every endpoint, those not HEALTHY first (stable otherwise). */
  readonly endpoints: readonly EndpointInfo[];
}

export function summarizeEndpoints(endpoints: readonly EndpointInfo[]): EndpointsSummary {
  const byStatus: Record<string, number> = {};
  const perCluster = new Map<string, Record<string, number>>();
  for (const e of endpoints) {
    increment(byStatus, e.status);
    let counts = perCluster.get(e.cluster);
    if (!counts) {
      counts = {};
      perCluster.set(e.cluster, counts);
    }
    increment(counts, e.status);
  }
  // Decided once per cluster, not in every comparison of the sort (thousands of clusters in a large mesh).
  const sortable = [...perCluster.entries()].map(([cluster, counts]) => ({
    unhealthy: Object.keys(counts).some((s) => s !== 'HEALTHY'),
    summary: { cluster, total: Object.values(counts).reduce((a, b) => a + b, 0), byStatus: counts },
  }));
  sortable.sort((a, b) => Number(b.unhealthy) - Number(a.unhealthy) || compareText(a.summary.cluster, b.summary.cluster));
  const ordered = [...endpoints.filter((e) => e.status !== 'HEALTHY'), ...endpoints.filter((e) => e.status === 'HEALTHY')];
  return { total: endpoints.length, byStatus, clusters: sortable.map((c) => c.summary), endpoints: ordered };
}

// ---- secrets ----

// Judged by the one certificate rule of src/mesh/certificate-health.ts (re-exported for existing callers).
export { summarizeCertificates, type CertificateStatus, type CertificatesSummary } from './certificate-health.ts';

// ---- log ----

/** level → loggers at that level, sorted, per proxy. */
export function groupLogLevels(proxy: ProxyLogLevels): Readonly<Record<string, readonly string[]>> {
  const byLevel: Record<string, string[]> = {};
  for (const [logger, level] of Object.entries(proxy.loggers)) (byLevel[level] ??= []).push(logger);
  for (const loggers of Object.values(byLevel)) loggers.sort();
  return byLevel;
}

// ---- all ----

/** One roll-up of a whole config dump; a section is absent when the dump does not contain it. */
export interface ConfigDumpSummary {
  readonly bootstrap?: BootstrapInfo;
  readonly clusters?: ClustersSummary;
  readonly listeners?: ListenersSummary;
  readonly routes?: RoutesSummary;
  readonly endpoints?: EndpointsSummary;
  readonly certificates?: CertificatesSummary;
}

const DAY_MS = 86_400_000;
/** The SDS name of the proxy's own identity, the one chain the mesh's CA issues (security.WorkloadKeyCertResourceName). */
const WORKLOAD_SECRET = 'default';

/**
 * The secrets plus the CAs behind their leaves that people rotate (README "Certificate health": plugged-in
 * `cacerts` intermediates), judged as CAs by `pc all`, `pc secret` and the digest: an intermediate that expires
 * breaks every certificate it signed, and istioctl's table never shows it. A CA living no longer than `caWarnDays` is rotated by software (SPIRE's
 * intermediates live a day) and would always look like it expires soon, so it is left to the leaf it signs; a CA
 * that ROOTCA already lists is judged there.
 * Only the workload chain (`default`) is issued by the mesh's CA. The CAs behind another leaf (a gateway's
 * credentialName certificate from cert-manager or a public CA) are replaced with that leaf where it is issued, and
 * a public intermediate with weeks left is no "CA rotation" for the mesh's owners: such a CA is shown only when it
 * expires before the leaf it sits behind, which breaks that chain before the leaf's own renewal would. So is a
 * short-lived CA that software failed to rotate: the leaf it signed outlives it (or it expired already).
 */
export function withPluggedInCas(secrets: readonly SecretCertificate[], issuers: readonly SecretCertificate[], ca: CaThresholds = DEFAULT_CA_THRESHOLDS): SecretCertificate[] {
  const shown = new Set(secrets.filter((cert) => cert.type === 'CA').map((cert) => cert.serial));
  const leafExpiry = new Map(secrets.filter((cert) => cert.type !== 'CA').map((cert) => [cert.name, Date.parse(cert.notAfter)]));
  const out = [...secrets];
  for (const issuer of issuers) {
    if (shown.has(issuer.serial)) continue;
    const lifetimeMs = Date.parse(issuer.notAfter) - Date.parse(issuer.notBefore);
    const leafNotAfter = leafExpiry.get(issuer.name);
    const breaksFirst = leafNotAfter !== undefined && Date.parse(issuer.notAfter) < leafNotAfter;
    const meshCa = (issuer.name === WORKLOAD_SECRET || leafNotAfter === undefined) && lifetimeMs > ca.caWarnDays * DAY_MS;
    if (!breaksFirst && !meshCa) continue;
    shown.add(issuer.serial);
    out.push(issuer);
  }
  return out;
}

/**
 * Summarizes `proxy-config all -o json`. Certificates are read from the dump's secret bodies, so call this on the
 * dump BEFORE redactConfigDump (which removes those bodies) and redact only what is shown or stored afterwards.
 */
export function summarizeConfigDump(
  dump: ConfigDump,
  options: { readonly now: Date; readonly ca?: CaThresholds },
): Result<ConfigDumpSummary, ParseFailure> {
  const bootstrap = bootstrapFromDump(dump);
  const clusters = clustersFromDump(dump);
  const listeners = listenersFromDump(dump);
  const routes = routesFromDump(dump);
  const endpoints = endpointsFromDump(dump);
  const secrets = secretsFromDump(dump, options.now);
  const issuers = secretIssuersFromDump(dump, options.now);
  for (const part of [bootstrap, clusters, listeners, routes, endpoints, secrets, issuers]) {
    if (part && !part.ok) return part;
  }
  const routeNames = routes?.ok ? new Set(routes.value.map((r) => r.name).filter((n) => n !== '')) : undefined;
  return ok({
    ...(bootstrap?.ok ? { bootstrap: bootstrap.value } : {}),
    ...(clusters?.ok ? { clusters: summarizeClusters(clusters.value) } : {}),
    ...(listeners?.ok
      ? { listeners: summarizeListeners(listeners.value, routeNames ? { routeNames } : {}) }
      : {}),
    ...(routes?.ok ? { routes: summarizeRoutes(routes.value) } : {}),
    ...(endpoints?.ok ? { endpoints: summarizeEndpoints(endpoints.value) } : {}),
    ...(secrets?.ok ? { certificates: summarizeCertificates(withPluggedInCas(secrets.value, issuers?.ok ? issuers.value : [], options.ca), options) } : {}),
  });
}
