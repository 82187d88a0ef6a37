// Writes that leave a file whole: a write(2) may take only part of its bytes (the disk full, a
// file-size limit, a signal) and say so only in its count; a torn last line would then swallow the
// next record written after it.
import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync, writevSync } from 'node:fs';

/**
 * Writes every byte, however many calls the system takes (at byte `at` of the file when given, else
 * where the file's position is); throws when it refuses the rest.
 */
export function writeWhole(fd: number, bytes: Uint8Array, at?: number): void {
  for (let done = 0; done < bytes.length;) {
    const n = writeSync(fd, bytes, done, bytes.length - done, at === undefined ? null : at + done);
    if (n <= 0) throw new Error(`write of ${bytes.length - done} bytes took none`);
    done += n;
  }
}

/**
 * Appends every byte to a file of `size` bytes or, when the system refuses part of them, cuts the
 * file back to `size` and throws: the file ends where it ended, or after all. `positioned`: the
 * file was not opened for appending, so the bytes are written at `size` (its position stays where
 * a cut-back write left it, and a write there would leave a run of zero bytes before it).
 * @example appendWhole(fd, Buffer.from(lines), size); size += lines.length
 */
export function appendWhole(fd: number, bytes: Uint8Array, size: number, positioned = false): void {
  try {
    writeWhole(fd, bytes, positioned ? size : undefined);
  } catch (err) {
    ftruncateSync(fd, size);
    throw err;
  }
}

/**
 * As appendWhole, for bytes in several chunks, written in order with one call (writev) where the
 * system takes them all at once.
 * @example appendWholeList(fd, [head, tail], size); size += head.length + tail.length
 */
export function appendWholeList(fd: number, chunks: Uint8Array[], size: number, positioned = false): void {
  try {
    let taken = writevSync(fd, chunks, positioned ? size : undefined);
    let at = size;
    for (const chunk of chunks) {
      // what writev left of this chunk, if it stopped short
      if (taken >= chunk.length) taken -= chunk.length;
      else {
        writeWhole(fd, chunk.subarray(taken), positioned ? at + taken : undefined);
        taken = 0;
      }
      at += chunk.length;
    }
  } catch (err) {
    ftruncateSync(fd, size);
    throw err;
  }
}

/**
 * Makes the names in a folder durable (a file created or renamed there), as fsync does a file's
 * bytes.
 */
export function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // Windows opens no folder; NTFS journals its names itself
  }
  try {
    fsyncSync(fd);
  } catch {
    /* some filesystems refuse fsync on a folder (EINVAL): there is nothing more to ask of them */
  } finally {
    closeSync(fd);
  }
}
