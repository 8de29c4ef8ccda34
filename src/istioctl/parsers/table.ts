import { err, ok } from '../../result.ts';
import type { Result } from '../../result.ts';
import type { ParseFailure } from '../types.ts';

/** A table printed by Go's text/tabwriter, cut into named cells. */
export interface Table {
  readonly headers: string[];
  /** One record per data row, keyed by header name; every header is present (blank cells are ''). */
  readonly rows: Record<string, string>[];
}

interface Column {
  readonly name: string;
  readonly start: number;
}

/**
 * The same table as one flat row-major array of cells (`cells[row * headers.length + column]`), for
 * callers that read tens of thousands of rows: one array instead of one record per row keeps the
 * garbage collector out of the way.
 */
export interface CellTable {
  readonly headers: string[];
  readonly rowCount: number;
  readonly cells: string[];
}

/**
 * Splits tabwriter output into cells by the header's column offsets.
 *
 * tabwriter pads every cell of a column to the same width, so each column starts at the same
 * offset on every line; cutting at the header's offsets is therefore exact even when cells contain
 * single spaces (`STALE (Never Acknowledged)`) or are blank. Header names are told apart from
 * multi-word headers (`SUBSCRIBED TYPES`) by requiring at least two spaces between columns.
 *
 * `columns` names the header's columns instead, in order, for tables whose columns may be only one
 * space apart while their names contain spaces (istioctl proxy-config pads with one space:
 * `SERVICE FQDN PORT`). The header must contain each name as whole words; other header text is ignored.
 */
export function splitTable(text: string, columns?: readonly string[]): Result<Table, ParseFailure> {
  const table = splitTableCells(text, columns);
  if (!table.ok) return table;
  const { headers, rowCount, cells } = table.value;
  const rows: Record<string, string>[] = new Array<Record<string, string>>(rowCount);
  for (let r = 0; r < rowCount; r++) {
    const row: Record<string, string> = {};
    for (const [index, header] of headers.entries()) row[header] = cells[r * headers.length + index] as string;
    rows[r] = row;
  }
  return ok({ headers, rows });
}

/** {@link splitTable} without building a record per row: one pass over the text, no per-row regular expressions. */
export function splitTableCells(text: string, names?: readonly string[]): Result<CellTable, ParseFailure> {
  // Line i spans text[bounds[2i], bounds[2i+1]).
  const bounds = nonBlankLineBounds(text);
  const lineCount = bounds.length / 2;
  if (lineCount === 0) {
    return err({ kind: 'parse', message: 'Expected a table but the output is empty.' });
  }
  const header = text.slice(bounds[0], bounds[1]);
  const named = names ? namedColumns(header, names) : ok(headerColumns(header));
  if (!named.ok) return named;
  const columns = named.value;
  const first = columns[0];
  if (first === undefined || first.start !== 0) {
    return err({ kind: 'parse', message: `Expected a table header at the start of the line, got "${clip(header)}".` });
  }
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) {
      return err({ kind: 'parse', message: `The table header names column "${column.name}" twice.` });
    }
    seen.add(column.name);
  }
  const starts = columns.map((column) => column.start);

  // Cells are cut straight out of `text` by offset (one allocation per cell) because a mesh can
  // have tens of thousands of rows.
  const width = starts.length;
  const cells = new Array<string>((lineCount - 1) * width);
  for (let i = 1; i < lineCount; i++) {
    const lineStart = bounds[2 * i] as number;
    const lineEnd = bounds[2 * i + 1] as number;
    const base = (i - 1) * width;
    for (let c = 0; c < width; c++) {
      const cellStart = lineStart + (starts[c] as number);
      if (cellStart >= lineEnd) {
        cells[base + c] = '';
        continue;
      }
      // A non-space just before a column offset means the row is not aligned with the header
      // (not tabwriter output, or a different table glued on); cutting it would silently mix cells.
      if (c > 0 && text.charCodeAt(cellStart - 1) !== SPACE) {
        return err({
          kind: 'parse',
          message: `Table row ${i} is not aligned with the header column "${(columns[c] as Column).name}": "${clip(text.slice(lineStart, lineEnd))}".`,
        });
      }
      let cellEnd = c + 1 < width ? Math.min(lineStart + (starts[c + 1] as number), lineEnd) : lineEnd;
      while (cellEnd > cellStart && isPadding(text.charCodeAt(cellEnd - 1))) cellEnd--;
      let from = cellStart;
      while (from < cellEnd && isPadding(text.charCodeAt(from))) from++;
      cells[base + c] = text.slice(from, cellEnd);
    }
  }
  return ok({ headers: columns.map((column) => column.name), rowCount: lineCount - 1, cells });
}

const SPACE = 32;
const TAB = 9;
const CARRIAGE_RETURN = 13;

/** Where each of `names` starts in the header, in order; a name must stand as whole words. */
function namedColumns(header: string, names: readonly string[]): Result<Column[], ParseFailure> {
  const columns: Column[] = [];
  let from = 0;
  for (const name of names) {
    let at = header.indexOf(name, from);
    while (at !== -1 && !(isWordEdge(header, at - 1) && isWordEdge(header, at + name.length))) at = header.indexOf(name, at + 1);
    if (at === -1) return err({ kind: 'parse', message: `table header ${JSON.stringify(header.trim())} has no ${name} column.` });
    columns.push({ name, start: at });
    from = at + name.length;
  }
  return ok(columns);
}

/** Start or end of the header, or padding: `NAME` inside `VHOST NAME` is found, inside `HOSTNAME` it is not. */
function isWordEdge(header: string, at: number): boolean {
  return at < 0 || at >= header.length || isPadding(header.charCodeAt(at));
}

function headerColumns(line: string): Column[] {
  const columns: Column[] = [];
  let nameStart = -1;
  let spaces = 0;
  for (let i = 0; i <= line.length; i++) {
    const isSpace = i === line.length || isPadding(line.charCodeAt(i));
    if (isSpace) {
      spaces++;
      continue;
    }
    if (nameStart === -1) {
      nameStart = i;
    } else if (spaces >= 2) {
      columns.push({ name: line.slice(nameStart, i).trim(), start: nameStart });
      nameStart = i;
    }
    spaces = 0;
  }
  if (nameStart !== -1) {
    columns.push({ name: line.slice(nameStart).trim(), start: nameStart });
  }
  return columns;
}

/** Start and end (exclusive, without the line break or a trailing `\r`) of each non-blank line, flattened. */
function nonBlankLineBounds(text: string): number[] {
  const bounds: number[] = [];
  let start = 0;
  while (start <= text.length) {
    let next = text.indexOf('\n', start);
    if (next === -1) next = text.length;
    let end = next;
    if (end > start && text.charCodeAt(end - 1) === CARRIAGE_RETURN) end--;
    let blank = true;
    for (let i = start; i < end && blank; i++) blank = isPadding(text.charCodeAt(i));
    if (!blank) bounds.push(start, end);
    start = next + 1;
  }
  return bounds;
}

function isPadding(ch: number): boolean {
  return ch === SPACE || ch === TAB;
}

function clip(line: string): string {
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
