import { ok, type Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { readZtunnelTable, type ColumnSpec } from './table.ts';

/** One row of `ztunnel-config workloads`: a workload ztunnel knows of (any node, any namespace). */
export interface ZtunnelWorkload {
  readonly namespace: string;
  readonly pod: string;
  /** IP(s) comma-joined (1.24+ `ADDRESS`), or the hostname when there is no IP; `IP` before 1.24. */
  readonly address: string;
  readonly node: string;
  /** The waypoint's name; null when the writer prints `None`. */
  readonly waypoint: string | null;
  /** `HBONE` (captured, mTLS through ztunnel) or `TCP` (not captured); as printed. */
  readonly protocol: string;
}

/**
 * Headers by version (istioctl/pkg/writer/ztunnel/configdump/workload.go):
 * 1.20 `NAMESPACE NAME IP NODE WAYPOINT PROTOCOL`; 1.21 adds `NETWORK`; 1.22-1.23 `POD NAME`; 1.24+ `ADDRESS`.
 */
const COLUMNS: readonly ColumnSpec[] = [
  { key: 'namespace', names: ['NAMESPACE'] },
  { key: 'pod', names: ['POD NAME', 'NAME'] },
  { key: 'network', names: ['NETWORK'], optional: true },
  { key: 'address', names: ['ADDRESS', 'IP'] },
  { key: 'node', names: ['NODE'] },
  // 1.22 `--verbose=false` drops these two; mesh-bot never passes it, but the table still reads.
  { key: 'waypoint', names: ['WAYPOINT'], optional: true },
  { key: 'protocol', names: ['PROTOCOL'], optional: true },
];

export function parseZtunnelWorkloads(text: string): Result<ZtunnelWorkload[], ParseFailure> {
  const rows = readZtunnelTable(text, 'workloads', COLUMNS);
  if (!rows.ok) return rows;
  return ok(
    rows.value.map((row) => ({
      namespace: row['namespace'] ?? '',
      pod: row['pod'] ?? '',
      address: row['address'] ?? '',
      node: row['node'] ?? '',
      waypoint: row['waypoint'] === 'None' || row['waypoint'] === '' ? null : (row['waypoint'] ?? null),
      protocol: row['protocol'] ?? '',
    })),
  );
}
