import { err, ok, type Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { splitTable } from '../table.ts';

/** A column of a ztunnel-config table: its name per version (first match wins) and whether every version has it. */
export interface ColumnSpec {
  readonly key: string;
  /** Header spellings across versions, e.g. `POD NAME` (1.22+) and `NAME` (1.20-1.21 `proxy-config workload`). */
  readonly names: readonly string[];
  readonly optional?: boolean;
}

const isWordEdge = (header: string, at: number) => at < 0 || at >= header.length || header[at] === ' ' || header[at] === '\t';

/** Index of `name` in the header as whole words from `from`, or -1. */
function findName(header: string, name: string, from: number): number {
  let at = header.indexOf(name, from);
  while (at !== -1 && !(isWordEdge(header, at - 1) && isWordEdge(header, at + name.length))) at = header.indexOf(name, at + 1);
  return at;
}

/**
 * Reads a table of istioctl's ztunnel writer (istioctl/pkg/writer/ztunnel/configdump): tabwriter padding 1
 * (certificates 5), so column names with spaces (`POD NAME`, `SERVICE VIP`) may be one space from the next and are
 * located by name. Columns differ by version (`IP` → `ADDRESS` in 1.24, `NETWORK` 1.21 only, `ENDPOINTS` 1.23+,
 * `PROTOCOL` in connections 1.26+); `columns` lists every spelling, missing optional columns read as ''.
 * A header without rows is an empty list (the writer always prints the header).
 */
export function readZtunnelTable(text: string, what: string, columns: readonly ColumnSpec[]): Result<Record<string, string>[], ParseFailure> {
  const header = text.split('\n').find((line) => line.trim() !== '');
  if (header === undefined) return err({ kind: 'parse', message: `The ztunnel-config ${what} output is empty (not even a header).` });
  const present: { key: string; name: string }[] = [];
  let from = 0;
  for (const column of columns) {
    let found: { name: string; at: number } | undefined;
    for (const name of column.names) {
      const at = findName(header, name, from);
      if (at !== -1 && (found === undefined || at < found.at)) found = { name, at };
    }
    if (found === undefined) {
      if (column.optional) continue;
      return err({ kind: 'parse', message: `The ztunnel-config ${what} table has no ${column.names.join(' or ')} column (header: ${header.trim().slice(0, 200)}).` });
    }
    present.push({ key: column.key, name: found.name });
    from = found.at + found.name.length;
  }
  const table = splitTable(text, present.map((column) => column.name));
  if (!table.ok) return table;
  return ok(
    table.value.rows.map((row) => {
      const record: Record<string, string> = {};
      for (const column of columns) record[column.key] = '';
      for (const column of present) record[column.key] = row[column.name] ?? '';
      return record;
    }),
  );
}
