// The durable queue: batches in IndexedDB, one transaction and one value per batch, keys ordered by
// time. Bounded in records and bytes: past the caps the oldest batches go, and the loss is counted.
import { createStore, delMany, promisifyRequest, setMany, type UseStore } from 'idb-keyval';
import type { PlainRecord } from '../../core/fields.js';

/**
 * A stored batch: the page's batch as it came (`raw`, prepared when it is sent, so that storing it is
 * one quick write) or records the worker made itself (a drop warning).
 */
export interface StoredBatch { raw?: string; records?: PlainRecord[]; count: number; bytes: number }
/** How much one read may take, in records and bytes. */
export interface ReadLimits { records: number; bytes: number }

/** Whether a batch still fits after `taken` ones of `records` records and `bytes` bytes. */
function fits(taken: number, records: number, bytes: number, batch: StoredBatch, limits?: ReadLimits): boolean {
  return taken === 0 || !limits || (records + batch.count <= limits.records && bytes + batch.bytes <= limits.bytes);
}

/** Keys sort by time first: [ms, writer id, sequence]. */
export type BatchKey = [number, string, number];

/** Visits stored batches oldest first until `visit` returns false. */
type Walk = (visit: (key: BatchKey, batch: StoredBatch) => boolean) => Promise<void> | void;

/** The oldest batches a walk visits: up to `maxBatches`, within `limits` (but at least one). */
async function takeOldest(walk: Walk, maxBatches: number, limits?: ReadLimits): Promise<[BatchKey, StoredBatch][]> {
  const out: [BatchKey, StoredBatch][] = [];
  let records = 0;
  let bytes = 0;
  await walk((key, batch) => {
    if (out.length >= maxBatches || !fits(out.length, records, bytes, batch, limits)) return false;
    out.push([key, batch]);
    records += batch.count;
    bytes += batch.bytes;
    return true;
  });
  return out;
}

/**
 * The oldest batches a walk visits whose bytes add up to `bytes` at least (one at least; all there
 * are, if fewer), leaving out those `skip` names.
 */
async function takeCovering(walk: Walk, bytes: number, skip?: (key: BatchKey) => unknown): Promise<[BatchKey, StoredBatch][]> {
  const out: [BatchKey, StoredBatch][] = [];
  let sum = 0;
  await walk((key, batch) => {
    if (out.length > 0 && sum >= bytes) return false;
    if (skip?.(key)) return true;
    out.push([key, batch]);
    sum += batch.bytes;
    return true;
  });
  return out;
}

/** Records, bytes and batches of everything a walk visits. */
async function countAll(walk: Walk): Promise<{ records: number; bytes: number; batches: number }> {
  const out = { records: 0, bytes: 0, batches: 0 };
  await walk((_, batch) => {
    out.records += batch.count;
    out.bytes += batch.bytes;
    out.batches++;
    return true;
  });
  return out;
}

/** What a queue does; IndexedDB's is the real one, memory's the fallback when IndexedDB is unavailable. */
export interface BatchQueue {
  readonly durable: boolean;
  /** Stores batches in one transaction, in order; resolves with their keys. */
  append(...batches: StoredBatch[]): Promise<BatchKey[]>;
  /** The oldest batches: up to `maxBatches`, and no more than `limits` records and bytes (but at least one batch). */
  oldest(maxBatches: number, limits?: ReadLimits): Promise<[BatchKey, StoredBatch][]>;
  /** The oldest batches whose bytes add up to `bytes` at least (but those `skip` names): what makes room for that much. */
  covering(bytes: number, skip?: (key: BatchKey) => unknown): Promise<[BatchKey, StoredBatch][]>;
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

  oldest(maxBatches: number, limits?: ReadLimits): Promise<[BatchKey, StoredBatch][]> {
    // a cursor, so that a read stops at the limits instead of loading many large batches
    return takeOldest((visit) => this.walk(visit), maxBatches, limits);
  }

  covering(bytes: number, skip?: (key: BatchKey) => unknown): Promise<[BatchKey, StoredBatch][]> {
    return takeCovering((visit) => this.walk(visit), bytes, skip);
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
    return countAll((visit) => this.walk(visit));
  }

  /** Visits the stored batches oldest first, in one read transaction, until `visit` returns false. */
  private walk(visit: (key: BatchKey, batch: StoredBatch) => boolean): Promise<void> {
    return this.store('readonly', (store) => new Promise((resolve, reject) => {
      const cursor = store.openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c || !visit(c.primaryKey as BatchKey, c.value as StoredBatch)) return resolve();
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

  oldest(maxBatches: number, limits?: ReadLimits): Promise<[BatchKey, StoredBatch][]> {
    return takeOldest((visit) => this.walk(visit), maxBatches, limits);
  }

  covering(bytes: number, skip?: (key: BatchKey) => unknown): Promise<[BatchKey, StoredBatch][]> {
    return takeCovering((visit) => this.walk(visit), bytes, skip);
  }

  async remove(keys: BatchKey[]): Promise<void> {
    for (const k of keys) this.batches.delete(k.join(':'));
  }

  async remaining(keys: BatchKey[]): Promise<BatchKey[]> {
    return keys.filter((k) => this.batches.has(k.join(':')));
  }

  totals(): Promise<{ records: number; bytes: number; batches: number }> {
    return countAll((visit) => this.walk(visit));
  }

  /** Visits the batches oldest first (a Map keeps insertion order) until `visit` returns false. */
  private walk(visit: (key: BatchKey, batch: StoredBatch) => boolean): void {
    for (const [key, batch] of this.batches.values()) if (!visit(key, batch)) return;
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
