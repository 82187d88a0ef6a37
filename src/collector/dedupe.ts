// The set of record uids already stored, kept in memory and journaled to disk so that a restarted
// collector still drops duplicates. Bounded: the oldest uids are forgotten first.
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';

/**
 * Remembers uids across restarts: `<dir>/dedupe.journal` holds one uid per line.
 * @example const seen = new DedupeStore('logs/dedupe.journal'); if (!seen.has(uid)) { store(r); seen.add([uid]); }
 */
export class DedupeStore {
  private readonly seen = new Set<string>();
  private fd: number | null = null;
  private journalLines = 0;

  constructor(readonly path: string, readonly maxEntries = 1_000_000) {
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (line) this.remember(line);
        this.journalLines++;
      }
    }
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
    for (const uid of uids) this.remember(uid);
    if (this.fd === null) return;
    writeSync(this.fd, uids.join('\n') + '\n');
    this.journalLines += uids.length;
    if (this.journalLines > this.maxEntries * 2) this.compact();
  }

  private remember(uid: string): void {
    this.seen.add(uid);
    if (this.seen.size > this.maxEntries) {
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
    }
  }

  /** Rewrites the journal with only the uids still remembered. */
  private compact(): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, [...this.seen].join('\n') + '\n');
    if (this.fd !== null) closeSync(this.fd);
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, 'a');
    this.journalLines = this.seen.size;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
