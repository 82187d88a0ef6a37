// Group commit: the batches that arrive while one group is being fsynced share the next write and
// fsync, and none is acknowledged before its records and uids are on disk. Each fsync of the file
// handler here waits until the test lets it go on (or fail), so the order is the test's, not a race's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Handler } from '../../../src/core/handler.js';
import { setInternalErrorSink } from '../../../src/core/internal-error.js';
import type { LogRecord } from '../../../src/core/record.js';
import { FileHandler } from '../../../src/handlers/file.js';
import { collector, otlp, post, records, stored, tempDir } from './helpers.js';

let running: Awaited<ReturnType<typeof collector>> | undefined;
afterEach(async () => { await running?.close(); running = undefined; setInternalErrorSink(null); });

/** One fsync the handler was asked for, held until the test goes on or fails it. */
interface HeldSync { lines: number; go(): void; fail(err: Error): void }

class HeldFileHandler extends FileHandler {
  readonly syncs: HeldSync[] = [];
  /** Set: fsyncs go on at once. */
  held = true;
  override syncAsync(): Promise<void> {
    if (!this.held) return super.syncAsync();
    const lines = readFileSync(this.baseFilename, 'utf8').split('\n').filter(Boolean).length;
    return new Promise((resolve, reject) => {
      this.syncs.push({ lines, go: () => resolve(super.syncAsync()), fail: reject });
    });
  }
}

/** The uids handed to the collector's logging tree so far. */
class SeenUids extends Handler {
  readonly uids = new Set<string>();
  emit(record: LogRecord): void { this.uids.add(record.uid); }
}

async function heldCollector(): Promise<{ file: HeldFileHandler; seen: SeenUids; dir: string }> {
  const dir = tempDir();
  let file: HeldFileHandler | undefined;
  // made by the configuration, so that the collector counts it among its own handlers
  running = await collector({ dir, logging: {
    version: 1, formatters: { json: { class: 'JsonFormatter' } },
    handlers: { file: { '()': () => (file = new HeldFileHandler(join(dir, 'isolog.ndjson'))), formatter: 'json' } },
    root: { level: 'NOTSET', handlers: ['file'] },
  } });
  if (!file) throw new Error('the configuration made no file handler');
  const seen = new SeenUids();
  running.logging.root.addHandler(seen);
  return { file, seen, dir };
}

/** The uids in the journal's committed part (a commit line begins with a space). */
function journaled(dir: string): string[] {
  const text = readFileSync(join(dir, 'dedupe.journal'), 'latin1');
  return text.slice(0, text.lastIndexOf('\n commit ') + 1).split('\n').filter((l) => l && !l.startsWith(' '));
}

