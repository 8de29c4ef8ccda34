/**
 * JSON read piece by piece. A config dump is tens of megabytes of text whose parsed objects take several times
 * that, while the bot keeps a few facts per cluster or endpoint. So the text is checked once (the same grammar
 * as JSON.parse), cut into pieces by offset (an object's members, an array's elements), and only the pieces
 * a reader asks for are parsed, one at a time.
 *
 * The text is read as code units: the UTF-8 bytes istioctl printed (the large path: the dump never exists as
 * one JS string, each piece is decoded on its own), or a string's UTF-16 code units. JSON's structure
 * (`{}[],:"\` and whitespace, literals, numbers, escapes) is ASCII, identical in both, and every non-ASCII
 * code unit is ≥ 0x80, so inside a string it is content and outside one an error, as JSON.parse has it.
 * Offsets are byte offsets for bytes and string indices for a string.
 */

/** What a scan reads: UTF-8 bytes, or the UTF-16 code units of a string. */
type Codes = Uint8Array | Uint16Array;

/** The scanned input: its code units, and how a range of them becomes text. */
interface Source {
  readonly codes: Codes;
  /** The text of `[start, end)`: a string's slice, or the bytes decoded as UTF-8. */
  readonly slice: (start: number, end: number) => string;
  readonly input: string | Uint8Array;
}

/** A JSON value still in its text: code units `[start, end)` of the input, known to be valid JSON. */
export class JsonValue {
  readonly start: number;
  readonly end: number;
  readonly #source: Source;
  /** Offsets of the children, recorded by the checking scan for large containers (see SPLIT_BYTES). */
  #pieces: readonly number[] | undefined;
  /** Large child containers, by start offset, with their own recorded pieces. */
  #large: ReadonlyMap<number, JsonValue> | undefined;

  constructor(source: Source, start: number, end: number, pieces?: readonly number[], large?: ReadonlyMap<number, JsonValue>) {
    this.#source = source;
    this.start = start;
    this.end = end;
    this.#pieces = pieces;
    this.#large = large;
  }

  /**
   * The text `start` and `end` index: the scanned string itself, or for bytes their Latin-1 reading (one
   * character per byte, so the offsets still fit; non-ASCII characters appear as their UTF-8 bytes). Built
   * whole on first use for bytes: readers use source() instead.
   */
  get text(): string {
    const input = this.#source.input;
    return typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
  }

  /** This piece's JSON text, decoded. */
  source(): string {
    return this.#source.slice(this.start, this.end);
  }

  get kind(): 'object' | 'array' | 'other' {
    const c = this.#source.codes[this.start];
    return c === OPEN_BRACE ? 'object' : c === OPEN_BRACKET ? 'array' : 'other';
  }

  /** JSON.parse of this piece alone. */
  parse(): unknown {
    return JSON.parse(this.source());
  }

