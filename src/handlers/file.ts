// Node file handlers with Python's behaviour: FileHandler and RotatingFileHandler (app.log, app.log.1 …
// .N); TimedRotatingFileHandler is in timed-rotating-file.ts. Writes are synchronous, as Python's are; with `buffered` the
// text waits in memory until flush() (or 64 KiB); `batched`, for the collector, holds a whole batch
// until flush() and rolls over only there. A write lands whole or not at all: one the disk refuses
// part of is cut back, so no torn line is left to swallow the next.
import { closeSync, existsSync, fstatSync, fsync, fsyncSync, ftruncateSync, openSync, renameSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Handler } from '../core/handler.js';
import type { LogRecord } from '../core/record.js';
import { appendWhole, appendWholeList, syncDirectory } from './durable-write.js';

/** Options shared by the file handlers. */
export interface FileHandlerOptions {
  /** 'a' appends (default), 'w' truncates on open. */
  mode?: 'a' | 'w';
  /** Open the file at the first record instead of now. */
  delay?: boolean;
  /** Keep formatted text in memory until flush() (or 64 KiB), instead of writing each record. */
  buffered?: boolean;
  /**
   * Keep every record in memory until flush(), however many, and roll over only there: what one
   * flush() writes lands whole in one file. Records whose formatting throws are kept, until that
   * flush(), for takeFailed().
   */
  batched?: boolean;
}

/** Where a file handler's text ends: its file (by inode, which a rename keeps) and its size in bytes. */
export interface FileMark { path: string; ino: string; size: number }

const FLUSH_AT = 64 * 1024;

/**
 * Python's `FileHandler`: appends each formatted record and a newline to a file.
 * @example getLogger().addHandler(new FileHandler('app.log'))
 */
export class FileHandler extends Handler {
  readonly baseFilename: string;
  mode: 'a' | 'w';
  readonly delay: boolean;
  readonly buffered: boolean;
  /** See FileHandlerOptions.batched; the collector sets it on every file handler it writes through. */
  batched: boolean;
  terminator = '\n';
  protected fd: number | null = null;
  private ino = '';
  // opened with 'a' (O_APPEND), or 'w': then bytes are written at `size`, not at the position
  private appends = true;
  protected pending = '';
  protected pendingBytes = 0;
  // with `batched`, lines given as bytes (emitFormattedBytes), which come before `pending`: ranges
  // taken whole, and the last range, which the next line that follows it in its buffer extends
  private byteChunks: Uint8Array[] = [];
  private bytesFrom: Uint8Array | null = null;
  private bytesStart = 0;
  private bytesEnd = 0;
  /** Bytes in the file. */
  protected size = 0;
  // set while the file may end past `size`: a failed write not yet cut back (the next flush cuts it)
  private cutTo: number | null = null;
  // the file was created or renamed since the last sync(): its folder needs an fsync too
  private namesChanged = false;
  private failed: { record: LogRecord; error: unknown }[] = [];

  constructor(filename: string, options: FileHandlerOptions = {}) {
    super();
    this.baseFilename = resolve(filename);
    this.mode = options.mode ?? 'a';
    this.delay = options.delay ?? false;
    this.buffered = options.buffered ?? false;
    this.batched = options.batched ?? false;
    if (!this.delay) this.open();
  }

  protected open(): void {
    this.fd = openSync(this.baseFilename, this.mode);
    this.appends = this.mode === 'a';
    const stat = fstatSync(this.fd, { bigint: true });
    this.size = Number(stat.size);
    this.ino = stat.ino.toString();
    this.namesChanged = true;
  }

  emit(record: LogRecord): void {
    let text: string;
    try {
      text = this.format(record) + this.terminator;
    } catch (err) {
      if (this.batched) this.failed.push({ record, error: err });
      this.handleError(record, err);
      return;
    }
    try {
      if (this.batched) {
        this.pending += text;
      } else {
        this.rolloverIfDue(Buffer.byteLength(text), () => text);
        this.write(text);
      }
    } catch (err) {
      this.handleError(record, err);
    }
  }

