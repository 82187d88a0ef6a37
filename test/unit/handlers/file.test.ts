import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as logging from '../../../src/runtime/node.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'isolog-files-'));
const files = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

describe('RotatingFileHandler', () => {
  it("rotates as CPython does in the cookbook's example (maxBytes=20, backupCount=5)", () => {
    const expected = JSON.parse(readFileSync(new URL('../../fixtures/rotation.json', import.meta.url), 'utf8'));
    const dir = tmp();
    const myLogger = logging.getLogger('MyLogger');
    myLogger.setLevel(logging.DEBUG);
    const handler = new logging.RotatingFileHandler(join(dir, 'logging_rotatingfile_example.out'), { maxBytes: 20, backupCount: 5 });
    myLogger.addHandler(handler);
    for (let i = 0; i < 20; i++) myLogger.debug(logging.percentFormat('i = %d', [i]));
    handler.close();
    myLogger.removeHandler(handler);
    expect(files(dir)).toEqual(expected);
  });

  it('never rolls over with backupCount 0, and appends to an existing file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.log'), 'old\n');
    const h = new logging.RotatingFileHandler(join(dir, 'a.log'), { maxBytes: 5, backupCount: 0 });
    for (let i = 0; i < 3; i++) h.handle(new logging.LogRecord('x', 20, '', 0, `line ${i}`, [], null));
    h.close();
    expect(files(dir)).toEqual({ 'a.log': 'old\nline 0\nline 1\nline 2\n' });
  });

  it('buffered mode writes at flush()', () => {
    const dir = tmp();
    const h = new logging.FileHandler(join(dir, 'b.log'), { buffered: true });
    h.handle(new logging.LogRecord('x', 20, '', 0, 'waiting', [], null));
    expect(readFileSync(join(dir, 'b.log'), 'utf8')).toBe('');
    h.flush();
    expect(readFileSync(join(dir, 'b.log'), 'utf8')).toBe('waiting\n');
    h.close();
  });

  it('batched holds every record until flush(), past 64 KiB too, and rolls over only there: a batch lands in one file', () => {
    const dir = tmp();
    const h = new logging.RotatingFileHandler(join(dir, 'batch.log'), { maxBytes: 100_000, backupCount: 2, batched: true });
    const log = (n: number, tag: string) => { for (let i = 0; i < n; i++) h.handle(new logging.LogRecord('x', 20, '', 0, `${tag} ${'x'.repeat(990)}`, [], null)); };
    log(90, 'first');
    expect(readFileSync(join(dir, 'batch.log'), 'utf8')).toBe('');
    h.flush();
    log(20, 'second');
    h.flush();
    h.close();
    const lines = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
    expect(lines('batch.log.1')).toEqual(Array(90).fill('first'));
    expect(lines('batch.log')).toEqual(Array(20).fill('second'));
  });

  it('batched writes lines given as bytes in order with the others, counts them for rollover, and discard() drops them', () => {
    const dir = tmp();
    const h = new logging.RotatingFileHandler(join(dir, 'bytes.log'), { maxBytes: 68, backupCount: 1, batched: true });
    // three lines in one buffer, each followed by its newline, as the collector's scanner writes them
    const buffer = Buffer.from('bytes 1\nbytes 2 é\nbytes 3\n');
    const line = (n: number) => {
      const start = buffer.indexOf(`bytes ${n}`);
      h.emitFormattedBytes(buffer, start, buffer.indexOf('\n', start));
    };
    line(1);
    h.handle(new logging.LogRecord('x', 20, '', 0, 'text a', [], null));
    line(2);
    line(3);
    h.emitFormatted('text b');
    line(1);
    expect(readFileSync(join(dir, 'bytes.log'), 'utf8')).toBe('');
    h.flush();
    expect(readFileSync(join(dir, 'bytes.log'), 'utf8')).toBe('bytes 1\ntext a\nbytes 2 é\nbytes 3\ntext b\nbytes 1\n');
    // the file has 49 bytes; the batch's 19 (18 characters: é is 2 bytes) take it to 68, the limit: it rolls over first
    line(2);
    line(3);
    h.flush();
    expect(files(dir)).toEqual({ 'bytes.log': 'bytes 2 é\nbytes 3\n', 'bytes.log.1': 'bytes 1\ntext a\nbytes 2 é\nbytes 3\ntext b\nbytes 1\n' });
    line(1);
    h.emitFormatted('dropped');
    h.discard();
    h.flush();
    h.terminator = '\r\n';
    line(3);
    line(1);
    h.close();
    expect(readFileSync(join(dir, 'bytes.log'), 'utf8')).toBe('bytes 2 é\nbytes 3\nbytes 3\r\nbytes 1\r\n');
    expect(() => new logging.FileHandler(join(dir, 'plain.log')).emitFormattedBytes(buffer, 0, 7)).toThrow('is for a batched FileHandler');
  });

  it("asks a subclass's own shouldRollover(), with the text to be written, lines given as bytes too", () => {
    const dir = tmp();
    const asked: string[] = [];
    class EveryTime extends logging.RotatingFileHandler {
      override shouldRollover(text: string): boolean {
        asked.push(text);
        return text.includes('roll');
      }
    }
    const plain = new EveryTime(join(dir, 'plain.log'), { maxBytes: 1_000_000, backupCount: 1 });
    for (const msg of ['one', 'roll two']) plain.handle(new logging.LogRecord('x', 20, '', 0, msg, [], null));
    plain.close();
    const batched = new EveryTime(join(dir, 'batched.log'), { maxBytes: 1_000_000, backupCount: 1, batched: true });
    batched.emitFormatted('first');
    batched.flush();
    const buffer = Buffer.from('roll é\n');
    batched.emitFormattedBytes(buffer, 0, buffer.length - 1);
    batched.flush();
    batched.close();
    expect(asked).toEqual(['one\n', 'roll two\n', 'first\n', 'roll é\n']);
    expect(files(dir)).toEqual({ 'batched.log': 'roll é\n', 'batched.log.1': 'first\n', 'plain.log': 'roll two\n', 'plain.log.1': 'one\n' });
  });

  it("mode 'w': a write the disk refused part of is cut back, and the next lands where the file ends, not past a run of zero bytes", async () => {
    const dir = tmp();
    const script = join(dir, 'refused.mjs');
    // a process whose files may not pass 1 KiB (ulimit -f), as a full disk refuses a write part way
    await build({
      stdin: { contents: `
        import { FileHandler } from './src/runtime/node.ts';
        const h = new FileHandler(process.argv[2], { mode: 'w', batched: true });
        const attempt = (what) => { try { h.flush(); console.log(what, 'written'); } catch (err) { console.log(what, 'refused', err.code); } };
        const line = (text) => { const bytes = Buffer.from(text + '\\n'); h.emitFormattedBytes(bytes, 0, bytes.length - 1); };
        h.emitFormatted('a'.repeat(600));
        attempt('text');
        line('x'.repeat(300));
        line('y'.repeat(300));
        attempt('bytes past the limit');
        line('x'.repeat(50));
        line('y'.repeat(50));
        attempt('bytes');
        h.emitFormatted('c'.repeat(100));
        attempt('text again');
        h.close();`, resolveDir: join(import.meta.dirname, '../../..'), loader: 'ts' },
      bundle: true, platform: 'node', format: 'esm', outfile: script, logLevel: 'warning',
    });
    const file = join(dir, 'w.log');
    const run = spawnSync('bash', ['-c', 'ulimit -f 1 && exec "$0" "$@"', process.execPath, script, file], { encoding: 'utf8' });
    expect(run.stdout.trim().split('\n')).toEqual(['text written', 'bytes past the limit refused EFBIG', 'bytes written', 'text again written']);
    expect(readFileSync(file, 'utf8')).toBe(`${'a'.repeat(600)}\n${'x'.repeat(50)}\n${'y'.repeat(50)}\n${'c'.repeat(100)}\n`);
  });

  it('batched keeps the records whose formatting threw for takeFailed(), and writes the others', () => {
    const dir = tmp();
    const h = new logging.FileHandler(join(dir, 'failed.log'), { batched: true });
    h.setFormatter(Object.assign(new logging.Formatter(), { format: (r: logging.LogRecord) => { if (r.msg === 'bad') throw new RangeError('Invalid time value'); return String(r.msg); } }));
    const bad = new logging.LogRecord('x', 20, '', 0, 'bad', [], null);
    const errors: string[] = [];
    logging.setInternalErrorSink((text) => errors.push(text));
    try {
      for (const r of [new logging.LogRecord('x', 20, '', 0, 'good', [], null), bad]) h.handle(r);
    } finally {
      logging.setInternalErrorSink(null);
    }
    expect(h.takeFailed()).toEqual([{ record: bad, error: new RangeError('Invalid time value') }]);
    expect(h.takeFailed()).toEqual([]);
    expect(errors.join('')).toContain('RangeError: Invalid time value');
    h.close();
    expect(readFileSync(join(dir, 'failed.log'), 'utf8')).toBe('good\n');
  });

  it('configure() builds file handlers by name once isolog/node is loaded', () => {
    const dir = tmp();
    logging.configure({
      version: 1,
      handlers: { f: { class: 'logging.handlers.RotatingFileHandler', filename: join(dir, 'c.log'), maxBytes: 1000, backupCount: 2 } },
      loggers: { cfgfile: { level: 'INFO', handlers: ['f'], propagate: false } },
    });
    logging.getLogger('cfgfile').info('configured');
    void logging.shutdown();
    expect(readFileSync(join(dir, 'c.log'), 'utf8')).toBe('configured\n');
  });

  it('basicConfig({ filename }) uses a FileHandler', () => {
    const dir = tmp();
    logging.basicConfig({ filename: join(dir, 'basic.log'), force: true, level: logging.INFO });
    logging.getLogger('bc').info('to file');
    void logging.shutdown();
    expect(readFileSync(join(dir, 'basic.log'), 'utf8')).toBe('INFO:bc:to file\n');
  });
});

