/**
 * JSON read piece by piece. A config dump is tens of megabytes of text whose parsed objects take several times
 * that, while the bot keeps a few facts per cluster or endpoint. So the text is checked once (the same grammar
 * as JSON.parse), cut into pieces by offset (an object's members, an array's elements), and only the pieces
 * a reader asks for are parsed, one at a time.
 */

/** A JSON value still in its text: `text.slice(start, end)`, known to be valid JSON. */
export class JsonValue {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Offsets of the children, recorded by the checking scan for large containers (see SPLIT_BYTES). */
  #pieces: readonly number[] | undefined;
  /** Large child containers, by start offset, with their own recorded pieces. */
  #large: ReadonlyMap<number, JsonValue> | undefined;

  constructor(text: string, start: number, end: number, pieces?: readonly number[], large?: ReadonlyMap<number, JsonValue>) {
    this.text = text;
    this.start = start;
    this.end = end;
    this.#pieces = pieces;
    this.#large = large;
  }

  get kind(): 'object' | 'array' | 'other' {
    const c = this.text.charCodeAt(this.start);
    return c === OPEN_BRACE ? 'object' : c === OPEN_BRACKET ? 'array' : 'other';
  }

  /** JSON.parse of this piece alone. */
  parse(): unknown {
    return JSON.parse(this.text.slice(this.start, this.end));
  }

  /** An object's members in text order, keys decoded (duplicates kept); [] for anything else. */
  members(): [key: string, value: JsonValue][] {
    if (this.kind !== 'object') return [];
    const pieces = this.#pieces ?? structure(this.text, this.start, true);
    const out: [string, JsonValue][] = [];
    for (let p = 0; p < pieces.length; p += 4) {
      const keyStart = pieces[p] as number;
      const keyEnd = pieces[p + 1] as number;
      out.push([decodeKey(this.text, keyStart, keyEnd), this.#child(pieces[p + 2] as number, pieces[p + 3] as number)]);
    }
    return out;
  }

  /** An array's elements; [] for anything else. */
  elements(): JsonValue[] {
    if (this.kind !== 'array') return [];
    const pieces = this.#pieces ?? structure(this.text, this.start, false);
    const out: JsonValue[] = [];
    for (let p = 0; p < pieces.length; p += 2) out.push(this.#child(pieces[p] as number, pieces[p + 1] as number));
    return out;
  }

  #child(start: number, end: number): JsonValue {
    return this.#large?.get(start) ?? new JsonValue(this.text, start, end);
  }
}

/**
 * Checks that `text` is exactly one JSON value (whitespace around it allowed) with JSON.parse's grammar and
 * returns it, or the offset of the first error. One pass; containers of at least SPLIT_BYTES near the top
 * keep their children's offsets so reading them does not scan them again.
 */
export function scanJson(text: string): JsonValue | { readonly errorAt: number } {
  const fail = (at: number) => ({ errorAt: at });
  // Per open container, outermost first: whether it is an array, where it starts, and (for the RECORD_DEPTH
  // outermost ones) its children's offsets.
  const arrays: boolean[] = [];
  const starts: number[] = [];
  const frames: Frame[] = [];
  let i = skipWhitespace(text, 0);
  let expectKey = false;
  for (;;) {
    if (expectKey) {
      if (text.charCodeAt(i) !== QUOTE) return fail(i);
      const keyEnd = stringEnd(text, i + 1);
      if (keyEnd === -1) return fail(i);
      frames[arrays.length - 1]?.pieces.push(i, keyEnd);
      i = skipWhitespace(text, keyEnd);
      if (text.charCodeAt(i) !== COLON) return fail(i);
      i = skipWhitespace(text, i + 1);
      expectKey = false;
    }
    let valueStart = i;
    let valueEnd: number;
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const array = c === OPEN_BRACKET;
      i = skipWhitespace(text, i + 1);
      if (text.charCodeAt(i) === (array ? CLOSE_BRACKET : CLOSE_BRACE)) {
        valueEnd = i + 1;
      } else {
        if (arrays.length < RECORD_DEPTH) frames.push({ pieces: [], large: undefined });
        arrays.push(array);
        starts.push(valueStart);
        expectKey = !array;
        continue;
      }
    } else if (c === QUOTE) {
      valueEnd = stringEnd(text, i + 1);
      if (valueEnd === -1) return fail(i);
    } else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      valueEnd = numberEnd(text, i);
      if (valueEnd === -1) return fail(i);
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      valueEnd = i + 4;
    } else if (text.startsWith('false', i)) {
      valueEnd = i + 5;
    } else {
      return fail(i);
    }
    // A value just ended: record it in its container, then close every container that ends right after it.
    let closed: JsonValue | undefined;
    for (;;) {
      const top = arrays.length - 1;
      if (top === -1) {
        if (skipWhitespace(text, valueEnd) !== text.length) return fail(skipWhitespace(text, valueEnd));
        return closed ?? new JsonValue(text, valueStart, valueEnd);
      }
      const frame = frames[top];
      if (frame) {
        frame.pieces.push(valueStart, valueEnd);
        if (closed) (frame.large ??= new Map()).set(valueStart, closed);
      }
      i = skipWhitespace(text, valueEnd);
      const next = text.charCodeAt(i);
      const array = arrays[top] as boolean;
      if (next === COMMA) {
        i = skipWhitespace(text, i + 1);
        expectKey = !array;
        break;
      }
      if (next !== (array ? CLOSE_BRACKET : CLOSE_BRACE)) return fail(i);
      valueStart = starts.pop() as number;
      valueEnd = i + 1;
      arrays.pop();
      frames.length = Math.min(frames.length, top);
      closed = frame && valueEnd - valueStart >= SPLIT_BYTES ? new JsonValue(text, valueStart, valueEnd, frame.pieces, frame.large) : undefined;
    }
  }
}