  /**
   * With `batched`: holds a line that this handler's formatter made already, as emit() holds what it
   * formats (the collector's records that are written without a LogRecord).
   */
  emitFormatted(line: string): void {
    if (!this.batched) throw new Error('emitFormatted() is for a batched FileHandler');
    this.pending += line + this.terminator;
  }

  /**
   * With `batched`: as emitFormatted, for a line given as UTF-8 bytes, `bytes` from `start` to `end`
   * (the collector's lines, which its scanner writes as bytes). The bytes are written as they are,
   * at the next flush(): they must not change until then.
   */
  emitFormattedBytes(bytes: Uint8Array, start: number, end: number): void {
    if (!this.batched) throw new Error('emitFormattedBytes() is for a batched FileHandler');
    // what is pending as text came first
    this.holdText();
    // a line followed by its newline in `bytes` goes with it
    if (this.terminator === '\n' && bytes[end] === 10) this.holdRange(bytes, start, end + 1);
    else {
      this.holdRange(bytes, start, end);
      this.pending = this.terminator;
    }
  }

  private holdRange(bytes: Uint8Array, start: number, end: number): void {
    if (bytes === this.bytesFrom && start === this.bytesEnd) {
      this.bytesEnd = end;
      return;
    }
    if (this.bytesFrom !== null) this.byteChunks.push(this.bytesFrom.subarray(this.bytesStart, this.bytesEnd));
    this.bytesFrom = bytes;
    this.bytesStart = start;
    this.bytesEnd = end;
  }

  /** The text pending, as a range after those held. */
  private holdText(): void {
    if (this.pending === '') return;
    const text = Buffer.from(this.pending);
    this.holdRange(text, 0, text.length);
    this.pending = '';
  }

  /** What is pending, as the chunks of bytes it is written as; none are pending after. */
  private takePending(): Uint8Array[] {
    this.holdText();
    const chunks = this.byteChunks;
    if (this.bytesFrom !== null) chunks.push(this.bytesFrom.subarray(this.bytesStart, this.bytesEnd));
    this.byteChunks = [];
    this.bytesFrom = null;
    this.pendingBytes = 0;
    return chunks;
  }

  /**
   * Rolls over if `bytes` more bytes are due in a new file (`text()` is what they are); the
   * rotating handlers say when.
   */
  protected rolloverIfDue(_bytes: number, _text: () => string): void {}

  protected write(text: string): void {
    if (this.fd === null) {
      if (this.closed) return;
      this.open();
    }
    this.pending += text;
    this.pendingBytes += Buffer.byteLength(text);
    if (!this.buffered || this.pending.length >= FLUSH_AT) this.flush();
  }

  /** Writes what is pending, whole, or (throwing) none of it; with `batched`, rolls over first if due. */
  override flush(): void {
    // what a failed write left of itself goes first, before a rollover or another write
    if (this.cutTo !== null && this.fd !== null) {
      ftruncateSync(this.fd, this.cutTo);
      this.cutTo = null;
    }
    this.failed = [];
    if (this.pending === '' && this.bytesFrom === null) return;
    const chunks = this.takePending();
    let length = 0;
    for (const chunk of chunks) length += chunk.length;
    // the rollover that the batch's first record would have made, so the batch lands in one file
    if (this.batched) this.rolloverIfDue(length, () => Buffer.concat(chunks).toString('utf8'));
    if (this.fd === null) {
      if (this.closed) return;
      this.open();
    }
    const fd = this.fd as number;
    try {
      if (chunks.length === 1) appendWhole(fd, chunks[0], this.size, !this.appends);
      else appendWholeList(fd, chunks, this.size, !this.appends);
    } catch (err) {
      this.cutTo = this.size;
      throw err;
    }
    this.size += length;
  }

  /** fsync: what flush() wrote survives a power cut, and so does the file's name when it is new. */
  sync(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    if (this.namesChanged) {
      syncDirectory(dirname(this.baseFilename));
      this.namesChanged = false;
    }
  }

