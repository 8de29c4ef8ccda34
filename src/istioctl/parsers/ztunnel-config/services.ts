import { ok, type Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { readZtunnelTable, type ColumnSpec } from './table.ts';

export interface ZtunnelService {
  readonly namespace: string;
  readonly name: string;
  /** VIPs as printed (comma-joined); '' for a headless service. */
  readonly vip: string;
  /** null when the writer prints `None`. */
  readonly waypoint: string | null;
  /** `ENDPOINTS` ready/total (1.23+); null on 1.22, which has no such column. */
  readonly endpoints: { readonly ready: number; readonly total: number } | null;
}

/** `NAMESPACE SERVICE NAME SERVICE VIP WAYPOINT ENDPOINTS` (1.23+; 1.22 without ENDPOINTS: services.go). */
const COLUMNS: readonly ColumnSpec[] = [
  { key: 'namespace', names: ['NAMESPACE'] },
  { key: 'name', names: ['SERVICE NAME'] },
  { key: 'vip', names: ['SERVICE VIP'] },
  { key: 'waypoint', names: ['WAYPOINT'] },
  { key: 'endpoints', names: ['ENDPOINTS'], optional: true },
];

const ENDPOINTS = /^(\d+)\/(\d+)$/;

export function parseZtunnelServices(text: string): Result<ZtunnelService[], ParseFailure> {
  const rows = readZtunnelTable(text, 'services', COLUMNS);
  if (!rows.ok) return rows;
  return ok(
    rows.value.map((row) => {
      const endpoints = ENDPOINTS.exec(row['endpoints'] ?? '');
      return {
        namespace: row['namespace'] ?? '',
        name: row['name'] ?? '',
        vip: row['vip'] ?? '',
        waypoint: row['waypoint'] === 'None' || row['waypoint'] === '' ? null : (row['waypoint'] ?? null),
        endpoints: endpoints ? { ready: Number(endpoints[1]), total: Number(endpoints[2]) } : null,
      };
    }),
  );
}
