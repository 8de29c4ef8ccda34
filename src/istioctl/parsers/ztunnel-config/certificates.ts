import { ok, type Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { readZtunnelTable, type ColumnSpec } from './table.ts';

/** One row of `ztunnel-config certificates`: a certificate of a workload identity on that ztunnel's node. */
export interface ZtunnelCertificate {
  /** The SPIFFE identity. */
  readonly name: string;
  /** `Leaf` / `Root` (1.22+; `Cert Chain` / `CA` in 1.20-1.21 `proxy-config secret`), `NA` while none is held. */
  readonly type: string;
  /** `Available`, `Initializing`, `Unavailable`. */
  readonly status: string;
  readonly valid: boolean;
  /** Lowercase hex; '' for `NA`. */
  readonly serial: string;
  /** RFC 3339; '' for `NA`. */
  readonly notAfter: string;
  readonly notBefore: string;
}

/**
 * 1.22+: `CERTIFICATE NAME TYPE STATUS VALID CERT SERIAL NUMBER NOT AFTER NOT BEFORE` (tabwriter padding 5);
 * 1.20-1.21 `proxy-config secret <ztunnel>`: `NAME …` with the same other columns.
 */
const COLUMNS: readonly ColumnSpec[] = [
  { key: 'name', names: ['CERTIFICATE NAME', 'NAME'] },
  { key: 'type', names: ['TYPE'] },
  { key: 'status', names: ['STATUS'] },
  { key: 'valid', names: ['VALID CERT'] },
  { key: 'serial', names: ['SERIAL NUMBER'] },
  { key: 'notAfter', names: ['NOT AFTER'] },
  { key: 'notBefore', names: ['NOT BEFORE'] },
];

const known = (cell: string | undefined) => (cell === undefined || cell === 'NA' ? '' : cell);

export function parseZtunnelCertificates(text: string): Result<ZtunnelCertificate[], ParseFailure> {
  const rows = readZtunnelTable(text, 'certificates', COLUMNS);
  if (!rows.ok) return rows;
  return ok(
    rows.value.map((row) => ({
      name: row['name'] ?? '',
      type: row['type'] ?? '',
      status: row['status'] ?? '',
      valid: row['valid'] === 'true',
      serial: known(row['serial']).toLowerCase(),
      notAfter: known(row['notAfter']),
      notBefore: known(row['notBefore']),
    })),
  );
}