  /**
   * sync() off the event loop (the fsync runs on libuv's thread pool), for the collector, which
   * goes on decoding the next requests meanwhile; resolves once what flush() wrote is on disk.
   */
  syncAsync(): Promise<void> {
    const fd = this.fd;
    if (fd === null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      fsync(fd, (err) => {
        if (err) return reject(err);
        if (this.namesChanged) {
          syncDirectory(dirname(this.baseFilename));
          this.namesChanged = false;
        }
        resolve();
      });
    });
  }

  /** Where the file's text ends now (what is pending not counted). */
  mark(): FileMark {
    if (this.fd !== null) return { path: this.baseFilename, ino: this.ino, size: this.size };
    const stat = existsSync(this.baseFilename) ? statSync(this.baseFilename, { bigint: true }) : null;
    return { path: this.baseFilename, ino: stat ? stat.ino.toString() : '', size: stat ? Number(stat.size) : 0 };
  }

  /** Cuts the file back to `size` bytes; if the system refuses now, before the next write. */
  truncate(size: number): void {
    if (this.fd === null) {
      if (existsSync(this.baseFilename)) truncateSync(this.baseFilename, size);
      return;
    }
    this.cutTo = size;
    this.size = size;
    ftruncateSync(this.fd, size);
    this.cutTo = null;
  }

  /** Drops what is pending, unwritten: a batch that is not to be stored. */
  discard(): void {
    this.takePending();
    this.failed = [];
  }

  /** With `batched`: the records since the last call or flush() whose formatting threw (they are in no file), and why. */
  takeFailed(): { record: LogRecord; error: unknown }[] {
    const failed = this.failed;
    this.failed = [];
    return failed;
  }

  override close(): void {
    try {
      this.flush();
    } finally {
      // a flush the disk refused still closes the file
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
      super.close();
    }
  }
}

/** Options of RotatingFileHandler. */
export interface RotatingFileHandlerOptions extends FileHandlerOptions {
  /** Roll over before a record would take the file to this many bytes; 0 never rolls over. */
  maxBytes?: number;
  /** How many old files to keep (`name.1` … `name.N`); 0 never rolls over. */
  backupCount?: number;
}

/**
 * Python's `RotatingFileHandler`: when the next record would take the file to `maxBytes`, the
 * file becomes `name.1`, `name.1` becomes `name.2` … and `name.N` is deleted.
 * @example new RotatingFileHandler('logs/app.ndjson', { maxBytes: 10_000_000, backupCount: 5 })
 */
export class RotatingFileHandler extends FileHandler {
  readonly maxBytes: number;
  readonly backupCount: number;

  constructor(filename: string, options: RotatingFileHandlerOptions = {}) {
    const maxBytes = options.maxBytes ?? 0;
    super(filename, { ...options, mode: maxBytes > 0 ? 'a' : options.mode });
    this.maxBytes = maxBytes;
    this.backupCount = options.backupCount ?? 0;
  }

  private regularFile = true;

  protected override open(): void {
    super.open();
    // Python checks this on every record; once per open is enough and saves two syscalls a record
    this.regularFile = statSync(this.baseFilename).isFile();
  }

  shouldRollover(text: string): boolean {
    return this.dueWith(Buffer.byteLength(text));
  }

  /** shouldRollover() for `bytes` more bytes. */
  private dueWith(bytes: number): boolean {
    if (this.maxBytes <= 0 || this.backupCount <= 0 || !this.regularFile) return false;
    // an empty file is never rolled over, whatever the size of the record
    const size = this.size + this.pendingBytes;
    return size > 0 && size + bytes >= this.maxBytes;
  }

  doRollover(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    for (let i = this.backupCount - 1; i > 0; i--) {
      const from = `${this.baseFilename}.${i}`;
      const to = `${this.baseFilename}.${i + 1}`;
      if (existsSync(from)) {
        if (existsSync(to)) unlinkSync(to);
        renameSync(from, to);
      }
    }
    const first = `${this.baseFilename}.1`;
    if (existsSync(first)) unlinkSync(first);
    if (existsSync(this.baseFilename)) renameSync(this.baseFilename, first);
    this.mode = 'a';
    this.size = 0;
    if (!this.delay) this.open();
  }

  protected override rolloverIfDue(bytes: number, text: () => string): void {
    if (this.fd === null && !this.closed) this.open();
    // a subclass's own shouldRollover() decides, from the text
    const due = this.shouldRollover === RotatingFileHandler.prototype.shouldRollover ? this.dueWith(bytes) : this.shouldRollover(text());
    if (due) this.doRollover();
  }
}
