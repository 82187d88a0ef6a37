// The set of record uids already stored, kept in memory and journaled to disk so that a restarted
// collector still drops duplicates. Bounded: past maxEntries, each new uid forgets the oldest.
//
// The journal is text, one uid per line, and after each batch's uids a commit line: a space (which
// no uid holds), `commit`, and where each file handler's text ended once the batch was in it. A
// batch counts as stored only once its commit line is on disk; uids after the last one belong to a
// batch that was never acknowledged, and are dropped at start (the files are cut back to match).
import { closeSync, existsSync, fsync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeError, reportInternalError } from '../core/internal-error.js';
import { appendWhole, syncDirectory, writeWhole } from '../handlers/durable-write.js';
import type { FileMark } from '../handlers/file.js';
import { UidRing } from './uid-ring.js';

// the decoder's UID_SHAPE: 1-256 printable ASCII characters; a longer line is no uid
const MAX_UID = 256;
const COMMIT = ' commit ';
const SPACE = 32;

/** A commit line, ASCII only (a path's other characters escaped), so the journal reads as latin1. */
function commitLine(marks: readonly FileMark[]): string {
  return COMMIT + JSON.stringify(marks).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}

function parseMarks(line: string): FileMark[] | null {
  try {
    const marks: unknown = JSON.parse(line.slice(COMMIT.length));
    if (!Array.isArray(marks)) return null;
    return marks.every((m) => typeof m?.path === 'string' && typeof m.ino === 'string' && Number.isSafeInteger(m.size)) ? marks as FileMark[] : null;
  } catch {
    return null;
  }
}

/**
 * Remembers uids across restarts in `<dir>/dedupe.journal`.
 * @example const seen = new DedupeStore('logs/dedupe.journal'); if (!seen.has(uid)) { store(r); seen.commit([uid], handlerMarks); }
 */
export class DedupeStore {
  private readonly seen: UidRing;
  private fd: number | null = null;
  /** Bytes in the journal. */
  private bytes = 0;
  // set while the journal may end past `bytes`: a commit that failed and could not be cut back
  private cutTo: number | null = null;
  private journalLines = 0;
  // the journal is rewritten when it holds twice the uids remembered (later, after a failed try)
  private compactAt: number;
  private lastMarks: readonly FileMark[] = [];

  constructor(readonly path: string, readonly maxEntries = 1_000_000) {
    this.seen = new UidRing(maxEntries);
    this.compactAt = maxEntries * 2;
    // uids and commit lines are ASCII: latin1 reads them without UTF-8 decoding
    const text = existsSync(path) ? readFileSync(path, 'latin1') : '';
    const committed = this.load(text);
    this.fd = openSync(path, 'a');
    if (committed.end < text.length) ftruncateSync(this.fd, committed.end);
    this.bytes = committed.end;
    // from here on the journal ends in a commit line, so uids after it are never taken as stored
    if (!committed.commitLine) this.commit([], []);
  }

  get size(): number {
    return this.seen.size;
  }

  /** Where the file handlers' text ended at the last commit. */
  get marks(): readonly FileMark[] {
    return this.lastMarks;
  }

  has(uid: string): boolean {
    return this.seen.has(uid);
  }

  /**
   * Journals a batch as stored: its uids and a commit line with where each file now ends, written
   * whole and fsynced before this returns; only then are the uids remembered. On a failure the
   * journal is cut back and this throws: the batch is not stored, and must not be acknowledged.
   */
  commit(uids: readonly string[], marks: readonly FileMark[] = []): void {
    const bytes = this.append(uids, marks);
    try {
      fsyncSync(this.fd as number);
    } catch (err) {
      this.cutBack();
      throw err;
    }
    this.committed(bytes, uids, marks);
  }

  /**
   * commit() with its fsync off the event loop (on libuv's thread pool): resolves once the batch is
   * journaled, rejects (the journal cut back) when it is not. One at a time: the collector awaits
   * each before it writes the next.
   */
  commitAsync(uids: readonly string[], marks: readonly FileMark[]): Promise<void> {
    const bytes = this.append(uids, marks);
    const fd = this.fd as number;
    return new Promise((resolve, reject) => {
      fsync(fd, (err) => {
        if (err) {
          this.cutBack();
          return reject(err);
        }
        this.committed(bytes, uids, marks);
        resolve();
      });
    });
  }

