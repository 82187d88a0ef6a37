// At start, each file as the journal's last commit left it: what a batch that was never acknowledged
// wrote is cut away, across a rollover too, and a torn last line goes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recoverFiles } from '../../../src/collector/recover-files.js';
import { LogRecord } from '../../../src/core/record.js';
import { FileHandler, RotatingFileHandler } from '../../../src/handlers/file.js';
import { tempDir } from './helpers.js';

const record = (msg: string) => new LogRecord('x', 20, '', 0, msg, null, null);
const read = (path: string) => readFileSync(path, 'utf8');

/** Handles and flushes one batch, as the collector does. */
function batch(h: FileHandler, ...messages: string[]): void {
  for (const m of messages) h.handle(record(m));
  h.flush();
}

describe('recoverFiles', () => {
  it('cuts a file back to where the last commit says it ended', () => {
    const path = join(tempDir(), 'isolog.ndjson');
    const before = new FileHandler(path, { batched: true });
    batch(before, 'acknowledged');
    const mark = before.mark();
    batch(before, 'never acknowledged', 'either');
    const after = new FileHandler(path, { batched: true });
    recoverFiles([after], [mark]);
    expect(read(path)).toBe('acknowledged\n');
    batch(after, 'sent again');
    expect(read(path)).toBe('acknowledged\nsent again\n');
    before.close();
    after.close();
  });

  it('empties a file that a rollover began after the last commit; the committed one is a backup now', () => {
    const path = join(tempDir(), 'isolog.ndjson');
    const before = new RotatingFileHandler(path, { maxBytes: 30, backupCount: 3, batched: true });
    batch(before, 'one batch', 'acknowledged');
    const mark = before.mark();
    batch(before, 'a batch that rolls over');
    expect(read(`${path}.1`)).toBe('one batch\nacknowledged\n');
    expect(read(path)).toBe('a batch that rolls over\n');
    const after = new RotatingFileHandler(path, { maxBytes: 30, backupCount: 3, batched: true });
    recoverFiles([after], [mark]);
    expect(read(path)).toBe('');
    expect(read(`${path}.1`)).toBe('one batch\nacknowledged\n');
    before.close();
    after.close();
  });

  it('cuts only a torn last line from a file the journal does not name, however long the line', () => {
    const dir = tempDir();
    const cases: [string, string][] = [['a\nb\npart of c', 'a\nb\n'], [`a\n${'x'.repeat(200_000)}`, 'a\n'], ['no newline at all', ''], ['whole\n', 'whole\n']];
    cases.forEach(([text, expected], i) => {
      const path = join(dir, `f${i}.ndjson`);
      writeFileSync(path, text);
      const h = new FileHandler(path, { batched: true });
      recoverFiles([h], []);
      expect(read(path)).toBe(expected);
      h.close();
    });
  });

  it('leaves a file that is neither the committed one nor begun by a rollover, but for a torn line', () => {
    const path = join(tempDir(), 'isolog.ndjson');
    writeFileSync(path, 'put here\nby hand');
    const h = new FileHandler(path, { batched: true });
    recoverFiles([h], [{ path, ino: '1', size: 3 }]);
    expect(read(path)).toBe('put here\n');
    h.close();
  });
});
