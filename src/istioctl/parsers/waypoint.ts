import { err, ok, type Result } from '../../result.ts';
import type { ParseFailure } from '../types.ts';
import { splitTable } from './table.ts';

/**
 * One row of `istioctl [x] waypoint list`. Columns by version (corpus ambient/waypoint/list):
 * 1.20-1.21 `[NAMESPACE] NAME SERVICE ACCOUNT REVISION PROGRAMMED`, 1.22-1.26 `[NAMESPACE] NAME REVISION PROGRAMMED`,
 * 1.27+ `[NAMESPACE] NAME REVISION TRAFFIC TYPE PROGRAMMED`; NAMESPACE only with `-A`.
 */
export interface WaypointRow {
  readonly namespace: string;
  readonly name: string;
  /** The Gateway's `istio.io/rev` label, or `default`. */
  readonly revision: string;
  /** 1.27+: the raw `istio.io/waypoint-for` label, `none` when it is absent; null when the table has no such column. */
  readonly trafficType: string | null;
  /** 1.20-1.21 only: the SERVICE ACCOUNT column ('' when blank); null otherwise. */
  readonly serviceAccount: string | null;
  /** The Gateway's `Programmed` condition status as printed (`True`, `False`, `Unknown`). */
  readonly programmed: string;
}

/** One row of `istioctl waypoint status` (1.29+ goldens): a waypoint's `Programmed` condition. */
export interface WaypointStatusRow {
  readonly namespace: string;
  readonly name: string;
  /** The condition's status as printed (`True`, `False`, `Unknown`). */
  readonly status: string;
  /** The condition type (`Programmed`). */
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

/** istioctl prints this line (exit 0) instead of a table when the scope has no Gateway at all. */
export const NO_WAYPOINTS = 'No waypoints found.';

function failure(message: string): { readonly ok: false; readonly error: ParseFailure } {
  return err({ kind: 'parse', message });
}

/** Rows keyed by header name, or a failure naming the first required column that is missing. */
function rowsWith(text: string, required: readonly string[], what: string): Result<{ headers: readonly string[]; rows: Record<string, string>[] }, ParseFailure> {
  const table = splitTable(text);
  if (!table.ok) return table;
  const missing = required.find((name) => !table.value.headers.includes(name));
  if (missing !== undefined) return failure(`The ${what} table has no ${missing} column (header: ${table.value.headers.join(', ')}).`);
  return ok(table.value);
}

/**
 * Parses `waypoint list` of any version 1.20+. `scopeNamespace` is the namespace the command was run for: tables
 * printed without `-A` have no NAMESPACE column.
 */
export function parseWaypointList(text: string, scopeNamespace: string): Result<WaypointRow[], ParseFailure> {
  if (text.trim() === NO_WAYPOINTS) return ok([]);
  const table = rowsWith(text, ['NAME', 'REVISION', 'PROGRAMMED'], 'waypoint list');
  if (!table.ok) return table;
  const { headers, rows } = table.value;
  const hasTraffic = headers.includes('TRAFFIC TYPE');
  const hasAccount = headers.includes('SERVICE ACCOUNT');
  return ok(
    rows.map((row) => ({
      namespace: row['NAMESPACE'] ?? scopeNamespace,
      name: row['NAME'] ?? '',
      revision: row['REVISION'] ?? '',
      trafficType: hasTraffic ? (row['TRAFFIC TYPE'] ?? '') : null,
      serviceAccount: hasAccount ? (row['SERVICE ACCOUNT'] ?? '') : null,
      programmed: row['PROGRAMMED'] ?? '',
    })),
  );
}

/** Parses `waypoint status` (1.29+ layout: `[NAMESPACE] NAME STATUS TYPE REASON MESSAGE`). */
export function parseWaypointStatus(text: string, scopeNamespace: string): Result<WaypointStatusRow[], ParseFailure> {
  if (text.trim() === NO_WAYPOINTS) return ok([]);
  const table = rowsWith(text, ['NAME', 'STATUS', 'TYPE', 'REASON', 'MESSAGE'], 'waypoint status');
  if (!table.ok) return table;
  return ok(
    table.value.rows.map((row) => ({
      namespace: row['NAMESPACE'] ?? scopeNamespace,
      name: row['NAME'] ?? '',
      status: row['STATUS'] ?? '',
      type: row['TYPE'] ?? '',
      reason: row['REASON'] ?? '',
      message: row['MESSAGE'] ?? '',
    })),
  );
}
