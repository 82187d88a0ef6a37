// The set of record uids already stored, kept in memory and journaled to disk so that a restarted
// collector still drops duplicates. Bounded: past maxEntries, each new uid forgets the oldest.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeError, reportInternalError } from '../core/internal-error.js';
import { syncDirectory, writeWhole } from '../handlers/durable-write.js';
import { UidRing } from './uid-ring.js';

// the decoder's UID_SHAPE: 1-256 printable ASCII characters; a longer line is no uid
const MAX_UID = 256;

/**
 * Remembers uids across restarts: `<dir>/dedupe.journal` holds one uid per line, oldest first.
 * @example const seen = new DedupeStore('logs/dedupe.journal'); if (!seen.has(uid)) { store(r); seen.add([uid]); }
 */
export class DedupeStore {
  private readonly seen: UidRing;
  private fd: number | null = null;
  private journalLines = 0;
  // the journal is rewritten when it holds twice the uids remembered (later, after a failed try)
  private compactAt: number;

  constructor(readonly path: string, readonly maxEntries = 1_000_000) {
    this.seen = new UidRing(maxEntries);
    this.compactAt = maxEntries * 2;
    // uids are printable ASCII (the decoder's UID_SHAPE): latin1 reads them without UTF-8 decoding
    if (existsSync(path)) this.load(readFileSync(path, 'latin1'));
    this.fd = openSync(path, 'a');
  }

  get size(): number {
    return this.seen.size;
  }

  has(uid: string): boolean {
    return this.seen.has(uid);
  }

  /** Records uids as stored: in memory, then in the journal, before the batch is acknowledged. */
  add(uids: string[]): void {
    if (uids.length === 0) return;
    for (const uid of uids) this.seen.add(uid);
    if (this.fd === null) return;
    writeSync(this.fd, uids.join('\n') + '\n');
    this.journalLines += uids.length;
    if (this.journalLines > this.compactAt) this.compactOrReport();
  }

  /** The uids remembered, oldest first. */
  uids(): string[] {
    return this.seen.values();
  }

  /** Restores the newest maxEntries uids of a journal's text, one per line. */
  private load(text: string): void {
    let starts = new Int32Array(1024);
    let lengths = new Uint16Array(1024);
    let n = 0;
    for (let start = 0; start < text.length;) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      if (end > start && end - start <= MAX_UID) {
        if (n === starts.length) {
          starts = grow(starts, new Int32Array(n * 2));
          lengths = grow(lengths, new Uint16Array(n * 2));
        }
        starts[n] = start;
        lengths[n] = end - start;
        n++;
      }
      start = end + 1;
    }
    this.journalLines = n;
    const from = Math.max(0, n - this.maxEntries);
    this.seen.restore(text, starts.slice(from, n), lengths.slice(from, n));
  }

  private compactOrReport(): void {
    try {
      this.compact();
      this.compactAt = this.maxEntries * 2;
    } catch (err) {
      try {
        rmSync(`${this.path}.tmp`, { force: true });
      } catch {
        /* what is left there is written over by the next try */
      }
      // the journal as it is still holds every uid; it is only longer than it need be
      this.compactAt = this.journalLines + this.maxEntries;
      reportInternalError(`isolog collect: could not compact ${this.path} (${describeError(err)}); it keeps growing until a later try succeeds`);
    }
  }

  /**
   * Rewrites the journal with only the uids still remembered: a new file written and fsynced beside
   * it, then renamed over it, so a crash leaves either the old journal or the new one, never half.
   */
  private compact(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeWhole(fd, Buffer.from(this.uids().join('\n') + '\n', 'latin1'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncDirectory(dirname(this.path));
    if (this.fd !== null) closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.journalLines = this.seen.size;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function grow<T extends Int32Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