describe('TimedRotatingFileHandler', () => {
  it('rolls over each interval, names old files by period start, keeps backupCount', () => {
    const dir = tmp();
    let now = Date.UTC(2026, 10, 22, 10, 0, 0) / 1000;
    const h = new logging.TimedRotatingFileHandler(join(dir, 't.log'), { when: 'S', interval: 10, backupCount: 2, utc: true, now: () => now });
    const log = (msg: string) => h.handle(new logging.LogRecord('x', 20, '', 0, msg, [], null));
    log('a');
    now += 10;
    log('b');
    now += 10;
    log('c');
    now += 10;
    log('d');
    h.close();
    expect(files(dir)).toEqual({
      't.log': 'd\n',
      't.log.2026-11-22_10-00-10': 'b\n',
      't.log.2026-11-22_10-00-20': 'c\n',
    });
  });

  it("counts an existing file's first period from its mtime, as Python does", () => {
    const dir = tmp();
    const written = Date.UTC(2026, 10, 22, 10, 0, 0) / 1000;
    writeFileSync(join(dir, 'e.log'), 'old\n');
    utimesSync(join(dir, 'e.log'), written, written);
    let now = written + 5;
    const h = new logging.TimedRotatingFileHandler(join(dir, 'e.log'), { when: 'S', interval: 10, utc: true, now: () => now });
    expect(h.rolloverAt).toBe(written + 10);
    h.handle(new logging.LogRecord('x', 20, '', 0, 'same period', [], null));
    now = written + 10;
    h.handle(new logging.LogRecord('x', 20, '', 0, 'next period', [], null));
    h.close();
    expect(files(dir)).toEqual({ 'e.log': 'next period\n', 'e.log.2026-11-22_10-00-00': 'old\nsame period\n' });
  });

  it('midnight and W0-W6 roll over when CPython does (W0: the midnight that ends Monday)', () => {
    const dir = tmp();
    const saturdayNoon = Date.UTC(2026, 10, 21, 12, 0, 0) / 1000;
    const midnight = new logging.TimedRotatingFileHandler(join(dir, 'm.log'), { when: 'midnight', utc: true, now: () => saturdayNoon });
    expect(midnight.computeRollover(saturdayNoon)).toBe(Date.UTC(2026, 10, 22) / 1000);
    const weekly = new logging.TimedRotatingFileHandler(join(dir, 'w.log'), { when: 'W0', utc: true, now: () => saturdayNoon });
    // CPython 3.11, TZ=UTC, from Saturday 2026-11-21 12:00: W0 -> 11-24 00:00, W6 -> 11-23 00:00
    expect(weekly.computeRollover(saturdayNoon)).toBe(Date.UTC(2026, 10, 24) / 1000);
    const sunday = new logging.TimedRotatingFileHandler(join(dir, 's.log'), { when: 'W6', utc: true, now: () => saturdayNoon });
    expect(sunday.computeRollover(saturdayNoon)).toBe(Date.UTC(2026, 10, 23) / 1000);
    sunday.close();
    midnight.close();
    weekly.close();
    expect(() => new logging.TimedRotatingFileHandler(join(dir, 'x.log'), { when: 'fortnight' })).toThrow(/Invalid rollover interval/);
  });
});