interface Frame {
  /** Object: keyStart, keyEnd, valueStart, valueEnd per member; array: valueStart, valueEnd per element. */
  readonly pieces: number[];
  large: Map<number, JsonValue> | undefined;
}

/** Containers this deep are not cut further while checking (a config dump's elements sit at depth 4). */
const RECORD_DEPTH = 4;
/** Containers at least this long keep their children's offsets from the checking scan. */
const SPLIT_BYTES = 64 * 1024;

/**
 * Offsets of the children of the valid container at `open` (see Frame.pieces), without checking: strings are
 * skipped whole, nested containers by depth.
 */
function structure(text: string, open: number, object: boolean): number[] {
  const pieces: number[] = [];
  let i = skipWhitespace(text, open + 1);
  if (text.charCodeAt(i) === (object ? CLOSE_BRACE : CLOSE_BRACKET)) return pieces;
  for (;;) {
    if (object) {
      const keyEnd = closingQuote(text, i + 1) + 1;
      pieces.push(i, keyEnd);
      i = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
    }
    const end = skipValue(text, i);
    pieces.push(i, end);
    i = skipWhitespace(text, end);
    if (text.charCodeAt(i) !== COMMA) return pieces;
    i = skipWhitespace(text, i + 1);
  }
}

/** End of the valid value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return closingQuote(text, i + 1) + 1;
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    let end = i + 1;
    for (let d = text.charCodeAt(end); !isDelimiter(d); d = text.charCodeAt(++end));
    return end;
  }
  let depth = 0;
  for (let j = i; ; j++) {
    const d = text.charCodeAt(j);
    if (d === QUOTE) j = closingQuote(text, j + 1);
    else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) return j + 1;
  }
}

/** Index of the unescaped quote closing a string whose content starts at `from` (valid JSON assumed). */
function closingQuote(text: string, from: number): number {
  let quote = text.indexOf('"', from);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
}

function decodeKey(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : raw;
}

/** End (after the closing quote) of the string whose content starts at `i`, or -1 when it is not valid JSON. */
function stringEnd(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      const e = text.charCodeAt(i + 1);
      if (e === LOWER_U) {
        for (let h = i + 2; h < i + 6; h++) if (!isHex(text.charCodeAt(h))) return -1;
        i += 6;
      } else if (SIMPLE_ESCAPES.has(e)) {
        i += 2;
      } else {
        return -1;
      }
      continue;
    }
    // Control characters must be escaped; NaN is the end of the text.
    if (!(c >= 0x20)) return -1;
    i++;
  }
}

/** End of the number at `i` (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), or -1. */
function numberEnd(text: string, i: number): number {
  if (text.charCodeAt(i) === MINUS) i++;
  const first = text.charCodeAt(i);
  if (first === DIGIT_0) i++;
  else if (first >= DIGIT_1 && first <= DIGIT_9) i = digitsEnd(text, i + 1);
  else return -1;
  if (text.charCodeAt(i) === DOT) {
    const after = digitsEnd(text, i + 1);
    if (after === i + 1) return -1;
    i = after;
  }
  const e = text.charCodeAt(i);
  if (e === LOWER_E || e === UPPER_E) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === PLUS || sign === MINUS) i++;
    const after = digitsEnd(text, i);
    if (after === i) return -1;
    i = after;
  }
  return i;
}

function digitsEnd(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c >= DIGIT_0 && c <= DIGIT_9; c = text.charCodeAt(++i));
  return i;
}

function skipWhitespace(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c === SPACE || c === NEWLINE || c === CARRIAGE_RETURN || c === TAB; c = text.charCodeAt(++i));
  return i;
}

function isDelimiter(c: number): boolean {
  return c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === SPACE || c === NEWLINE || c === CARRIAGE_RETURN || c === TAB || Number.isNaN(c);
}

function isHex(c: number): boolean {
  return (c >= DIGIT_0 && c <= DIGIT_9) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

const TAB = 9;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const DIGIT_0 = 48;
const DIGIT_1 = 49;
const DIGIT_9 = 57;
const COLON = 58;
const UPPER_E = 69;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const LOWER_E = 101;
const LOWER_U = 117;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
/** `"` `\` `/` `b` `f` `n` `r` `t` after a backslash. */
const SIMPLE_ESCAPES: ReadonlySet<number> = new Set([34, 92, 47, 98, 102, 110, 114, 116]);
