import { err, ok, type Result } from '../../result.ts';
import type { ParseFailure, ProxyStatusReport } from '../types.ts';
import { trimmedBytes } from './proxy-config/json-text.ts';
import { discoveryResponseReader, isDiscoveryResource, parseProxyStatus, type DiscoveryResource } from './proxy-status.ts';

/** istioctl's stdout fed as it arrives, chunk by chunk; `end` once it closed. */
export interface ProxyStatusStream {
  write(chunk: Uint8Array): void;
  end(): Result<ProxyStatusReport, ParseFailure>;
}

/** `istioctl proxy-status` stdout as the bytes istioctl printed, all at once. */
export function parseProxyStatusBytes(bytes: Uint8Array): Result<ProxyStatusReport, ParseFailure> {
  const stream = proxyStatusStream();
  stream.write(bytes);
  return stream.end();
}

/**
 * Reads `istioctl proxy-status` stdout while istioctl prints it. The 1.30+ `-o json` output is one
 * DiscoveryResponse per istiod whose `resources` hold one ClientConfig per proxy: 57 MB at 50,000 proxies, and
 * several times that once parsed whole. So it is never held: each ClientConfig is cut out of the chunks as they
 * come (only the one that straddles a chunk boundary is kept across it), parsed alone and reduced to a proxy row;
 * a document's other members (small) are parsed when they end.
 *
 * Tables, YAML and anything else are kept and handed to parseProxyStatus whole at the end (tables are a fraction of
 * the JSON's size). The JSON answer is parseProxyStatus's for every output that is valid JSON, its error sentences
 * included; output that is not valid JSON is refused with this reader's own sentence (the offending byte), since
 * the text parseProxyStatus would quote is no longer there.
 */
export function proxyStatusStream(): ProxyStatusStream {
  let mode: 'undecided' | 'json' | 'whole' = 'undecided';
  let kept: Buffer[] = [];
  let json: JsonDocumentsReader | undefined;
  /** Bytes before the first `{`, so error offsets count from the start of the output. */
  let skipped = 0;
  return {
    write(chunk) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (mode === 'undecided') {
        // Only leading ASCII whitespace is skipped here: any other first byte (a table, YAML, a byte-order mark
        // or other Unicode space before JSON, which String.prototype.trim removes) is read whole.
        let first = 0;
        while (first < bytes.length && isJsonWhitespace(bytes[first] as number)) first++;
        if (first === bytes.length) {
          kept.push(bytes);
          skipped += bytes.length;
          return;
        }
        if (bytes[first] === OPEN_BRACE) {
          mode = 'json';
          kept = [];
          json = new JsonDocumentsReader(skipped + first);
          json.write(bytes.subarray(first));
          return;
        }
        mode = 'whole';
      }
      if (mode === 'json') json?.write(bytes);
      else kept.push(bytes);
    },
    end() {
      if (json !== undefined) return json.end();
      const whole = Buffer.concat(kept);
      kept = [];
      return parseProxyStatus(whole.toString('utf8'));
    },
  };
}

type State =
  /** Between documents: whitespace, `{`, or the end. */
  | 'between'
  /** After the last document: Unicode whitespace, checked at the end (see #tail). */
  | 'tail'
  /** Just after a document's `{`: a key or `}`. */
  | 'first-key'
  /** After a member's `,`: a key. */
  | 'key'
  | 'colon'
  | 'member-value'
  /** After a member's value: `,` or `}`. */
  | 'after-member'
  /** Just after `resources: [`: an element or `]`. */
  | 'first-element'
  /** After an element's `,`: an element. */
  | 'element'
  /** After an element: `,` or `]`. */
  | 'after-element'
  /** Inside a value being cut out (#capture says which). */
  | 'value';

/** A value being cut out of the chunks: a member's key or value, an element of `resources`, a whole document. */
interface Capture {
  readonly role: 'key' | 'member' | 'element' | 'document';
  /** Byte offset of its first byte in the whole output, for error sentences. */
  readonly at: number;
  /** Pieces from earlier chunks; the current chunk's part is added when the value ends. */
  readonly pieces: Buffer[];
  /** Nesting depth inside the value (0 for a string or a number/literal at its top). */
  depth: number;
  scalar: boolean;
  inString: boolean;
  /** Whether the bytes of the string read so far end in an odd run of backslashes (the next byte is escaped). */
  escaped: boolean;
}

