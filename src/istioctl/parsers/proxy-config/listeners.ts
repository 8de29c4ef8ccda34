import { z } from 'zod';
import { ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { asConfigDump, describeIssue, failure, parseJsonOutput, section, splitTable, textLines } from './common.ts';
import type { ConfigDump } from './common.ts';

export type ListenerDirection = 'inbound' | 'outbound' | 'unspecified';

/** One Envoy listener, reduced to what the bot reports. */
export interface ListenerInfo {
  /** '' for unnamed static listeners (the 15021 health listener of gateways and waypoints). */
  readonly name: string;
  /** '' for internal listeners, which have no socket address. */
  readonly address: string;
  /** 0 for internal listeners (istioctl prints 0 too). */
  readonly port: number;
  readonly direction: ListenerDirection;
  /** `HTTP` (an http_connection_manager), `TCP` (tcp_proxy only), `HTTP+TCP`, or `OTHER`. */
  readonly protocol: 'HTTP' | 'TCP' | 'HTTP+TCP' | 'OTHER';
  /** route_config_name of every RDS-backed HTTP filter, deduplicated. */
  readonly rdsRoutes: readonly string[];
  readonly filterChains: number;
}

const filterJson = z.looseObject({ name: z.string().optional(), typedConfig: z.unknown().optional() });
const chainJson = z.looseObject({ filters: z.array(filterJson).optional() });
const listenerJson = z.looseObject({
  name: z.string().optional(),
  address: z.unknown().optional(),
  trafficDirection: z.string().optional(),
  filterChains: z.array(chainJson).optional(),
  defaultFilterChain: chainJson.optional(),
});
type ListenerJson = z.infer<typeof listenerJson>;

const socketAddress = z.looseObject({
  socketAddress: z.looseObject({ address: z.string().optional(), portValue: z.number().optional() }),
});
const hcm = z.looseObject({ rds: z.looseObject({ routeConfigName: z.string() }).optional() });

const HCM = 'envoy.filters.network.http_connection_manager';
const TCP_PROXY = 'envoy.filters.network.tcp_proxy';

function filterType(filter: z.infer<typeof filterJson>): string {
  // The filter name is free text in newer Envoy; the typed config's @type is authoritative.
  const typed = z.looseObject({ '@type': z.string() }).safeParse(filter.typedConfig);
  if (typed.success) {
    if (typed.data['@type'].endsWith('.HttpConnectionManager')) return HCM;
    if (typed.data['@type'].endsWith('.TcpProxy')) return TCP_PROXY;
  }
  return filter.name ?? '';
}

function toInfo(listener: ListenerJson): ListenerInfo {
  const addr = socketAddress.safeParse(listener.address);
  const port = addr.success ? (addr.data.socketAddress.portValue ?? 0) : 0;
  const chains = [...(listener.filterChains ?? []), ...(listener.defaultFilterChain ? [listener.defaultFilterChain] : [])];
  const routes = new Set<string>();
  let http = false;
  let tcp = false;
  for (const chain of chains) {
    for (const filter of chain.filters ?? []) {
      const type = filterType(filter);
      if (type === HCM) {
        http = true;
        const config = hcm.safeParse(filter.typedConfig);
        if (config.success && config.data.rds) routes.add(config.data.rds.routeConfigName);
      } else if (type === TCP_PROXY) {
        tcp = true;
      }
    }
  }
  const name = listener.name ?? '';
  return {
    name,
    address: addr.success ? (addr.data.socketAddress.address ?? '') : '',
    port,
    direction: direction(listener.trafficDirection, name, port),
    protocol: http && tcp ? 'HTTP+TCP' : http ? 'HTTP' : tcp ? 'TCP' : 'OTHER',
    rdsRoutes: [...routes],
    filterChains: chains.length,
  };
}

function direction(traffic: string | undefined, name: string, port: number): ListenerDirection {
  if (traffic === 'INBOUND') return 'inbound';
  if (traffic === 'OUTBOUND') return 'outbound';
  // Older sidecars leave traffic_direction unset on the catch-all listeners; their names and ports are fixed.
  if (name === 'virtualInbound' || port === 15006) return 'inbound';
  if (name === 'virtualOutbound' || port === 15001) return 'outbound';
  return 'unspecified';
}

const listenersDump = z.looseObject({
  staticListeners: z.array(z.looseObject({ listener: listenerJson.optional() })).optional(),
  dynamicListeners: z
    .array(
      z.looseObject({
        name: z.string().optional(),
        activeState: z.looseObject({ listener: listenerJson.optional() }).optional(),
        warmingState: z.looseObject({ listener: listenerJson.optional() }).optional(),
      }),
    )
    .optional(),
});

export function listenersFromDump(dump: ConfigDump): Result<ListenerInfo[], ParseFailure> | undefined {
  const raw = section(dump, 'ListenersConfigDump');
  if (!raw) return undefined;
  const parsed = listenersDump.safeParse(raw);
  if (!parsed.success) return failure(`ListenersConfigDump has an unexpected shape ${describeIssue(parsed.error)}`);
  const listeners: ListenerJson[] = [];
  for (const d of parsed.data.dynamicListeners ?? []) {
    const l = d.activeState?.listener ?? d.warmingState?.listener;
    if (l) listeners.push(l);
  }
  for (const s of parsed.data.staticListeners ?? []) if (s.listener) listeners.push(s.listener);
  return ok(listeners.map(toInfo));
}

/** `istioctl proxy-config listeners POD -o json` (an array of Envoy Listener objects) or a full config dump. */
export function parseListenersJson(stdout: string): Result<ListenerInfo[], ParseFailure> {
  const json = parseJsonOutput(stdout, 'istioctl proxy-config listeners -o json');
  if (!json.ok) return json;
  const dump = asConfigDump(json.value);
  if (dump) return listenersFromDump(dump) ?? failure('config dump has no ListenersConfigDump section.');
  const parsed = z.array(listenerJson).safeParse(json.value);
  if (!parsed.success) return failure(`listeners JSON has an unexpected shape ${describeIssue(parsed.error)}`);
  return ok(parsed.data.map(toInfo));
}

/** One row of the listener table: `[NAME] ADDRESSES PORT MATCH DESTINATION` (pre-1.19: `ADDRESS`). */
export interface ListenerTableRow {
  /** Only the `all` summary prints listener names (as `listener/<name>`); '' otherwise. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** `ALL`, `App: HTTP`, `Addr: 10.244.0.22/32:9080`, … */
  readonly match: string;
  /** `Route: 9080`, `Cluster: outbound|53||kube-dns…`, `Inline Route: /*`, `PassthroughCluster`, … */
  readonly destination: string;
}

export function parseListenersTable(text: string): Result<ListenerTableRow[], ParseFailure> {
  const lines = textLines(text).filter((l) => l.trim() !== '');
  const header = lines[0] ?? '';
  const addressColumn = /\bADDRESSES\b/.test(header) ? 'ADDRESSES' : 'ADDRESS';
  const withName = /^NAME\s/.test(header);
  const columns = [...(withName ? ['NAME'] : []), addressColumn, 'PORT', 'MATCH', 'DESTINATION'];
  const rows = splitTable(lines, columns);
  if (!rows.ok) return rows;
  const out: ListenerTableRow[] = [];
  for (const row of rows.value) {
    const port = Number(row.PORT);
    if (!Number.isInteger(port)) return failure(`listener table row has a non-numeric PORT ${JSON.stringify(row.PORT)}.`);
    out.push({
      name: (row.NAME ?? '').replace(/^listener\//, ''),
      address: row[addressColumn] ?? '',
      port,
      match: row.MATCH ?? '',
      destination: row.DESTINATION ?? '',
    });
  }
  return ok(out);
}
