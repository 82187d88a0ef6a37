// The worker's durable queue (IndexedDB through fake-indexeddb, and the in-memory fallback) and the
// flusher's reading and retrying over it.
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { IndexedDbQueue, MemoryBatchQueue, type BatchQueue, type StoredBatch } from '../../../src/pipeline/worker/durable-queue.js';
import { Flusher } from '../../../src/pipeline/worker/flusher.js';
import { PassFlusher } from '../../../src/pipeline/service-worker/pass-flusher.js';
import type { PipelineStats } from '../../../src/pipeline/protocol.js';
import { encodeBatch } from '../../../src/pipeline/batch-encoder.js';
import { INFO, LogRecord } from '../../../src/index.js';

const batch = (count: number, bytes = count * 100): StoredBatch => ({ raw: 'x', count, bytes });
let databases = 0;

for (const [kind, make] of [
  ['IndexedDB', () => new IndexedDbQueue(`isolog-test-${databases++}`)],
  ['memory', () => new MemoryBatchQueue()],
] as [string, () => BatchQueue][]) {
  describe(`the ${kind} queue`, () => {
    it('reads the oldest batches first, and no more than the limits allow (but always one)', async () => {
      const queue = make();
      const keys = await queue.append(batch(400), batch(400), batch(400), batch(5000));
      expect((await queue.oldest(10)).map(([k]) => k)).toEqual(keys);
      expect((await queue.oldest(10, { records: 1000, bytes: 1e9 })).map(([k]) => k)).toEqual(keys.slice(0, 2));
      expect((await queue.oldest(10, { records: 1e9, bytes: 130_000 })).map(([k]) => k)).toEqual(keys.slice(0, 3));
      expect((await queue.oldest(2)).map(([k]) => k)).toEqual(keys.slice(0, 2));
      await queue.remove(keys.slice(0, 3));
      // a batch larger than the limits on its own is still read, alone
      expect((await queue.oldest(10, { records: 1000, bytes: 1000 })).map(([k]) => k)).toEqual(keys.slice(3));
      expect(await queue.remaining(keys)).toEqual(keys.slice(3));
      expect(await queue.totals()).toEqual({ records: 5000, bytes: 500_000, batches: 1 });
    });

    it('finds the oldest batches that make room for so many bytes: just enough of them, at least one', async () => {
      const queue = make();
      const keys = await queue.append(batch(10, 300), batch(10, 300), batch(10, 300));
      expect((await queue.covering(0)).map(([k]) => k)).toEqual(keys.slice(0, 1));
      expect((await queue.covering(300)).map(([k]) => k)).toEqual(keys.slice(0, 1));
      expect((await queue.covering(301)).map(([k]) => k)).toEqual(keys.slice(0, 2));
      expect((await queue.covering(1e9)).map(([k]) => k)).toEqual(keys);
      await queue.remove(keys);
      expect(await queue.covering(100)).toEqual([]);
    });
  });
}

