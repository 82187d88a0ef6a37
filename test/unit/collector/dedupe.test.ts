// The uid journal at its bound: the oldest forgotten first, in the same order across restarts, and a
// journal compacted (atomically) once it holds twice what is remembered.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DedupeStore } from '../../../src/collector/dedupe.js';
import { UidRing } from '../../../src/collector/uid-ring.js';
import { setInternalErrorSink } from '../../../src/core/internal-error.js';
import { tempDir } from './helpers.js';

const journal = () => join(tempDir(), 'dedupe.journal');
const text = (path: string) => readFileSync(path, 'utf8');
/** The uid lines of a journal (a commit line begins with a space, which no uid holds). */
const lines = (path: string) => text(path).split('\n').filter((l) => l && !l.startsWith(' '));

afterEach(() => setInternalErrorSink(null));

describe('UidRing', () => {
  it('forgets the oldest uid for each new one past its capacity', () => {
    const ring = new UidRing(3);
    for (const uid of ['a', 'b', 'c', 'd']) ring.add(uid);
    expect(['a', 'b', 'c', 'd'].map((u) => ring.has(u))).toEqual([false, true, true, true]);
    ring.add('e');
    expect(ring.has('b')).toBe(false);
    expect(ring.values()).toEqual(['c', 'd', 'e']);
    expect(ring.size).toBe(3);
  });

  it('agrees with a plain list over 20,000 random adds, restored or not (collisions, evictions, moved entries)', () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pool = Array.from({ length: 300 }, (_, i) => `u${i.toString(36)}`);
    const capacity = 64;
    const model: string[] = pool.slice(0, 40);
    const text = model.join('\n') + '\n';
    const starts = Int32Array.from(model.map((_, i) => model.slice(0, i).reduce((n, u) => n + u.length + 1, 0)));
    const ring = new UidRing(capacity);
    ring.restore(text, starts, Uint16Array.from(model.map((u) => u.length)));
    for (let step = 0; step < 20_000; step++) {
      const uid = pool[Math.floor(random() * pool.length)];
      ring.add(uid);
      if (!model.includes(uid)) {
        model.push(uid);
        if (model.length > capacity) model.shift();
      }
      if (step % 97 === 0) expect(pool.filter((u) => ring.has(u))).toEqual(pool.filter((u) => model.includes(u)));
    }
    expect(ring.values()).toEqual(model);
  });

  it('agrees with a plain list when it holds more uids than one chunk of text, restored or not', () => {
    let seed = 11;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pool = Array.from({ length: 30_000 }, (_, i) => `uid-${i.toString(36)}-${'x'.repeat(i % 17)}`);
    const capacity = 5_000;
    const restored = pool.slice(0, 3_000);
    const starts = new Int32Array(restored.length);
    restored.reduce((at, u, i) => { starts[i] = at; return at + u.length + 1; }, 0);
    const ring = new UidRing(capacity);
    ring.restore(`${restored.join('\n')}\n`, starts, Uint16Array.from(restored.map((u) => u.length)));
    const held = new Set(restored);
    const order = [...restored];
    for (let step = 0; step < 40_000; step++) {
      const uid = pool[Math.floor(random() * pool.length)];
      ring.add(uid);
      if (!held.has(uid)) {
        held.add(uid);
        order.push(uid);
        if (order.length > capacity) held.delete(order.shift() as string);
      }
      if (step % 997 === 0) for (let k = 0; k < 200; k++) {
        const probe = pool[Math.floor(random() * pool.length)];
        expect(ring.has(probe)).toBe(held.has(probe));
      }
    }
    expect(ring.values()).toEqual(order);
  });
});

describe('DedupeStore', () => {
  it('remembers the newest maxEntries uids across a restart, and goes on forgetting in their order', () => {
    const path = journal();
    let store = new DedupeStore(path, 3);
    store.commit(['a', 'b']);
    store.commit(['c', 'd', 'e']);
    store.close();
    store = new DedupeStore(path, 3);
    expect(store.uids()).toEqual(['c', 'd', 'e']);
    expect(store.has('b')).toBe(false);
    store.commit(['f']);
    expect(store.uids()).toEqual(['d', 'e', 'f']);
    store.close();
    expect(new DedupeStore(path, 3).uids()).toEqual(['d', 'e', 'f']);
  });

  it('compacts the journal once it holds twice maxEntries uids, to those remembered, oldest first', () => {
    const path = journal();
    const store = new DedupeStore(path, 3);
    for (const uid of ['a', 'b', 'c', 'd', 'e', 'f']) store.commit([uid]);
    expect(lines(path)).toHaveLength(6);
    store.commit(['g']);
    expect(lines(path)).toEqual(['e', 'f', 'g']);
    expect(existsSync(`${path}.tmp`)).toBe(false);
    store.commit(['h']);
    store.close();
    expect(lines(path)).toEqual(['e', 'f', 'g', 'h']);
    expect(new DedupeStore(path, 3).uids()).toEqual(['f', 'g', 'h']);
  });

  it('keeps the whole journal when a compaction cannot be written, says so, and still takes uids', () => {
    const path = journal();
    mkdirSync(`${path}.tmp`); // the new journal cannot be opened for writing
    const reports: string[] = [];
    setInternalErrorSink((text) => reports.push(text));
    const store = new DedupeStore(path, 2);
    for (const uid of ['a', 'b', 'c', 'd', 'e']) store.commit([uid]);
    expect(reports.join('')).toContain('could not compact');
    expect(lines(path)).toEqual(['a', 'b', 'c', 'd', 'e']);
    store.close();
    expect(new DedupeStore(path, 2).uids()).toEqual(['d', 'e']);
  });

  it('takes uids as stored only up to the last whole commit line, and cuts the journal back to it', () => {
    const path = journal();
    const mark = { path: '/logs/isolog.ndjson', ino: '42', size: 300 };
    const committed = ` commit []\na\nb\n commit ${JSON.stringify([mark])}\n`;
    writeFileSync(path, `${committed}c\nd\n commit [{"path":"/logs/iso`);
    const store = new DedupeStore(path, 10);
    expect(store.uids()).toEqual(['a', 'b']);
    expect(store.marks).toEqual([mark]);
    expect(text(path)).toBe(committed);
    store.commit(['c'], [{ ...mark, size: 400 }]);
    store.close();
    const again = new DedupeStore(path, 10);
    expect(again.uids()).toEqual(['a', 'b', 'c']);
    expect(again.marks).toEqual([{ ...mark, size: 400 }]);
  });

  it('keeps marks whose paths are not ASCII, in a journal read as latin1', () => {
    const path = journal();
    const marks = [{ path: '/tmp/journal é ✓/isolog.ndjson', ino: '18446744073709551615', size: 7 }];
    new DedupeStore(path).commit(['x'], marks);
    expect(text(path)).toMatch(/^[\x00-\x7f]*$/);
    expect(new DedupeStore(path).marks).toEqual(marks);
  });

  it('reads a journal from before commit lines: every whole line a uid, a torn last line not', () => {
    const path = journal();
    writeFileSync(path, `a\n\nb\n${'x'.repeat(300)}\nc`);
    const store = new DedupeStore(path, 10);
    expect(store.uids()).toEqual(['a', 'b']);
    store.close();
    expect(text(path)).toBe(`a\n\nb\n${'x'.repeat(300)}\n commit []\n`);
  });
});
