import { z } from 'zod';
import { ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { splitTable } from '../table.ts';
import { eachElement, failure, listFamily, readAs, textLines } from './common.ts';

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

const filterJson = z.object({ name: z.string().optional(), typedConfig: z.unknown().optional() });
const chainJson = z.object({ filters: z.array(filterJson).optional() });
const listenerJson = z.object({
  name: z.string().optional(),
  address: z.unknown().optional(),
  trafficDirection: z.string().optional(),
  filterChains: z.array(chainJson).optional(),
  defaultFilterChain: chainJson.optional(),
});
type ListenerJson = z.infer<typeof listenerJson>;

const socketAddress = z.object({ socketAddress: z.object({ address: z.string().optional(), portValue: z.number().optional() }) });
const hcm = z.object({ rds: z.object({ routeConfigName: z.string() }).optional() });
const typedConfig = z.object({ '@type': z.string() });

const HCM = 'envoy.filters.network.http_connection_manager';
const TCP_PROXY = 'envoy.filters.network.tcp_proxy';

function filterType(filter: z.infer<typeof filterJson>): string {
  // The filter name is free text in newer Envoy; the typed config's @type is authoritative.
  const typed = readAs(typedConfig, filter.typedConfig);
  if (typed.success) {
    if (typed.data['@type'].endsWith('.HttpConnectionManager')) return HCM;
    if (typed.data['@type'].endsWith('.TcpProxy')) return TCP_PROXY;
  }
  return filter.name ?? '';
}

function toInfo(listener: ListenerJson): ListenerInfo {
  const addr = readAs(socketAddress, listener.address);
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
        const config = readAs(hcm, filter.typedConfig);
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

const listenerState = z.object({ listener: listenerJson.optional() });
const listeners = listFamily({
  command: 'istioctl proxy-config listeners -o json',
  noun: 'listeners',
  section: 'ListenersConfigDump',
  arrays: {
    staticListeners: eachElement(listenerState, (s) => (s.listener ? [toInfo(s.listener)] : [])),
    dynamicListeners: eachElement(
      z.object({ name: z.string().optional(), activeState: listenerState.optional(), warmingState: listenerState.optional() }),
      (d) => {
        const l = d.activeState?.listener ?? d.warmingState?.listener;
        return l ? [toInfo(l)] : [];
      },
    ),
  },
  // Dynamic listeners (active, else warming) first, then static ones.
  order: ['dynamicListeners', 'staticListeners'],
  element: eachElement(listenerJson, (l) => [toInfo(l)]),
});

export const listenersFromDump = listeners.fromDump;

/** `istioctl proxy-config listeners POD -o json` (an array of Envoy Listener objects) or a full config dump. */
export const parseListenersJson = listeners.parseJson;

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
  const table = splitTable(lines.join('\n'), columns);
  if (!table.ok) return table;
  const out: ListenerTableRow[] = [];
  for (const row of table.value.rows) {
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
