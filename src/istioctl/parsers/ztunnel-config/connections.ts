import { ok, type Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { readZtunnelTable, type ColumnSpec } from './table.ts';

/** One connection a ztunnel proxies for a workload on its node. */
export interface ZtunnelConnection {
  /** `pod.namespace`. */
  readonly workload: string;
  /** `Inbound` / `Outbound`. */
  readonly direction: string;
  readonly local: string;
  readonly remote: string;
  /** The service or address the client asked for; '' when unknown. */
  readonly remoteTarget: string;
  /** `HBONE` / `TCP` (1.26+); '' before, where the column does not exist. */
  readonly protocol: string;
}

/** `WORKLOAD DIRECTION LOCAL REMOTE REMOTE TARGET PROTOCOL` (connections.go; PROTOCOL since 1.26). */
const COLUMNS: readonly ColumnSpec[] = [
  { key: 'workload', names: ['WORKLOAD'] },
  { key: 'direction', names: ['DIRECTION'] },
  { key: 'local', names: ['LOCAL'] },
  { key: 'remote', names: ['REMOTE'] },
  { key: 'remoteTarget', names: ['REMOTE TARGET'] },
  { key: 'protocol', names: ['PROTOCOL'], optional: true },
];

export function parseZtunnelConnections(text: string): Result<ZtunnelConnection[], ParseFailure> {
  const rows = readZtunnelTable(text, 'connections', COLUMNS);
  if (!rows.ok) return rows;
  return ok(
    rows.value.map((row) => ({
      workload: row['workload'] ?? '',
      direction: row['direction'] ?? '',
      local: row['local'] ?? '',
      remote: row['remote'] ?? '',
      remoteTarget: row['remoteTarget'] ?? '',
      protocol: row['protocol'] ?? '',
    })),
  );
}
