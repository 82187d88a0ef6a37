// Writes that leave a file whole: a write(2) may take only part of its bytes (the disk full, a
// file-size limit, a signal) and say so only in its count; a torn last line would then swallow the
// next record written after it.
import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync, writevSync } from 'node:fs';

/** Writes every byte, however many calls the system takes; throws when it refuses the rest. */
export function writeWhole(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) {
    const n = writeSync(fd, bytes, done, bytes.length - done);
    if (n <= 0) throw new Error(`write of ${bytes.length - done} bytes took none`);
    done += n;
  }
}

/**
 * Appends every byte to a file of `size` bytes opened for appending or, when the system refuses
 * part of them, cuts the file back to `size` and throws: the file ends where it ended, or after all.
 * @example appendWhole(fd, Buffer.from(lines), size); size += lines.length
 */
export function appendWhole(fd: number, bytes: Uint8Array, size: number): void {
  try {
    writeWhole(fd, bytes);
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
export function appendWholeList(fd: number, chunks: Uint8Array[], size: number): void {
  try {
    let taken = writevSync(fd, chunks);
    for (const chunk of chunks) {
      // what writev left of this chunk, if it stopped short
      if (taken >= chunk.length) taken -= chunk.length;
      else {
        writeWhole(fd, chunk.subarray(taken));
        taken = 0;
      }
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
