// The durable queue: batches in IndexedDB, one transaction and one value per batch, keys ordered by
// time. Bounded in records and bytes: past the caps the oldest batches go, and the loss is counted.
import { createStore, delMany, promisifyRequest, setMany, type UseStore } from 'idb-keyval';
import type { WireRecord } from './protocol.js';

/**
 * A stored batch: the page's batch as it came (`raw`, prepared when it is sent, so that storing it is
 * one quick write) or records the worker made itself (a drop warning).
 */
export interface StoredBatch { raw?: string; records?: WireRecord[]; count: number; bytes: number }
/** Keys sort by time first: [ms, writer id, sequence]. */
export type BatchKey = [number, string, number];

/** What a queue does; IndexedDB's is the real one, memory's the fallback when IndexedDB is unavailable. */
export interface BatchQueue {
  readonly durable: boolean;
  /** Stores batches in one transaction, in order; resolves with their keys. */
  append(...batches: StoredBatch[]): Promise<BatchKey[]>;
  /** The oldest batches, up to `maxBatches`. */
  oldest(maxBatches: number): Promise<[BatchKey, StoredBatch][]>;
  remove(keys: BatchKey[]): Promise<void>;
  /** Which of `keys` are still stored. */
  remaining(keys: BatchKey[]): Promise<BatchKey[]>;
  /** Records and bytes stored, all writers together. */
  totals(): Promise<{ records: number; bytes: number; batches: number }>;
}

function newWriterId(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** Batches in IndexedDB through idb-keyval's createStore (its own database). */
export class IndexedDbQueue implements BatchQueue {
  readonly durable = true;
  private readonly store: UseStore;
  private readonly writer = newWriterId();
  private seq = 0;

  constructor(database: string) {
    this.store = createStore(database, 'batches');
  }

  async append(...batches: StoredBatch[]): Promise<BatchKey[]> {
    const now = Date.now();
    const keys = batches.map((): BatchKey => [now, this.writer, this.seq++]);
    await setMany(batches.map((b, i) => [keys[i], b]), this.store);
    return keys;
  }

  oldest(maxBatches: number): Promise<[BatchKey, StoredBatch][]> {
    return this.store('readonly', async (store) => {
      const [keys, values] = await Promise.all([
        promisifyRequest(store.getAllKeys(null, maxBatches)),
        promisifyRequest(store.getAll(null, maxBatches)),
      ]);
      return keys.map((k, i) => [k as BatchKey, values[i] as StoredBatch]);
    });
  }

  remove(keys: BatchKey[]): Promise<void> {
    return keys.length ? delMany(keys, this.store) : Promise.resolve();
  }

  remaining(keys: BatchKey[]): Promise<BatchKey[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.store('readonly', async (store) => {
      const found = await Promise.all(keys.map((k) => promisifyRequest(store.count(k))));
      return keys.filter((_, i) => found[i] > 0);
    });
  }

  totals(): Promise<{ records: number; bytes: number; batches: number }> {
    return this.store('readonly', (store) => new Promise((resolve, reject) => {
      const out = { records: 0, bytes: 0, batches: 0 };
      const cursor = store.openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) return resolve(out);
        const value = c.value as StoredBatch;
        out.records += value.count;
        out.bytes += value.bytes;
        out.batches++;
        c.continue();
      };
      cursor.onerror = () => reject(cursor.error);
    }));
  }
}

/** The fallback: the same queue in memory, for when IndexedDB cannot be opened. */
export class MemoryBatchQueue implements BatchQueue {
  readonly durable = false;
  private readonly batches = new Map<string, [BatchKey, StoredBatch]>();
  private seq = 0;

  async append(...batches: StoredBatch[]): Promise<BatchKey[]> {
    return batches.map((batch) => {
      const key: BatchKey = [Date.now(), 'memory', this.seq++];
      this.batches.set(key.join(':'), [key, batch]);
      return key;
    });
  }

  async oldest(maxBatches: number): Promise<[BatchKey, StoredBatch][]> {
    return [...this.batches.values()].slice(0, maxBatches);
  }

  async remove(keys: BatchKey[]): Promise<void> {
    for (const k of keys) this.batches.delete(k.join(':'));
  }

  async remaining(keys: BatchKey[]): Promise<BatchKey[]> {
    return keys.filter((k) => this.batches.has(k.join(':')));
  }

  async totals(): Promise<{ records: number; bytes: number; batches: number }> {
    let records = 0;
    let bytes = 0;
    for (const [, b] of this.batches.values()) { records += b.count; bytes += b.bytes; }
    return { records, bytes, batches: this.batches.size };
  }
}

/** Opens IndexedDB, or says why it cannot (private mode, CSP, an old browser). */
export async function openQueue(database: string): Promise<{ queue: BatchQueue; problem?: string }> {
  try {
    if (typeof indexedDB === 'undefined') return { queue: new MemoryBatchQueue(), problem: 'IndexedDB is not available here' };
    const queue = new IndexedDbQueue(database);
    await queue.totals();
    return { queue };
  } catch (err) {
    return { queue: new MemoryBatchQueue(), problem: `IndexedDB could not be opened: ${String(err)}` };
  }
}
