import { z } from 'zod';
import { ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import {
  asConfigDump,
  describeIssue,
  failure,
  istioConfigRef,
  parseDisplayRef,
  parseJsonOutput,
  section,
  splitTable,
  textLines,
} from './common.ts';
import type { ConfigDump, ConfigRef } from './common.ts';

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

const clusterJson = z.looseObject({
  name: z.string(),
  type: z.string().optional(),
  clusterType: z.looseObject({ name: z.string() }).optional(),
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

const clustersDump = z.looseObject({
  staticClusters: z.array(z.looseObject({ cluster: clusterJson.optional() })).optional(),
  dynamicActiveClusters: z.array(z.looseObject({ cluster: clusterJson.optional() })).optional(),
  dynamicWarmingClusters: z.array(z.looseObject({ cluster: clusterJson.optional() })).optional(),
});

/** Clusters of a parsed config dump (dynamic first, like istioctl), or undefined when the dump has no cluster section. */
export function clustersFromDump(dump: ConfigDump): Result<ClusterInfo[], ParseFailure> | undefined {
  const raw = section(dump, 'ClustersConfigDump');
  if (!raw) return undefined;
  const parsed = clustersDump.safeParse(raw);
  if (!parsed.success) return failure(`ClustersConfigDump has an unexpected shape ${describeIssue(parsed.error)}`);
  const all = [
    ...(parsed.data.dynamicActiveClusters ?? []),
    ...(parsed.data.dynamicWarmingClusters ?? []),
    ...(parsed.data.staticClusters ?? []),
  ];
  return ok(all.flatMap((c) => (c.cluster ? [toInfo(c.cluster)] : [])));
}

/** `istioctl proxy-config clusters POD -o json` (an array of Envoy Cluster objects) or a full config dump. */
export function parseClustersJson(stdout: string): Result<ClusterInfo[], ParseFailure> {
  const json = parseJsonOutput(stdout, 'istioctl proxy-config clusters -o json');
  if (!json.ok) return json;
  const dump = asConfigDump(json.value);
  if (dump) return clustersFromDump(dump) ?? failure('config dump has no ClustersConfigDump section.');
  const parsed = z.array(clusterJson).safeParse(json.value);
  if (!parsed.success) return failure(`clusters JSON has an unexpected shape ${describeIssue(parsed.error)}`);
  return ok(parsed.data.map(toInfo));
}

const CLUSTER_COLUMNS = ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'] as const;

/**
 * The cluster table (`SERVICE FQDN PORT SUBSET DIRECTION TYPE DESTINATION RULE`), and the `all` summary's variant
 * with a leading NAME column of `cluster/<name>`. `-` means "none" in PORT/SUBSET/DIRECTION.
 */
export function parseClustersTable(text: string): Result<ClusterInfo[], ParseFailure> {
  const lines = textLines(text).filter((l) => l.trim() !== '' && l.trim() !== '...');
  const withName = /^NAME\s/.test(lines[0] ?? '');
  const rows = splitTable(lines, withName ? ['NAME', ...CLUSTER_COLUMNS] : CLUSTER_COLUMNS);
  if (!rows.ok) return rows;
  return ok(
    rows.value.map((row) => {
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
