// JSON read over its bytes, a token at a time, for the collector's scanner of OTLP bodies
// (otlp-scan.ts): an index into a Buffer costs a third of a charCodeAt, and a literal is compared
// four bytes at a time. Strings come out as values and as the JSON a line writes of them, copied
// from the body's text when they have no escape. Nothing here decides what a body means.
import { isAscii } from 'node:buffer';
import { escapeLineSeparators } from '../core/json-formatter.js';

const QUOTE = 34;
const BACKSLASH = 92;
export const COMMA = 44;
const COLON = 58;
const OPEN_BRACKET = 91;
export const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;

/**
 * An ASCII literal as the reader compares it: four bytes at a time, the last four (which may
 * overlap the words before them) as one more word; one by one when it is shorter than four.
 */
export interface Literal { length: number; words: Uint32Array; last: number; bytes: Uint8Array }

/** `text` (ASCII) as a Literal, made once for each literal the scanner looks for. */
export const ascii = (text: string): Literal => {
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const words = new Uint32Array(bytes.length >> 2);
  for (let k = 0; k < words.length; k++) words[k] = view.getUint32(4 * k, true);
  return { length: bytes.length, words, last: bytes.length >= 4 ? view.getUint32(bytes.length - 4, true) : 0, bytes };
};
export const isDigit = (c: number): boolean => c >= 48 && c <= 57;

// an object's keys are checked against those before them, which is quadratic: past these many
// object() gives up, and the body goes to JSON.parse (40,000 keys held the event loop for seconds)
const MAX_OBJECT_KEYS = 16;

// an ASCII body's text is made in pieces of 64 KiB: V8 puts a string of more than about 128 KiB in
// its large-object space, and a 350 KB one (a 1,000-record body) took five times as long to make as
// the same text in pieces (420 µs against 70-80 µs on this machine)
const PIECE_BITS = 16;
const PIECE = 1 << PIECE_BITS;

/**
 * A reader over JSON bytes: each method reads at `i` and moves past what it read, or answers false
 * (`i` is then anywhere: a caller that tries another way goes back itself).
 */
export class JsonBytes {
  i = 0;
  /** The last string read. */
  value = '';
  /**
   * The last string's JSON as a line writes it: when `raw`, the body's bytes from `jsonStart` to
   * `jsonEnd` (ASCII without an escape is its own JSON), else `json`.
   */
  raw = false;
  jsonStart = 0;
  jsonEnd = 0;
  json = '';
  /** What the last string held: 1 an escape, 2 a byte past ASCII. */
  private kinds = 0;
  protected readonly length: number;
  private readonly view: DataView;
  /**
   * The body as text when it is ASCII (a byte's index is then a character's), PIECE bytes a string;
   * else null, and strings are decoded one by one.
   */
  private readonly texts: string[] | null;

  constructor(protected readonly bytes: Buffer) {
    this.length = bytes.length;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let texts: string[] | null = null;
    if (isAscii(bytes)) {
      texts = [];
      for (let at = 0; at < this.length; at += PIECE) texts.push(bytes.toString('latin1', at, Math.min(this.length, at + PIECE)));
    }
    this.texts = texts;
  }

  /** The body's text from byte `start` to byte `end`. */
  protected slice(start: number, end: number): string {
    const texts = this.texts;
    if (texts === null) return this.bytes.toString('utf8', start, end);
    if (start >= end) return '';
    const k = start >>> PIECE_BITS;
    const base = k << PIECE_BITS;
    // within one piece, a slice of it; across two (rare: strings are short), read from the bytes
    return end - base <= PIECE ? texts[k].slice(start - base, end - base) : this.bytes.toString('latin1', start, end);
  }

  protected at(literal: Literal): boolean {
    const i = this.i;
    const length = literal.length;
    if (i + length > this.length) return false;
    if (length < 4) {
      for (let k = 0; k < length; k++) if (this.bytes[i + k] !== literal.bytes[k]) return false;
    } else {
      const { words, last } = literal;
      const view = this.view;
      for (let k = 0; k < words.length; k++) if (view.getUint32(i + 4 * k, true) !== words[k]) return false;
      if (view.getUint32(i + length - 4, true) !== last) return false;
    }
    this.i = i + length;
    return true;
  }

  /** Whether the bytes at i and at j are the same for `length` bytes (both within the body). */
  protected same(i: number, j: number, length: number): boolean {
    const view = this.view;
    let k = 0;
    for (; k + 4 <= length; k += 4) if (view.getUint32(i + k, true) !== view.getUint32(j + k, true)) return false;
    for (; k < length; k++) if (this.bytes[i + k] !== this.bytes[j + k]) return false;
    return true;
  }

  protected byte(c: number): boolean {
    if (this.i >= this.length || this.bytes[this.i] !== c) return false;
    this.i++;
    return true;
  }

