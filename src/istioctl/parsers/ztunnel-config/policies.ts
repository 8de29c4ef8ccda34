import { ok, type Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { readZtunnelTable, type ColumnSpec } from './table.ts';

/** An authorization policy ztunnel enforces (Layer 4). */
export interface ZtunnelPolicy {
  readonly namespace: string;
  readonly name: string;
  /** `Allow`, `Deny`, … as printed. */
  readonly action: string;
  /** `Namespace`, `WorkloadSelector`, `Global`. */
  readonly scope: string;
}

/** `NAMESPACE POLICY NAME ACTION SCOPE` (policies.go, 1.22+). */
const COLUMNS: readonly ColumnSpec[] = [
  { key: 'namespace', names: ['NAMESPACE'] },
  { key: 'name', names: ['POLICY NAME'] },
  { key: 'action', names: ['ACTION'] },
  { key: 'scope', names: ['SCOPE'] },
];

export function parseZtunnelPolicies(text: string): Result<ZtunnelPolicy[], ParseFailure> {
  const rows = readZtunnelTable(text, 'policies', COLUMNS);
  if (!rows.ok) return rows;
  return ok(rows.value.map((row) => ({ namespace: row['namespace'] ?? '', name: row['name'] ?? '', action: row['action'] ?? '', scope: row['scope'] ?? '' })));
}