  /** Writes a commit's uids and commit line after `bytes`, whole, or cuts them back and throws. */
  private append(uids: readonly string[], marks: readonly FileMark[]): number {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    if (this.cutTo !== null) {
      ftruncateSync(this.fd, this.cutTo);
      this.cutTo = null;
    }
    const bytes = Buffer.from((uids.length > 0 ? uids.join('\n') + '\n' : '') + commitLine(marks), 'latin1');
    try {
      appendWhole(this.fd, bytes, this.bytes);
    } catch (err) {
      this.cutBack();
      throw err;
    }
    return bytes.length;
  }

  /** A commit that failed: neither half of one nor one that may not be on disk is to be read as one at the next start. */
  private cutBack(): void {
    this.cutTo = this.bytes;
    if (this.fd === null) return;
    try {
      ftruncateSync(this.fd, this.bytes);
      this.cutTo = null;
    } catch (cut) {
      reportInternalError(`isolog collect: could not cut ${this.path} back after a failed commit (${describeError(cut)}); the next commit tries again first`);
    }
  }

  /** A commit is on disk: its uids are remembered. */
  private committed(length: number, uids: readonly string[], marks: readonly FileMark[]): void {
    this.bytes += length;
    this.lastMarks = marks;
    for (const uid of uids) this.seen.add(uid);
    this.journalLines += uids.length;
    if (this.journalLines > this.compactAt) this.compactOrReport();
  }

  /** The uids remembered, oldest first. */
  uids(): string[] {
    return this.seen.values();
  }

  /**
   * Restores the newest maxEntries committed uids and the last marks of a journal's text; returns
   * where its committed part ends, and whether a whole commit line ends it.
   */
  private load(text: string): { end: number; commitLine: boolean } {
    const committed = lastCommit(text);
    if (committed.marks) this.lastMarks = committed.marks;
    let starts = new Int32Array(1024);
    let lengths = new Uint16Array(1024);
    let n = 0;
    for (let start = 0; start < committed.end;) {
      const end = text.indexOf('\n', start);
      if (end < 0) break;
      if (end > start && end - start <= MAX_UID && text.charCodeAt(start) !== SPACE) {
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
    return { end: committed.end, commitLine: committed.marks !== null };
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
   * Rewrites the journal with only the uids still remembered and the last commit: a new file written
   * and fsynced beside it, then renamed over it, so a crash leaves either the old journal or the new.
   */
  private compact(): void {
    const tmp = `${this.path}.tmp`;
    const uids = this.uids();
    const bytes = Buffer.from((uids.length > 0 ? uids.join('\n') + '\n' : '') + commitLine(this.lastMarks), 'latin1');
    const fd = openSync(tmp, 'w');
    try {
      writeWhole(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncDirectory(dirname(this.path));
    if (this.fd !== null) closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.bytes = bytes.length;
    this.journalLines = uids.length;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Where the committed part of a journal ends: after its last whole commit line, and the marks that
 * line holds. A commit line cut short commits nothing; uids before the first commit line come from
 * a journal written before commit lines, when each uid was written after its record: they count,
 * up to the last whole line.
 */
function lastCommit(text: string): { end: number; marks: FileMark[] | null } {
  let end = text.lastIndexOf('\n') + 1;
  for (let before = text.length; ;) {
    const newline = before >= 0 ? text.lastIndexOf(`\n${COMMIT}`, before) : -1;
    const start = newline >= 0 ? newline + 1 : text.startsWith(COMMIT) ? 0 : -1;
    if (start < 0) return { end, marks: null };
    const lineEnd = text.indexOf('\n', start);
    const marks = lineEnd >= 0 ? parseMarks(text.slice(start, lineEnd)) : null;
    if (marks) return { end: lineEnd + 1, marks };
    end = start;
    if (start === 0) return { end, marks: null };
    before = newline - 1;
  }
}

function grow<T extends Int32Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
