// A port of Go's text/tabwriter (padchar ' ', flags 0, no Debug/AlignRight/DiscardEmptyColumns),
// which is what istioctl's writers use: tabwriter.NewWriter(w, 0, 8|9, 5, ' ', 0).
// Input: the text that Go code would Fprintf into the writer (cells separated by '\t', lines by '\n').
// Output: the bytes the writer emits on Flush.

interface Cell {
  text: string;
  width: number; // in runes, like Go's utf8.RuneCount
}

export interface TabwriterOptions {
  minwidth: number;
  padding: number;
}

export const ISTIOCTL_TABLE: TabwriterOptions = { minwidth: 0, padding: 5 };

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Renders text exactly as Go's tabwriter would after Write(text) + Flush(). */
export function tabwrite(text: string, opts: TabwriterOptions = ISTIOCTL_TABLE): string {
  // Split into lines; every '\n' terminates a line, the remainder is the last (unterminated) line.
  const rawLines = text.split('\n');
  let out = '';
  // Go flushes (ends every column block) after a line that has a single cell.
  let pending: Cell[][] = [];
  const flush = (finalFlush: boolean): void => {
    if (pending.length === 0) return;
    out += format(pending, opts, finalFlush);
    pending = [];
  };
  rawLines.forEach((line, i) => {
    const cells = line.split('\t').map((t) => ({ text: t, width: runeCount(t) }));
    pending.push(cells);
    const terminated = i < rawLines.length - 1;
    if (terminated && cells.length === 1) {
      // the newline belongs to this line; emit it and start fresh blocks
      out += format(pending, opts, false);
      pending = [];
    }
  });
  flush(true);
  return out;
}

/** Formats buffered lines. The last line is written without a newline only when it is the unterminated tail. */
function format(lines: Cell[][], opts: TabwriterOptions, lastIsTail: boolean): string {
  let out = '';
  const widths: number[] = [];
  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i] ?? [];
      line.forEach((c, j) => {
        out += c.text;
        const w = widths[j];
        if (j < widths.length && w !== undefined) out += ' '.repeat(Math.max(0, w - c.width));
      });
      if (!(lastIsTail && i + 1 === lines.length)) out += '\n';
    }
  };
  const fmt = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      const line = lines[t] ?? [];
      if (column >= line.length - 1) continue;
      writeLines(line0, t);
      line0 = t;
      let width = opts.minwidth;
      for (; t < line1; t++) {
        const l = lines[t] ?? [];
        if (column >= l.length - 1) break;
        const c = l[column];
        const w = (c?.width ?? 0) + opts.padding;
        if (w > width) width = w;
      }
      widths.push(width);
      fmt(line0, t);
      widths.pop();
      line0 = t;
      t--; // the for loop's t++ must re-examine line `t` (Go's loop continues from `this`)
    }
    writeLines(line0, line1);
  };
  fmt(0, lines.length);
  return out;
}

/** Convenience: rows of cells -> Go's Fprintf("%v\t%v...\n") per row -> tabwriter output. */
export function renderTable(rows: readonly (readonly string[])[], opts: TabwriterOptions = ISTIOCTL_TABLE): string {
  return tabwrite(rows.map((r) => r.join('\t') + '\n').join(''), opts);
}
