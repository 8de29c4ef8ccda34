import { z } from 'zod';
import { ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { splitTable } from '../table.ts';
import { eachElement, istioConfigRef, listFamily, parseDisplayRef, textLines } from './common.ts';
import type { ConfigRef } from './common.ts';

export interface RouteEntry {
  /** istioctl's MATCH text: `/get*` (prefix), `PathPrefix:/get`, exact path, `regex …`; `/*` for an empty vhost. */
  readonly match: string;
  /** Target cluster when the route forwards to a single cluster. */
  readonly cluster?: string;
  /** The VirtualService (or generated one) this route comes from, from route metadata. */
  readonly virtualService: ConfigRef | null;
}

export interface VirtualHostInfo {
  readonly name: string;
  readonly domains: readonly string[];
  /** The DOMAINS column as istioctl shortens it (drops ports and `.svc[.cluster.local]` duplicates). */
  readonly displayDomains: string;
  readonly routes: readonly RouteEntry[];
}

export interface RouteTableInfo {
  /** '' for unnamed static route configs (the gateway health/stats routes). */
  readonly name: string;
  readonly virtualHosts: readonly VirtualHostInfo[];
}

const routeJson = z.object({
  match: z.object({
    prefix: z.string().optional(),
    path: z.string().optional(),
    pathSeparatedPrefix: z.string().optional(),
    safeRegex: z.object({ regex: z.string().optional() }).optional(),
  }).optional(),
  route: z.object({ cluster: z.string().optional() }).optional(),
  metadata: z.unknown().optional(),
});
const routeConfigJson = z.object({
  name: z.string().optional(),
  virtualHosts: z
    .array(
      z.object({
        name: z.string().optional(),
        domains: z.array(z.string()).optional(),
        routes: z.array(routeJson).optional(),
      }),
    )
    .optional(),
});
type RouteConfigJson = z.infer<typeof routeConfigJson>;

/**
 * Same rendering as istioctl's describeMatch (headers are ignored there too), except that a path's query string is
 * shown as `?[redacted]`: Envoy matches `:path` with its query, so a VirtualService may match `/callback?key=…`, and
 * this text reaches Slack (the uploaded file drops such paths the same way, src/mesh/redact.ts).
 */
function describeMatch(match: z.infer<typeof routeJson>['match']): string {
  const conds: string[] = [];
  if (match?.prefix) conds.push(`${withoutQuery(match.prefix)}*`);
  if (match?.pathSeparatedPrefix) conds.push(`PathPrefix:${withoutQuery(match.pathSeparatedPrefix)}`);
  if (match?.path) conds.push(withoutQuery(match.path));
  if (match?.safeRegex?.regex !== undefined) conds.push(`regex ${match.safeRegex.regex}`);
  return conds.join(' ');
}

function withoutQuery(path: string): string {
  const query = path.indexOf('?');
  return query === -1 || query === path.length - 1 ? path : `${path.slice(0, query)}?[redacted]`;
}

/**
 * istioctl's describeRouteDomains: drop `host:port` forms (keeping bare IPv6 `[…]`), drop `x.svc.cluster.local`
 * and `x.svc` when `x` is also listed, then show at most two plus "+ N more...".
 */
export function shortenDomains(domains: readonly string[]): string {
  if (domains.length === 0) return '';
  if (domains.length === 1) return domains[0] ?? '';
  const withoutPort = domains.filter((d) => !d.includes(':') || (d.split(':').length - 1 > 2 && d.endsWith(']')));
  const unique = new Set(withoutPort);
  const remove = new Set<string>();
  for (const d of withoutPort) {
    for (const suffix of ['.svc.cluster.local', '.svc']) {
      if (d.endsWith(suffix) && unique.has(d.slice(0, -suffix.length))) remove.add(d);
    }
  }
  const kept = withoutPort.filter((d) => !remove.has(d));
  const max = 2;
  if (kept.length > max) return `${kept.slice(0, max).join(', ')} + ${kept.length - max} more...`;
  return kept.join(', ');
}

function toInfo(config: RouteConfigJson): RouteTableInfo {
  return {
    name: config.name ?? '',
    virtualHosts: (config.virtualHosts ?? []).map((vh) => {
      const domains = vh.domains ?? [];
      const routes = vh.routes ?? [];
      return {
        name: vh.name ?? '',
        domains,
        displayDomains: shortenDomains(domains),
        routes:
          routes.length === 0
            ? [{ match: '/*', virtualService: null }]
            : routes.map((r) => ({
                match: describeMatch(r.match),
                ...(r.route?.cluster !== undefined ? { cluster: r.route.cluster } : {}),
                virtualService: istioConfigRef(r.metadata),
              })),
      };
    }),
  };
}

const entry = eachElement(z.object({ routeConfig: routeConfigJson.optional() }), (r) => (r.routeConfig ? [toInfo(r.routeConfig)] : []));
const routes = listFamily({
  command: 'istioctl proxy-config routes -o json',
  noun: 'routes',
  section: 'RoutesConfigDump',
  arrays: { staticRouteConfigs: entry, dynamicRouteConfigs: entry },
  // Dynamic (RDS) first, like istioctl.
  order: ['dynamicRouteConfigs', 'staticRouteConfigs'],
  element: eachElement(routeConfigJson, (r) => [toInfo(r)]),
});

/** Route configs of a dump, or undefined when the dump has no route section. */
export const routesFromDump = routes.fromDump;

/** `istioctl proxy-config routes POD -o json` (an array of RouteConfiguration) or a full config dump. */
export const parseRoutesJson = routes.parseJson;

/** One row of the route table: `NAME VHOST NAME DOMAINS MATCH VIRTUAL SERVICE` (1.21+; `route/` prefix in `all`). */
export interface RouteTableRow {
  readonly name: string;
  readonly virtualHost: string;
  readonly domains: string;
  readonly match: string;
  readonly virtualService: ConfigRef | null;
}

export function parseRoutesTable(text: string): Result<RouteTableRow[], ParseFailure> {
  const lines = textLines(text).filter((l) => l.trim() !== '');
  const table = splitTable(lines.join('\n'), ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE']);
  if (!table.ok) return table;
  return ok(
    table.value.rows.map((row) => {
      const vs = row['VIRTUAL SERVICE'] ?? '';
      return {
        name: (row.NAME ?? '').replace(/^route\//, ''),
        virtualHost: row['VHOST NAME'] ?? '',
        domains: row.DOMAINS ?? '',
        match: row.MATCH ?? '',
        // `404` marks a virtual host without routes, not a VirtualService.
        virtualService: vs && vs !== '404' ? parseDisplayRef('VirtualService', vs) : null,
      };
    }),
  );
}