describe('group commit', () => {
  it('writes the batches that arrive during an fsync as one group, and acknowledges each only once its records and uids are on disk', async () => {
    const { file, seen, dir } = await heldCollector();
    const url = `${running?.url}/v1/logs`;
    const answered: string[] = [];
    const send = (name: string, batch: ReturnType<typeof records>) => post(url, otlp(batch)).then((res) => {
      // read at the moment of the answer: what it acknowledges is in the file and the journal
      const uids = new Set(stored(dir).map((r) => r.uid));
      const inJournal = new Set(journaled(dir));
      answered.push(name);
      return { status: res.status, inFile: batch.every((r) => uids.has(r.uid)), inJournal: batch.every((r) => inJournal.has(r.uid)) };
    });
    const a = records(10, 'group-a');
    const first = send('a', a);
    await expect.poll(() => file.syncs.length).toBe(1);
    expect(file.syncs[0].lines).toBe(10);

    const rest = [records(10, 'group-b'), records(20, 'group-c'), records(30, 'group-d')];
    const others = rest.map((batch, i) => send('bcd'[i], batch));
    await expect.poll(() => rest.flat().every((r) => seen.uids.has(r.uid))).toBe(true);
    // handed to the tree, held in memory until the group in flight is on disk: nothing answered
    expect(answered).toEqual([]);
    expect(stored(dir)).toHaveLength(10);

    file.syncs[0].go();
    expect(await first).toEqual({ status: 200, inFile: true, inJournal: true });
    // the three batches went as one write and one fsync
    await expect.poll(() => file.syncs.length).toBe(2);
    expect(file.syncs[1].lines).toBe(70);
    expect(answered).toEqual(['a']);
    file.syncs[1].go();
    for (const answer of await Promise.all(others)) expect(answer).toEqual({ status: 200, inFile: true, inJournal: true });
    expect(file.syncs).toHaveLength(2);
    expect(stored(dir).map((r) => r.uid)).toEqual([a, ...rest].flat().map((r) => r.uid));
  });

  it('hands the slices of one large request to the tree without waiting for each one\'s fsync: two fsyncs for 10,000 records, not five', async () => {
    const { file, seen } = await heldCollector();
    const batch = records(10_000, 'large');
    const answer = post(`${running?.url}/v1/logs`, otlp(batch));
    // the first slice of 2,000 is in flight; the other four join the next group while it is held
    await expect.poll(() => file.syncs.length).toBe(1);
    expect(file.syncs[0].lines).toBe(2000);
    await expect.poll(() => batch.every((r) => seen.uids.has(r.uid))).toBe(true);
    file.syncs[0].go();
    await expect.poll(() => file.syncs.length).toBe(2);
    expect(file.syncs[1].lines).toBe(10_000);
    file.syncs[1].go();
    const { status, json } = await answer;
    expect(status).toBe(200);
    expect(json).toEqual({});
    expect(file.syncs).toHaveLength(2);
  });

  it('answers 503 for a large request whose slices\' group cannot be fsynced, and reports that failure once, not once a slice', async () => {
    const { file, seen } = await heldCollector();
    const reports: string[] = [];
    setInternalErrorSink((text) => { reports.push(text); });
    const batch = records(10_000, 'large-fail');
    const answer = post(`${running?.url}/v1/logs`, otlp(batch));
    await expect.poll(() => file.syncs.length).toBe(1);
    await expect.poll(() => batch.every((r) => seen.uids.has(r.uid))).toBe(true);
    file.syncs[0].go();
    await expect.poll(() => file.syncs.length).toBe(2);
    // the group of the other four slices
    file.syncs[1].fail(new Error('the disk is gone'));
    expect((await answer).status).toBe(503);
    expect(reports.filter((r) => r.includes('could not store a batch'))).toHaveLength(1);
    expect(reports.join('')).toContain('the disk is gone');
  });

  it('fails every batch of a group it cannot fsync (503), and those that took records as its duplicates; sent again, each record is stored once', async () => {
    const { file, seen, dir } = await heldCollector();
    setInternalErrorSink(() => {});
    const url = `${running?.url}/v1/logs`;
    const status = (batch: ReturnType<typeof records>) => post(url, otlp(batch)).then((res) => res.status);
    const a = records(5, 'fail-a');
    const first = status(a);
    await expect.poll(() => file.syncs.length).toBe(1);
    const b = records(5, 'fail-b');
    const c = records(5, 'fail-c');
    const group = [status(b), status(c)];
    await expect.poll(() => [...b, ...c].every((r) => seen.uids.has(r.uid))).toBe(true);
    file.syncs[0].go();
    expect(await first).toBe(200);

    // b and c are being fsynced; b sent again meanwhile (with one record more) finds its records in
    // that group: the answer rests on the group's fate
    await expect.poll(() => file.syncs.length).toBe(2);
    const more = records(1, 'fail-more');
    const resent = status([...b, ...more]);
    await expect.poll(() => seen.uids.has(more[0].uid)).toBe(true);
    file.syncs[1].fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    expect(await Promise.all(group)).toEqual([503, 503]);
    expect(await resent).toBe(503);
    // the resent batch's new record goes on with the next group, unacknowledged
    await expect.poll(() => file.syncs.length).toBe(3);
    file.syncs[2].go();
    await expect.poll(() => journaled(dir).length).toBe(6);
    // what was acknowledged is there; b and c are not
    expect(stored(dir).map((r) => r.uid)).toEqual([...a, ...more].map((r) => r.uid));
    expect(journaled(dir)).toEqual([...a, ...more].map((r) => r.uid));

    file.held = false;
    expect(await Promise.all([status(b), status(c), status(a), status([...b, ...more])])).toEqual([200, 200, 200, 200]);
    expect(stored(dir).map((r) => r.uid).sort()).toEqual([...a, ...b, ...c, ...more].map((r) => r.uid).sort());
  });
});