  /** An object's members in text order, keys decoded (duplicates kept); [] for anything else. */
  members(): [key: string, value: JsonValue][] {
    if (this.kind !== 'object') return [];
    const pieces = this.#pieces ?? structure(this.#source.codes, this.start, true);
    const out: [string, JsonValue][] = [];
    for (let p = 0; p < pieces.length; p += 4) {
      const keyStart = pieces[p] as number;
      const keyEnd = pieces[p + 1] as number;
      out.push([decodeKey(this.#source, keyStart, keyEnd), this.#child(pieces[p + 2] as number, pieces[p + 3] as number)]);
    }
    return out;
  }

  /** An array's elements; [] for anything else. */
  elements(): JsonValue[] {
    if (this.kind !== 'array') return [];
    const pieces = this.#pieces ?? structure(this.#source.codes, this.start, false);
    const out: JsonValue[] = [];
    for (let p = 0; p < pieces.length; p += 2) out.push(this.#child(pieces[p] as number, pieces[p + 1] as number));
    return out;
  }

  /** Calls `each` with the elements of an array one by one, none kept (nothing for anything else). */
  forEachElement(each: (element: JsonValue) => boolean): void {
    if (this.kind !== 'array') return;
    const pieces = this.#pieces ?? structure(this.#source.codes, this.start, false);
    for (let p = 0; p < pieces.length; p += 2) if (!each(this.#child(pieces[p] as number, pieces[p + 1] as number))) return;
  }

  #child(start: number, end: number): JsonValue {
    return this.#large?.get(start) ?? new JsonValue(this.#source, start, end);
  }
}

/** A string as code units: each piece is a slice of it. For strings the callers already hold (tests, small outputs). */
function stringSource(text: string): Source {
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return { codes, slice: (start, end) => text.slice(start, end), input: text };
}

/** UTF-8 bytes, read in place: each piece is decoded alone, so the whole text never exists as one string. */
function bytesSource(bytes: Uint8Array): Source {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { codes: bytes, slice: (start, end) => buffer.toString('utf8', start, end), input: bytes };
}

/**
 * Checks that `input` (a string, or UTF-8 bytes) is exactly one JSON value (whitespace around it allowed) with
 * JSON.parse's grammar and returns it, or the offset of the first error. One pass; containers of at least
 * SPLIT_BYTES near the top keep their children's offsets so reading them does not scan them again.
 */
export function scanJson(input: string | Uint8Array): JsonValue | { readonly errorAt: number } {
  const source = typeof input === 'string' ? stringSource(input) : bytesSource(input);
  return scan(source, source.codes);
}

function scan(source: Source, text: Codes): JsonValue | { readonly errorAt: number } {
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
      if (at(text, i) !== QUOTE) return fail(i);
      const keyEnd = stringEnd(text, i + 1);
      if (keyEnd === -1) return fail(i);
      frames[arrays.length - 1]?.pieces.push(i, keyEnd);
      i = skipWhitespace(text, keyEnd);
      if (at(text, i) !== COLON) return fail(i);
      i = skipWhitespace(text, i + 1);
      expectKey = false;
    }
    let valueStart = i;
    let valueEnd: number;
    const c = at(text, i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const array = c === OPEN_BRACKET;
      i = skipWhitespace(text, i + 1);
      if (at(text, i) === (array ? CLOSE_BRACKET : CLOSE_BRACE)) {
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
    } else if (startsWith(text, TRUE, i) || startsWith(text, NULL, i)) {
      valueEnd = i + 4;
    } else if (startsWith(text, FALSE, i)) {
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
        return closed ?? new JsonValue(source, valueStart, valueEnd);
      }
      const frame = frames[top];
      if (frame) {
        frame.pieces.push(valueStart, valueEnd);
        if (closed) (frame.large ??= new Map()).set(valueStart, closed);
      }
      i = skipWhitespace(text, valueEnd);
      const next = at(text, i);
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
      closed = frame && valueEnd - valueStart >= SPLIT_BYTES ? new JsonValue(source, valueStart, valueEnd, frame.pieces, frame.large) : undefined;
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
/** Containers at least this long (in code units) keep their children's offsets from the checking scan. */
const SPLIT_BYTES = 64 * 1024;

/**
 * Bounds of `bytes` without the whitespace String.prototype.trim removes from the decoded text (ASCII
 * whitespace, and U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF in UTF-8), so
 * bytes and their decoded string trim alike.
 */
export function trimmedBytes(bytes: Uint8Array): Uint8Array {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let start = 0;
  let end = bytes.length;
  while (start < end) {
    const c = bytes[start] as number;
    if (c < 0x80) {
      if (!isTrimmedAscii(c)) break;
      start += 1;
      continue;
    }
    // Every non-ASCII character trim removes is in the BMP: three bytes (U+0800..) or two (U+00A0).
    const length = c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc0 && c < 0xe0 ? 2 : 0;
    if (length === 0 || start + length > end || buffer.toString('utf8', start, start + length).trim() !== '') break;
    start += length;
  }
  while (end > start) {
    const c = bytes[end - 1] as number;
    if (c < 0x80) {
      if (!isTrimmedAscii(c)) break;
      end -= 1;
      continue;
    }
    // Back to the lead byte of the last character (at most three continuation bytes before it is malformed).
    let lead = end - 1;
    while (lead > start && end - lead <= 3 && ((bytes[lead] as number) & 0xc0) === 0x80) lead -= 1;
    if (buffer.toString('utf8', lead, end).trim() !== '') break;
    end = lead;
  }
  return bytes.subarray(start, end);
}

function isTrimmedAscii(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CARRIAGE_RETURN);
}

/**
 * Offsets of the children of the valid container at `open` (see Frame.pieces), without checking: strings are
 * skipped whole, nested containers by depth.
 */
function structure(text: Codes, open: number, object: boolean): number[] {
  const pieces: number[] = [];
  let i = skipWhitespace(text, open + 1);
  if (at(text, i) === (object ? CLOSE_BRACE : CLOSE_BRACKET)) return pieces;
  for (;;) {
    if (object) {
      const keyEnd = closingQuote(text, i + 1) + 1;
      pieces.push(i, keyEnd);
      i = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
    }
    const end = skipValue(text, i);
    pieces.push(i, end);
    i = skipWhitespace(text, end);
    if (at(text, i) !== COMMA) return pieces;
    i = skipWhitespace(text, i + 1);
  }
}

/** End of the valid value starting at `i`. */
function skipValue(text: Codes, i: number): number {
  const c = at(text, i);
  if (c === QUOTE) return closingQuote(text, i + 1) + 1;
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    let end = i + 1;
    for (let d = at(text, end); !isDelimiter(d); d = at(text, ++end));
    return end;
  }
  let depth = 0;
  for (let j = i; ; j++) {
    const d = at(text, j);
    if (d === QUOTE) j = closingQuote(text, j + 1);
    else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) return j + 1;
  }
}

/** Index of the unescaped quote closing a string whose content starts at `from` (valid JSON assumed). */
function closingQuote(text: Codes, from: number): number {
  let quote = text.indexOf(QUOTE, from);
  for (;;) {
    let backslashes = 0;
    while (at(text, quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf(QUOTE, quote + 1);
  }
}

function decodeKey(source: Source, start: number, end: number): string {
  const raw = source.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(source.slice(start, end)) as string) : raw;
}

/** End (after the closing quote) of the string whose content starts at `i`, or -1 when it is not valid JSON. */
function stringEnd(text: Codes, i: number): number {
  for (;;) {
    const c = at(text, i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      const e = at(text, i + 1);
      if (e === LOWER_U) {
        for (let h = i + 2; h < i + 6; h++) if (!isHex(at(text, h))) return -1;
        i += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === SLASH || e === LOWER_B || e === LOWER_F || e === LOWER_N || e === LOWER_R || e === LOWER_T) {
        i += 2;
      } else {
        return -1;
      }
      continue;
    }
    // Control characters must be escaped; END is the end of the text. Code units ≥ 0x80 are content.
    if (c < 0x20) return -1;
    i++;
  }
}

/** End of the number at `i` (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), or -1. */
function numberEnd(text: Codes, i: number): number {
  if (at(text, i) === MINUS) i++;
  const first = at(text, i);
  if (first === DIGIT_0) i++;
  else if (first >= DIGIT_1 && first <= DIGIT_9) i = digitsEnd(text, i + 1);
  else return -1;
  if (at(text, i) === DOT) {
    const after = digitsEnd(text, i + 1);
    if (after === i + 1) return -1;
    i = after;
  }
  const e = at(text, i);
  if (e === LOWER_E || e === UPPER_E) {
    i++;
    const sign = at(text, i);
    if (sign === PLUS || sign === MINUS) i++;
    const after = digitsEnd(text, i);
    if (after === i) return -1;
    i = after;
  }
  return i;
}

function digitsEnd(text: Codes, i: number): number {
  for (let c = at(text, i); c >= DIGIT_0 && c <= DIGIT_9; c = at(text, ++i));
  return i;
}

function skipWhitespace(text: Codes, i: number): number {
  for (let c = at(text, i); c === SPACE || c === NEWLINE || c === CARRIAGE_RETURN || c === TAB; c = at(text, ++i));
  return i;
}

/** The code unit at `i`, or END outside the text. */
function at(text: Codes, i: number): number {
  return text[i] ?? END;
}

function startsWith(text: Codes, word: readonly number[], i: number): boolean {
  for (let k = 0; k < word.length; k++) if (text[i + k] !== word[k]) return false;
  return true;
}

function isDelimiter(c: number): boolean {
  return c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === SPACE || c === NEWLINE || c === CARRIAGE_RETURN || c === TAB || c === END;
}

function isHex(c: number): boolean {
  return (c >= DIGIT_0 && c <= DIGIT_9) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Past the end of the text (below every code unit, so it is neither whitespace, structure nor content). */
const END = -1;
const TAB = 9;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const SLASH = 47;
const DIGIT_0 = 48;
const DIGIT_1 = 49;
const DIGIT_9 = 57;
const COLON = 58;
const UPPER_E = 69;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const LOWER_B = 98;
const LOWER_E = 101;
const LOWER_F = 102;
const LOWER_N = 110;
const LOWER_R = 114;
const LOWER_T = 116;
const LOWER_U = 117;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const TRUE = [116, 114, 117, 101];
const NULL = [110, 117, 108, 108];
const FALSE = [102, 97, 108, 115, 101];
