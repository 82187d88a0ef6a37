// At start, the collector's files as its journal last left them. A batch that was being written when
// the collector died (kill -9, the disk full, a power cut) was never acknowledged, and its client
// sends it again: whatever of it reached a file is cut away, so that it is stored once.
import { closeSync, openSync, readdirSync, readSync, statSync, truncateSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FileHandler, FileMark } from '../handlers/file.js';

const CHUNK = 64 * 1024;

/**
 * Cuts each file handler's file back to where the last commit says it ended. A file the journal
 * does not name (a new handler, a journal from before commit lines) loses only a torn last line.
 */
export function recoverFiles(handlers: readonly FileHandler[], marks: readonly FileMark[]): void {
  const byPath = new Map(marks.map((m) => [m.path, m]));
  for (const handler of handlers) {
    const mark = byPath.get(handler.baseFilename);
    const now = handler.mark();
    if (mark && now.ino === mark.ino) {
      if (now.size > mark.size) handler.truncate(mark.size);
      else if (now.size < mark.size) cutTornLine(handler);
      continue;
    }
    // another file at the path: a rollover since the commit made it (the committed file is a
    // backup now, and the new one holds only the batch that was not), or something else did
    const committed = mark ? backupWithInode(handler.baseFilename, mark.ino) : null;
    if (committed && mark) {
      if (statSync(committed).size > mark.size) truncateSync(committed, mark.size);
      handler.truncate(0);
    } else {
      cutTornLine(handler);
    }
  }
}

/** The rotated file (`name.1`, `name.2026-11-22` …) that is the inode `ino`, if one is. */
function backupWithInode(path: string, ino: string): string | null {
  const prefix = `${basename(path)}.`;
  for (const name of readdirSync(dirname(path))) {
    if (!name.startsWith(prefix)) continue;
    const file = join(dirname(path), name);
    if (statSync(file, { bigint: true }).ino.toString() === ino) return file;
  }
  return null;
}

/** Cuts a last line that has no newline: the part of a record that a crash or a full disk left. */
function cutTornLine(handler: FileHandler): void {
  const { size } = handler.mark();
  // a handler whose records end in no newline has no lines to tell
  if (size === 0 || !handler.terminator.endsWith('\n')) return;
  const fd = openSync(handler.baseFilename, 'r');
  try {
    const chunk = Buffer.alloc(CHUNK);
    for (let end = size; end > 0; end -= CHUNK) {
      const start = Math.max(0, end - CHUNK);
      const read = readSync(fd, chunk, 0, end - start, start);
      const newline = chunk.subarray(0, read).lastIndexOf(0x0a);
      if (newline >= 0) {
        if (start + newline + 1 < size) handler.truncate(start + newline + 1);
        return;
      }
    }
    handler.truncate(0);
  } finally {
    closeSync(fd);
  }
}