/** The DiscoveryResponse documents of a `-o json` output, read as their bytes arrive. */
class JsonDocumentsReader {
  readonly #reader = discoveryResponseReader();
  #state: State = 'between';
  /** Bytes of the output before the current chunk. */
  #offset: number;
  #capture: Capture | undefined;
  /** Where the current value's bytes start in the current chunk. */
  #captureStart = 0;
  /** The first error: a syntax error stops everything; a semantic one waits in case a syntax error follows. */
  #syntax: ParseFailure | undefined;
  #semantic: ParseFailure | undefined;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  /** Newline, the indentation of the last element that started on a line of its own, and `}` (#indentedElement). */
  #closer: Buffer | undefined;

  // The document being read.
  #documents = 0;
  #header: Record<string, unknown> = {};
  #key = '';
  #elements = 0;
  /** Elements that are not resources (not objects, or `@type` not a string), by index, for the schema's message. */
  #misfits: Map<number, unknown> = new Map();
  #resourceProblem: ParseFailure | undefined;

  /** `offset`: where the first `{` is in the output. */
  constructor(offset: number) {
    this.#offset = offset;
  }

  write(chunk: Buffer): void {
    if (this.#syntax === undefined) this.#read(chunk);
    this.#offset += chunk.length;
  }

  end(): Result<ProxyStatusReport, ParseFailure> {
    if (this.#syntax === undefined) {
      if (this.#state === 'tail') {
        const tail = Buffer.concat(this.#tail);
        if (trimmedBytes(tail).length !== 0) this.#syntaxError(this.#offset - tail.length, 'text after the last document');
      } else if (this.#state !== 'between') {
        this.#syntaxError(this.#offset, 'the output ends inside a document (truncated)');
      }
    }
    const failure = this.#syntax ?? this.#semantic;
    return failure === undefined ? ok(this.#reader.report()) : err(failure);
  }

  #read(chunk: Buffer): void {
    let i = 0;
    if (this.#state === 'value') {
      this.#captureStart = 0;
      i = this.#scanValue(chunk, 0);
      if (i === -1) return this.#carry(chunk);
      if (!this.#valueEnded(chunk, i)) return;
    }
    while (i < chunk.length) {
      const c = chunk[i] as number;
      if (isJsonWhitespace(c) && this.#state !== 'tail') {
        i++;
        continue;
      }
      switch (this.#state) {
        case 'between':
          if (c === OPEN_BRACE) {
            this.#startDocument();
            this.#state = 'first-key';
            i++;
            continue;
          }
          if (c === OPEN_BRACKET) {
            // Valid JSON, so parseProxyStatus reads it as a document (and refuses it as no DiscoveryResponse).
            this.#startDocument();
            this.#startCapture('document', chunk, i);
            break;
          }
          if (c >= 0x80) {
            // Possibly Unicode whitespace, which trim() would have removed from the end of the output.
            this.#state = 'tail';
            continue;
          }
          return this.#syntaxError(this.#offset + i, `expected the next JSON document or the end, found ${shown(c)}`);
        case 'tail':
          if (c === OPEN_BRACE || this.#tailBytes > MAX_TAIL_BYTES) return this.#syntaxError(this.#offset + i, 'text after the last document');
          this.#tail.push(chunk.subarray(i));
          this.#tailBytes += chunk.length - i;
          return;
        case 'first-key':
        case 'key':
          if (this.#state === 'first-key' && c === CLOSE_BRACE) {
            this.#endDocument();
            i++;
            continue;
          }
          if (c !== QUOTE) return this.#syntaxError(this.#offset + i, `expected a member name in quotes, found ${shown(c)}`);
          this.#startCapture('key', chunk, i);
          break;
        case 'colon':
          if (c !== COLON) return this.#syntaxError(this.#offset + i, `expected ":" after "${this.#key.slice(0, 40)}", found ${shown(c)}`);
          this.#state = 'member-value';
          i++;
          continue;
        case 'member-value':
          if (this.#key === 'resources' && c === OPEN_BRACKET) {
            this.#startResources();
            i++;
            continue;
          }
          this.#startCapture('member', chunk, i);
          break;
        case 'after-member':
          if (c === COMMA) this.#state = 'key';
          else if (c === CLOSE_BRACE) this.#endDocument();
          else return this.#syntaxError(this.#offset + i, `expected "," or "}" after the value of "${this.#key.slice(0, 40)}", found ${shown(c)}`);
          i++;
          continue;
        case 'first-element':
        case 'element':
          if (this.#state === 'first-element' && c === CLOSE_BRACKET) {
            this.#state = 'after-member';
            i++;
            continue;
          }
          if (c === OPEN_BRACE) {
            const end = this.#indentedElement(chunk, i);
            if (end !== -1) {
              i = end;
              continue;
            }
          }
          this.#startCapture('element', chunk, i);
          break;
        case 'after-element':
          if (c === COMMA) this.#state = 'element';
          else if (c === CLOSE_BRACKET) this.#state = 'after-member';
          else return this.#syntaxError(this.#offset + i, `expected "," or "]" after resource ${this.#elements} of document ${this.#documents}, found ${shown(c)}`);
          i++;
          continue;
      }
      // A value starts at i.
      const end = this.#scanValue(chunk, i);
      if (end === -1) return this.#carry(chunk);
      if (!this.#valueEnded(chunk, end)) return;
      i = end;
    }
  }

  /**
   * istioctl indents its JSON (protojson, 4 spaces), and a JSON string cannot hold a raw newline, so an element
   * that starts on a line of its own ends at the first newline followed by the same indentation and `}`. Cutting
   * it there skips scanning its bytes one by one (most of the read's time, half of them indentation). The cut is
   * only trusted when the piece parses as one JSON value, which makes that `}` the element's own: anything else
   * (another layout, an element that goes on in the next chunk) is scanned. Returns the index just past the
   * element, already read, or -1.
   */
  #indentedElement(chunk: Buffer, i: number): number {
    let lineStart = i - 1;
    while (lineStart >= 0 && (chunk[lineStart] === SPACE || chunk[lineStart] === TAB)) lineStart--;
    if (lineStart < 0 || chunk[lineStart] !== NEWLINE) return -1;
    const indent = chunk.subarray(lineStart, i);
    if (this.#closer === undefined || this.#closer.length !== indent.length + 1 || !this.#closer.subarray(0, indent.length).equals(indent)) {
      this.#closer = Buffer.concat([indent, CLOSE_BRACE_BYTE]);
    }
    const close = chunk.indexOf(this.#closer, i + 1);
    if (close === -1) return -1;
    const end = close + this.#closer.length;
    let value: unknown;
    try {
      value = JSON.parse(chunk.toString('utf8', i, end));
    } catch {
      return -1;
    }
    this.#element(value);
    this.#state = 'after-element';
    return end;
  }

  #startCapture(role: Capture['role'], chunk: Buffer, i: number): void {
    const c = chunk[i] as number;
    const container = c === OPEN_BRACE || c === OPEN_BRACKET;
    this.#capture = { role, at: this.#offset + i, pieces: [], depth: 0, scalar: !container && c !== QUOTE, inString: false, escaped: false };
    this.#captureStart = i;
    this.#state = 'value';
  }

  /** The value's bytes in this chunk end with it: they are kept for the next one. */
  #carry(chunk: Buffer): void {
    this.#capture?.pieces.push(chunk.subarray(this.#captureStart));
  }

  /**
   * Scans the captured value from `i`: the index just past its end in `chunk`, or -1 when it goes on in the next
   * chunk. A number or literal ends before the first delimiter; its grammar (and everything else inside values) is
   * JSON.parse's to check once the value is whole.
   */
  #scanValue(chunk: Buffer, i: number): number {
    const capture = this.#capture as Capture;
    if (capture.scalar) {
      while (i < chunk.length && !isDelimiter(chunk[i] as number)) i++;
      return i < chunk.length ? i : -1;
    }
    for (;;) {
      if (capture.inString) {
        const close = this.#closingQuote(chunk, i, capture);
        if (close === -1) return -1;
        capture.inString = false;
        i = close + 1;
        if (capture.depth === 0) return i;
      }
      while (i < chunk.length) {
        const c = chunk[i] as number;
        if (c === QUOTE) break;
        if (c === OPEN_BRACE || c === OPEN_BRACKET) capture.depth++;
        else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --capture.depth === 0) return i + 1;
        i++;
      }
      if (i === chunk.length) return -1;
      capture.inString = true;
      capture.escaped = false;
      i++;
    }
  }

  /** Index of the quote ending the string being read, from `i`, or -1 with `escaped` set for the next chunk. */
  #closingQuote(chunk: Buffer, i: number, capture: Capture): number {
    let from = i;
    if (from >= chunk.length) return -1;
    if (capture.escaped) {
      // The chunk before ended in an odd run of backslashes: this byte is escaped, whatever it is.
      capture.escaped = false;
      from += 1;
    }
    for (;;) {
      const quote = chunk.indexOf(QUOTE, from);
      const end = quote === -1 ? chunk.length : quote;
      let backslashes = 0;
      while (end - 1 - backslashes >= from && chunk[end - 1 - backslashes] === BACKSLASH) backslashes++;
      if (quote === -1) {
        capture.escaped = backslashes % 2 === 1;
        return -1;
      }
      if (backslashes % 2 === 0) return quote;
      from = quote + 1;
    }
  }