  /**
   * Where the string that opens at `start` ends (past its closing quote), or -1: no end, or a raw
   * control character, which JSON does not allow in a string. Sets `kinds`.
   */
  protected stringEnd(start: number): number {
    const b = this.bytes;
    const length = this.length;
    let kinds = 0;
    for (let j = start + 1; j < length; j++) {
      const c = b[j];
      if (c === QUOTE) {
        this.kinds = kinds;
        return j + 1;
      }
      if (c === BACKSLASH) {
        kinds |= 1;
        j++;
      } else if (c < 32) return -1;
      else if (c >= 128) kinds |= 2;
    }
    return -1;
  }

  /** Reads the string at i into value and json; false when there is none. */
  protected string(): boolean {
    const start = this.i;
    if (start >= this.length || this.bytes[start] !== QUOTE) return false;
    const end = this.stringEnd(start);
    if (end < 0) return false;
    this.i = end;
    this.jsonStart = start;
    this.jsonEnd = end;
    this.raw = this.kinds === 0;
    if (this.raw) {
      this.value = this.slice(start + 1, end - 1);
      return true;
    }
    const raw = this.slice(start, end);
    if ((this.kinds & 1) === 0) {
      this.value = raw.slice(1, -1);
      this.json = escapeLineSeparators(raw);
      return true;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return false;
    }
    this.value = value as string;
    this.json = escapeLineSeparators(JSON.stringify(value));
    return true;
  }

  /** The last string's JSON as text. */
  protected jsonText(): string {
    return this.raw ? this.slice(this.jsonStart, this.jsonEnd) : this.json;
  }

  protected digitsFrom(j: number): number {
    while (j < this.length && isDigit(this.bytes[j])) j++;
    return j;
  }

  /** Reads the JSON number at i; null when there is none. */
  protected number(): number | null {
    const b = this.bytes;
    const start = this.i;
    const negative = b[start] === 45;
    let j = negative ? start + 1 : start;
    if (b[j] === 48) j++;
    else if (j < this.length && isDigit(b[j])) j = this.digitsFrom(j);
    else return null;
    // up to 15 digits is exact as a double, added up without making a string
    let whole = j - start <= 15;
    if (b[j] === 46) {
      if (!isDigit(b[j + 1])) return null;
      j = this.digitsFrom(j + 1);
      whole = false;
    }
    if (b[j] === 101 || b[j] === 69) {
      j++;
      if (b[j] === 43 || b[j] === 45) j++;
      if (!isDigit(b[j])) return null;
      j = this.digitsFrom(j);
      whole = false;
    }
    this.i = j;
    if (!whole) return Number(this.slice(start, j));
    let n = 0;
    for (let k = negative ? start + 1 : start; k < j; k++) n = n * 10 + (b[k] - 48);
    return negative ? -n : n;
  }

  /** Moves past the JSON value at i without reading it (JSON.parse reads it after); false when it does not end. */
  protected skip(): boolean {
    const b = this.bytes;
    const start = this.i;
    const first = b[start];
    if (first === QUOTE) {
      const end = this.stringEnd(start);
      if (end < 0) return false;
      this.i = end;
      return true;
    }
    if (first === OPEN_BRACE || first === OPEN_BRACKET) {
      let depth = 0;
      for (let j = start; j < this.length; j++) {
        const c = b[j];
        if (c === QUOTE) {
          const end = this.stringEnd(j);
          if (end < 0) return false;
          j = end - 1;
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) {
          this.i = j + 1;
          return true;
        }
      }
      return false;
    }
    // a number, true, false or null: up to the next comma or closing bracket
    let j = start;
    while (j < this.length && b[j] !== COMMA && b[j] !== CLOSE_BRACE && b[j] !== CLOSE_BRACKET) j++;
    this.i = j;
    return j > start;
  }

  /** The JSON value at i, parsed; throws (the body is JSON.parse's then) when it is not JSON. */
  protected parsed(): unknown {
    const start = this.i;
    if (!this.skip()) throw new SyntaxError('not JSON');
    return JSON.parse(this.slice(start, this.i));
  }

  /**
   * Reads an object's keys in turn, handing each to `read` positioned at its value (which `read`
   * moves past, or answers false). False on a key twice (JSON.parse keeps the last, the scanner
   * would have read the first) or on anything that is not such an object.
   */
  protected object(read: (key: string) => boolean): boolean {
    if (!this.byte(OPEN_BRACE)) return false;
    if (this.byte(CLOSE_BRACE)) return true;
    const seen: string[] = [];
    do {
      if (!this.string() || !this.byte(COLON)) return false;
      const key = this.value;
      if (seen.length >= MAX_OBJECT_KEYS || seen.includes(key)) return false;
      seen.push(key);
      if (!read(key)) return false;
    } while (this.byte(COMMA));
    return this.byte(CLOSE_BRACE);
  }

  /** Reads a list, each item by `read`; false on anything that is not a list. */
  protected list(read: () => boolean): boolean {
    if (!this.byte(OPEN_BRACKET)) return false;
    if (this.byte(CLOSE_BRACKET)) return true;
    do {
      if (!read()) return false;
    } while (this.byte(COMMA));
    return this.byte(CLOSE_BRACKET);
  }
}
