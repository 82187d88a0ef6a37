// The lines the collector's scanner makes (otlp-scan.ts), written as UTF-8 bytes into one buffer a
// request, each followed by a newline, rather than made as strings: a string line was flattened
// (a copy), held until its group's write (garbage collection copied it again, and again when it
// moved to the old generation), then encoded to UTF-8 for the file. The bytes go to the file as
// they are (FileHandler.emitFormattedBytes), and the buffer lives outside V8's heap.
import { isoTime } from '../core/json-formatter.js';
import type { LineBytes } from '../transport/otlp.js';

const NEWLINE = 10;
const DAY_MS = 86_400_000;

/** Writes lines into a buffer that grows as they come; `lines()` is what they came to. */
export class LineWriter {
  bytes: Buffer;
  /** Where the next byte goes. */
  at = 0;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private start = -1;
  // the day of the last time written, and its first 11 characters (`2026-12-03T`)
  private dayStart = NaN;
  private readonly dayPrefix = Buffer.alloc(11);
  // isoTime() of the last time outside that day
  private iso = '';

  /** `size`: the bytes the lines are expected to take (the buffer grows past it when they take more). */
  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(size, 1024));
  }

  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.at + n));
    this.bytes.copy(grown, 0, 0, this.at);
    this.bytes = grown;
  }

  /** Starts the next record's line. */
  begin(): void {
    this.start = this.at;
  }

  /** Ends the line begun, with its newline. */
  end(): void {
    this.room(1);
    this.starts.push(this.start);
    this.ends.push(this.at);
    this.bytes[this.at++] = NEWLINE;
  }

  /** The next record has no line. */
  none(): void {
    this.starts.push(-1);
    this.ends.push(-1);
  }

  /** Copies `from` bytes `start` to `end` (a line's pieces are short: a loop beats a call into C++). */
  range(from: Uint8Array, start: number, end: number): void {
    this.room(end - start);
    const out = this.bytes;
    let at = this.at;
    for (let k = start; k < end; k++) out[at++] = from[k];
    this.at = at;
  }

  /** Copies all of `from`. */
  all(from: Uint8Array): void {
    this.range(from, 0, from.length);
  }

  /** Writes `text`, which is ASCII. */
  ascii(text: string): void {
    this.room(text.length);
    const out = this.bytes;
    let at = this.at;
    for (let k = 0; k < text.length; k++) out[at++] = text.charCodeAt(k);
    this.at = at;
  }

  /** Writes `text` as UTF-8. */
  text(text: string): void {
    this.room(3 * text.length);
    this.at += this.bytes.write(text, this.at, 'utf8');
  }

  /**
   * The length of what isoTime(ms) gives, for a whole `ms`, which time() writes next: 24 for
   * the years 0 to 9999.
   */
  timeLength(ms: number): number {
    const within = ms - this.dayStart;
    if (within >= 0 && within < DAY_MS) return 24;
    const iso = isoTime(ms);
    this.iso = iso;
    if (iso.length === 24) {
      this.dayStart = Math.floor(ms / DAY_MS) * DAY_MS;
      this.dayPrefix.write(iso, 0, 11, 'latin1');
    }
    return iso.length;
  }

  /** Writes isoTime(ms) for the `ms` timeLength() was given last, without making its string. */
  time(ms: number): void {
    const within = ms - this.dayStart;
    if (!(within >= 0 && within < DAY_MS)) return this.ascii(this.iso);
    this.room(24);
    const out = this.bytes;
    let at = this.at;
    const prefix = this.dayPrefix;
    for (let k = 0; k < 11; k++) out[at++] = prefix[k];
    const hours = Math.floor(within / 3_600_000);
    const minutes = Math.floor(within / 60_000) % 60;
    const seconds = Math.floor(within / 1000) % 60;
    const milli = within % 1000;
    out[at++] = 48 + Math.floor(hours / 10);
    out[at++] = 48 + (hours % 10);
    out[at++] = 58; // :
    out[at++] = 48 + Math.floor(minutes / 10);
    out[at++] = 48 + (minutes % 10);
    out[at++] = 58;
    out[at++] = 48 + Math.floor(seconds / 10);
    out[at++] = 48 + (seconds % 10);
    out[at++] = 46; // .
    out[at++] = 48 + Math.floor(milli / 100);
    out[at++] = 48 + (Math.floor(milli / 10) % 10);
    out[at++] = 48 + (milli % 10);
    out[at++] = 90; // Z
    this.at = at;
  }

  lines(): LineBytes {
    return { bytes: this.bytes, starts: this.starts, ends: this.ends };
  }
}

/** Line i as text, or null where none was made. */
export function lineText(lines: LineBytes, i: number): string | null {
  const start = lines.starts[i];
  if (start < 0) return null;
  const { bytes } = lines;
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.toString('utf8', start, lines.ends[i]);
}

/** Records `from` to `to` of `lines`, sharing their bytes. */
export function sliceLines(lines: LineBytes, from: number, to: number): LineBytes {
  return { bytes: lines.bytes, starts: lines.starts.slice(from, to), ends: lines.ends.slice(from, to) };
}