describe('the flusher over the queue', () => {
  it('sends a retried request again without reading and decoding it again, and counts an unreadable batch once', async () => {
    const queue = new MemoryBatchQueue();
    const records = [1, 2, 3].map((i) => new LogRecord('app', INFO, '(unknown file)', 0, 'n=%d', [i], null));
    await queue.append({ raw: 'not json', count: 7, bytes: 8 }, { raw: encodeBatch(records, null), count: 3, bytes: 100 });
    const stats: PipelineStats = { logged: 0, durable: 0, sent: 0, acknowledged: 0, dropped: {}, retries: 0, lastError: null, durableStorage: false, flushing: false };
    const bodies: string[] = [];
    let reads = 0;
    const oldest = queue.oldest.bind(queue);
    queue.oldest = (...args) => { reads++; return oldest(...args); };
    let readsWhenAcknowledged = 0;
    let acknowledged = (): void => {};
    const done = new Promise<void>((resolve) => { acknowledged = () => { readsWhenAcknowledged = reads; resolve(); }; });
    const flusher = new Flusher(queue, async (body) => {
      bodies.push(body);
      return { status: bodies.length <= 2 ? 503 : 200, retryAfter: null };
    }, { collector: 'http://127.0.0.1:1/v1/logs', transport: 'fetch', maxRecordsPerRequest: 1000, maxBytesPerRequest: 1e6, retryBaseMs: 1 },
    {}, stats, { acknowledged, problem: () => {} }, 'isolog-test-lock');
    flusher.start();
    await done;
    await flusher.stop();
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain('n=3');
    expect(readsWhenAcknowledged).toBe(1);
    expect(stats.dropped.unreadable).toBe(7);
    expect(stats.retries).toBe(2);
    expect(stats.acknowledged).toBe(3);
    expect(await queue.totals()).toEqual({ records: 0, bytes: 0, batches: 0 });
  });

  it('splits a read whose OTLP body would pass maxBytesPerRequest into requests under it, before sending', async () => {
    const queue = new MemoryBatchQueue();
    const records = Array.from({ length: 100 }, (_, i) => new LogRecord('app', INFO, '(unknown file)', 0, 'record %d of a batch that is small on the page', [i], null));
    await queue.append({ raw: encodeBatch(records, null), count: 100, bytes: 300 });
    const stats: PipelineStats = { logged: 0, durable: 0, sent: 0, acknowledged: 0, dropped: {}, retries: 0, lastError: null, durableStorage: false, flushing: false };
    const bodies: string[] = [];
    let acknowledged = (): void => {};
    const done = new Promise<void>((resolve) => { acknowledged = resolve; });
    const flusher = new Flusher(queue, async (body) => {
      bodies.push(body);
      return { status: 200, retryAfter: null };
    }, { collector: 'http://127.0.0.1:1/v1/logs', transport: 'fetch', maxRecordsPerRequest: 10_000, maxBytesPerRequest: 8_000, retryBaseMs: 1 },
    {}, stats, { acknowledged, problem: () => {} }, 'isolog-test-lock');
    flusher.start();
    await done;
    await flusher.stop();
    expect(bodies.length).toBeGreaterThan(2);
    for (const body of bodies) expect(body.length).toBeLessThanOrEqual(8_000);
    const sent = bodies.flatMap((b) => JSON.parse(b).resourceLogs[0].scopeLogs.flatMap((s: { logRecords: { body: { stringValue: string } }[] }) => s.logRecords.map((r) => r.body.stringValue)));
    expect(sent).toEqual(records.map((_, i) => `record ${i} of a batch that is small on the page`));
    expect(stats.sent).toBe(100);
    expect(stats.acknowledged).toBe(100);
  });

  it("no longer listens for 'online' once stopped", async () => {
    // a worker's global scope is an EventTarget; Node's is not, so one stands in for it
    const scope = new EventTarget();
    vi.stubGlobal('addEventListener', scope.addEventListener.bind(scope));
    vi.stubGlobal('removeEventListener', scope.removeEventListener.bind(scope));
    try {
      const stats: PipelineStats = { logged: 0, durable: 0, sent: 0, acknowledged: 0, dropped: {}, retries: 0, lastError: null, durableStorage: false, flushing: false };
      const flusher = new Flusher(new MemoryBatchQueue(), async () => ({ status: 200, retryAfter: null }),
        { collector: 'http://127.0.0.1:1/v1/logs', transport: 'fetch', maxRecordsPerRequest: 1000, maxBytesPerRequest: 1e6, retryBaseMs: 1 },
        {}, stats, { acknowledged: () => {}, problem: () => {} }, 'isolog-test-lock');
      const kicks = vi.spyOn(flusher, 'kick');
      flusher.start();
      scope.dispatchEvent(new Event('online'));
      expect(kicks).toHaveBeenCalledTimes(1);
      await flusher.stop();
      const calls = kicks.mock.calls.length;
      scope.dispatchEvent(new Event('online'));
      expect(kicks.mock.calls.length).toBe(calls);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  describe('bounded passes (a Service Worker flushes inside its events)', () => {
    const config = { collector: 'http://127.0.0.1:1/v1/logs', transport: 'fetch' as const, maxRecordsPerRequest: 3, maxBytesPerRequest: 1e6, retryBaseMs: 1 };
    const newStats = (): PipelineStats => ({ logged: 0, durable: 0, sent: 0, acknowledged: 0, dropped: {}, retries: 0, lastError: null, durableStorage: false, flushing: false });
    const stored = async (queue: MemoryBatchQueue, n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await queue.append({ raw: encodeBatch([new LogRecord('app', INFO, '(unknown file)', 0, 'n=%d', [i], null)], null), count: 1, bytes: 50 });
    };

    it('sends everything stored, request after request, then ends empty', async () => {
      const queue = new MemoryBatchQueue();
      await stored(queue, 7);
      let requests = 0;
      const flusher = new PassFlusher(queue, async () => { requests++; return { status: 200, retryAfter: null }; }, config, {}, newStats(), { acknowledged: () => {}, problem: () => {} }, 'isolog-test-pass');
      expect(await flusher.pass(60_000)).toBe('empty');
      expect(requests).toBe(3);
      expect(await queue.totals()).toEqual({ records: 0, bytes: 0, batches: 0 });
    });

    it('ends at a send without an answer while the browser is offline (the network), keeping what it did not send', async () => {
      const queue = new MemoryBatchQueue();
      await stored(queue, 5);
      let requests = 0;
      const online = { onLine: true };
      vi.stubGlobal('navigator', online);
      try {
        const flusher = new PassFlusher(queue, async () => {
          if (++requests === 1) return { status: 200, retryAfter: null };
          online.onLine = false;
          return { status: null, retryAfter: null, error: 'TypeError: Failed to fetch' };
        }, config, {}, newStats(), { acknowledged: () => {}, problem: () => {} }, 'isolog-test-pass');
        expect(await flusher.pass(60_000)).toBe('network');
        expect((await queue.totals()).records).toBe(2);
      } finally {
        vi.unstubAllGlobals();
      }
    });

    it('online, retries a send without an answer within its budget, and ends failing when none came', async () => {
      const queue = new MemoryBatchQueue();
      await stored(queue, 2);
      let requests = 0;
      const flusher = new PassFlusher(queue, async () => { requests++; return { status: null, retryAfter: null, error: 'TypeError: Failed to fetch' }; },
        config, {}, newStats(), { acknowledged: () => {}, problem: () => {} }, 'isolog-test-pass');
      expect(await flusher.pass(100)).toBe('failing');
      expect(requests).toBeGreaterThan(1);
      expect((await queue.totals()).records).toBe(2);
    });

    it('takes no batch once its budget is spent: the rest stays stored for the next event', async () => {
      const queue = new MemoryBatchQueue();
      await stored(queue, 9);
      // the clock moves 30 ms a request: the budget of 50 ms is spent after two of the three
      let now = 1_700_000_000_000;
      const clock = vi.spyOn(Date, 'now').mockImplementation(() => now);
      try {
        const flusher = new PassFlusher(queue, async () => { now += 30; return { status: 200, retryAfter: null }; },
          config, {}, newStats(), { acknowledged: () => {}, problem: () => {} }, 'isolog-test-pass');
        expect(await flusher.pass(50)).toBe('budget');
        expect((await queue.totals()).records).toBe(3);
      } finally {
        clock.mockRestore();
      }
    });
  });
});
