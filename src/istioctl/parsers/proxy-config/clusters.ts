import { z } from 'zod';
import { ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { splitTable } from '../table.ts';
import { eachElement, istioConfigRef, listFamily, parseDisplayRef, textLines } from './common.ts';
import type { ConfigRef } from './common.ts';

/** One Envoy cluster, reduced to what the bot reports. */
export interface ClusterInfo {
  readonly name: string;
  /** Envoy discovery type (`EDS`, `STATIC`, `ORIGINAL_DST`, `STRICT_DNS`…) or a custom cluster type's name. */
  readonly type: string;
  /** From the `direction|port|subset|fqdn` name form (`outbound`, `inbound`, `inbound-vip`); '' otherwise. */
  readonly direction: string;
  readonly port: number | null;
  readonly subset: string;
  /** Service FQDN for Istio-named clusters, else the cluster name (as istioctl's SERVICE FQDN column). */
  readonly fqdn: string;
  readonly destinationRule: ConfigRef | null;
}

const clusterJson = z.object({
  name: z.string(),
  type: z.string().optional(),
  clusterType: z.object({ name: z.string() }).optional(),
  metadata: z.unknown().optional(),
});
type ClusterJson = z.infer<typeof clusterJson>;

/** `direction|port|subset|fqdn` (pilot's subset key); other names (`agent`, `BlackHoleCluster`) are not split. */
export function parseClusterName(name: string): Pick<ClusterInfo, 'direction' | 'port' | 'subset' | 'fqdn'> {
  const parts = name.split('|');
  if (parts.length < 4) return { direction: '', port: null, subset: '', fqdn: name };
  const port = Number(parts[1]);
  return {
    direction: parts[0] ?? '',
    port: Number.isInteger(port) ? port : null,
    subset: parts[2] ?? '',
    fqdn: parts.slice(3).join('|'),
  };
}

function toInfo(cluster: ClusterJson): ClusterInfo {
  return {
    name: cluster.name,
    // protojson omits enum zero values, and STATIC is DiscoveryType 0.
    type: cluster.clusterType?.name ?? cluster.type ?? 'STATIC',
    ...parseClusterName(cluster.name),
    destinationRule: istioConfigRef(cluster.metadata),
  };
}

const entry = eachElement(z.object({ cluster: clusterJson.optional() }), (e) => (e.cluster ? [toInfo(e.cluster)] : []));
const clusters = listFamily({
  command: 'istioctl proxy-config clusters -o json',
  noun: 'clusters',
  section: 'ClustersConfigDump',
  arrays: { staticClusters: entry, dynamicActiveClusters: entry, dynamicWarmingClusters: entry },
  // Dynamic clusters first, like istioctl.
  order: ['dynamicActiveClusters', 'dynamicWarmingClusters', 'staticClusters'],
  element: eachElement(clusterJson, (c) => [toInfo(c)]),
});

/** Clusters of a config dump, or undefined when the dump has no cluster section. */
export const clustersFromDump = clusters.fromDump;

/** `istioctl proxy-config clusters POD -o json` (an array of Envoy Cluster objects) or a full config dump. */
export const parseClustersJson = clusters.parseJson;

const CLUSTER_COLUMNS = ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'] as const;

/**
 * The cluster table (`SERVICE FQDN PORT SUBSET DIRECTION TYPE DESTINATION RULE`), and the `all` summary's variant
 * with a leading NAME column of `cluster/<name>`. `-` means "none" in PORT/SUBSET/DIRECTION.
 */
export function parseClustersTable(text: string): Result<ClusterInfo[], ParseFailure> {
  const lines = textLines(text).filter((l) => l.trim() !== '' && l.trim() !== '...');
  const withName = /^NAME\s/.test(lines[0] ?? '');
  const table = splitTable(lines.join('\n'), withName ? ['NAME', ...CLUSTER_COLUMNS] : CLUSTER_COLUMNS);
  if (!table.ok) return table;
  return ok(
    table.value.rows.map((row) => {
      const dash = (v: string | undefined): string => (v === undefined || v === '-' ? '' : v);
      const port = Number(dash(row.PORT));
      const fqdn = row['SERVICE FQDN'] ?? '';
      const direction = dash(row.DIRECTION);
      const subset = dash(row.SUBSET);
      const name = withName
        ? (row.NAME ?? '').replace(/^cluster\//, '')
        : direction
          ? `${direction}|${row.PORT ?? ''}|${subset}|${fqdn}`
          : fqdn;
      const dr = row['DESTINATION RULE'] ?? '';
      return {
        name,
        type: row.TYPE ?? '',
        direction,
        port: direction && Number.isInteger(port) ? port : null,
        subset,
        fqdn: withName && !direction ? name : fqdn,
        destinationRule: dr ? parseDisplayRef('DestinationRule', dr) : null,
      };
    }),
  );
}