  /** The captured value ended just before `end`: reads it. False when that was a syntax error (reading stops). */
  #valueEnded(chunk: Buffer, end: number): boolean {
    const capture = this.#capture as Capture;
    this.#capture = undefined;
    const text = capture.pieces.length === 0 ? chunk.toString('utf8', this.#captureStart, end) : Buffer.concat([...capture.pieces, chunk.subarray(this.#captureStart, end)]).toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.#syntaxError(capture.at, `${(e as Error).message} (in the value starting there)`);
      return false;
    }
    switch (capture.role) {
      case 'key':
        this.#key = value as string;
        this.#state = 'colon';
        break;
      case 'member':
        this.#member(this.#key, value);
        this.#state = 'after-member';
        break;
      case 'element':
        this.#element(value);
        this.#state = 'after-element';
        break;
      case 'document':
        this.#header = value as Record<string, unknown>;
        this.#endDocument();
        break;
    }
    return true;
  }

  #startDocument(): void {
    this.#documents += 1;
    this.#header = {};
    this.#misfits = new Map();
    this.#elements = 0;
    this.#resourceProblem = undefined;
  }

  /** A member other than a `resources` array; later duplicates win, as in JSON.parse. */
  #member(key: string, value: unknown): void {
    if (key === 'resources') this.#forgetResources();
    Object.defineProperty(this.#header, key, { value, enumerable: true, writable: true, configurable: true });
  }

  #startResources(): void {
    this.#forgetResources();
    // `[]` stands for the elements read apart, so the schema still sees the member (see #endDocument).
    Object.defineProperty(this.#header, 'resources', { value: [], enumerable: true, writable: true, configurable: true });
    this.#state = 'first-element';
  }

  /** A later `resources` member replaces an earlier one. */
  #forgetResources(): void {
    this.#reader.drop();
    this.#misfits = new Map();
    this.#elements = 0;
    this.#resourceProblem = undefined;
  }

  #element(value: unknown): void {
    const index = this.#elements;
    this.#elements += 1;
    if (this.#semantic !== undefined) return;
    if (!isDiscoveryResource(value)) {
      this.#misfits.set(index, value);
      return;
    }
    // parseProxyStatus reads resources only once the document is known to be a DiscoveryResponse (misfits make
    // it not one), and stops at the first problem.
    if (this.#misfits.size > 0 || this.#resourceProblem !== undefined) return;
    this.#resourceProblem = this.#reader.resource(value);
  }

  #endDocument(): void {
    this.#state = 'between';
    if (this.#semantic !== undefined) return;
    const header = this.#header;
    if (this.#misfits.size > 0) {
      // The schema's message names each misfit by its index: the array it checks holds them where they were, and
      // an empty resource (which passes) in every other place.
      const standIns: DiscoveryResource[] = new Array<DiscoveryResource>(this.#elements).fill(VALID_RESOURCE);
      for (const [index, misfit] of this.#misfits) standIns[index] = misfit as DiscoveryResource;
      header['resources'] = standIns;
    }
    const checked = this.#reader.document(this.#documents - 1, header);
    if (!checked.ok) this.#semantic = checked.error;
    else if (this.#resourceProblem !== undefined) this.#semantic = this.#resourceProblem;
    else {
      // Resources given as a non-array never reach here (the schema refuses them); an array's were read already.
      this.#reader.accept(checked.value.istiod);
      return;
    }
    this.#reader.drop();
  }

  #syntaxError(at: number, what: string): void {
    this.#syntax = { kind: 'parse', message: `The proxy-status JSON output is not valid JSON at byte ${at}: ${what}.` };
    this.#capture = undefined;
  }
}

const CLOSE_BRACE_BYTE = Buffer.from('}');
const VALID_RESOURCE: DiscoveryResource = Object.freeze({});
/** Trailing Unicode whitespace kept to be checked at the end; more than this is not whitespace. */
const MAX_TAIL_BYTES = 4096;

function shown(c: number): string {
  return c >= 0x20 && c < 0x7f ? `\`${String.fromCharCode(c)}\`` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

function isJsonWhitespace(c: number): boolean {
  return c === SPACE || c === NEWLINE || c === CARRIAGE_RETURN || c === TAB;
}

function isDelimiter(c: number): boolean {
  return c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isJsonWhitespace(c);
}

const TAB = 9;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
