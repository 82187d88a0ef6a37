// The worker side of the pipeline (Python's QueueListener): takes batches from the page, makes them
// durable in IndexedDB, then acknowledges them; the flusher ships them to the collector.
import { WebSocketSender } from '../../transport/websocket.js';
import { postOtlp } from '../../transport/http.js';
import { openQueue, type BatchKey, type BatchQueue, type StoredBatch } from './durable-queue.js';
import { Flusher } from './flusher.js';
import { PROTOCOL_VERSION, type ListenerApi, type PipelineStats, type StorageConfig, type WorkerInit } from '../protocol.js';
import type { PlainRecord } from '../../core/fields.js';

const keyId = (k: BatchKey): string => k.join(':');

/** The WARNING that reports a loss; `dropped` lets a later warning carry its count if it is dropped too. */
function dropWarning(dropped: number, why: string): PlainRecord {
  const now = Date.now();
  const text = `isolog dropped ${dropped} records: ${why}`;
  return {
    name: 'isolog', msg: text, message: text, levelno: 30, levelname: 'WARNING', created: now / 1000,
    uid: `isolog-${now.toString(36)}-${Math.random().toString(36).slice(2, 10)}`, exc_text: null, stack_info: null,
    dropped,
  };
}

function isDropWarning(r: PlainRecord): boolean {
  return r.name === 'isolog' && typeof r.dropped === 'number';
}

/** Implements what the page calls through Comlink. */
export class Listener implements ListenerApi {
  private queue: BatchQueue | null = null;
  private flusher: Flusher | null = null;
  private storage: StorageConfig | null = null;
  private closeTransport: (() => void) | null = null;
  private readonly stored = new Map<string, BatchKey>();
  private readonly waiters = new Set<() => void>();
  private channel: BroadcastChannel | null = null;
  /** Records and bytes stored, as far as this worker knows (exact after recount). */
  private estimate = { records: 0, bytes: 0 };
  private droppedSinceWarning = 0;
  private readonly waiting: { batch: StoredBatch; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private writing = false;
  private readonly idleWaiters: (() => void)[] = [];
  readonly counts: PipelineStats = {
    logged: 0, durable: 0, sent: 0, acknowledged: 0, dropped: {}, retries: 0, lastError: null, durableStorage: false, flushing: false,
  };

  async init(init: WorkerInit): Promise<{ version: number; durableStorage: boolean }> {
    if (init.version !== PROTOCOL_VERSION) {
      throw new Error(`isolog: the page speaks protocol ${init.version}, this worker ${PROTOCOL_VERSION}; serve the worker.js of the same isolog version`);
    }
    this.storage = init.storage;
    const { queue, problem } = await openQueue(init.storage.database);
    this.queue = queue;
    this.counts.durableStorage = queue.durable;
    if (problem) this.counts.lastError = problem;
    const totals = await queue.totals();
    this.estimate = { records: totals.records, bytes: totals.bytes };
    const t = init.transport;
    let send;
    if (t.transport === 'websocket') {
      const ws = new WebSocketSender(t.collector, t.token);
      send = (body: string) => ws.send(body);
      this.closeTransport = () => ws.close();
    } else {
      send = (body: string) => postOtlp(t.collector, body, { token: t.token });
    }
    this.flusher = new Flusher(queue, send, t, init.resource, this.counts, {
      acknowledged: (keys) => this.onAcknowledged(keys),
      problem: (text) => { this.counts.lastError = text; },
    }, `isolog-flusher:${init.storage.database}`);
    if (typeof BroadcastChannel !== 'undefined') {
      // another tab's worker stored a batch: wake this one if it is the flusher
      this.channel = new BroadcastChannel(`isolog:${init.storage.database}`);
      this.channel.onmessage = () => this.flusher?.kick();
    }
    this.flusher.start();
    return { version: PROTOCOL_VERSION, durableStorage: queue.durable };
  }

  put(batch: string, count: number): Promise<void> {
    // stored as it came (masked on the page), in one write, so a closing tab loses as little as
    // possible; it is read and formatted when the flusher sends it
    return new Promise((resolve, reject) => {
      this.waiting.push({ batch: { raw: batch, count, bytes: batch.length }, resolve, reject });
      void this.writeWaiting();
    });
  }

  /** One transaction at a time; the batches that arrive meanwhile go together in the next one. */
  private async writeWaiting(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0);
        try {
          await this.append(group.map((g) => g.batch));
          for (const g of group) g.resolve();
        } catch (err) {
          for (const g of group) g.reject(err);
        }
      }
    } finally {
      this.writing = false;
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async append(batches: StoredBatch[]): Promise<void> {
    const queue = this.requireQueue();
    batches = await this.enforceCaps(batches);
    if (this.droppedSinceWarning > 0) {
      const storage = this.storage as StorageConfig;
      batches = [this.warningBatch(`the queue was full (caps: ${storage.maxRecords} records, ${storage.maxBytes} bytes)`), ...batches];
    }
    let keys: BatchKey[];
    try {
      keys = await queue.append(...batches);
    } catch (err) {
      // QuotaExceededError, or a connection that is closing: free room by dropping the oldest, then try once more
      await this.dropOldest(Math.max(1, Math.ceil(this.estimate.records / 10)), 'quota');
      this.counts.lastError = `storage: ${String(err)}`;
      batches = [this.warningBatch(`storage was full (${String(err)})`), ...batches.filter((b) => !b.records)];
      keys = await queue.append(...batches);
    }
    batches.forEach((b, i) => this.remember(keys[i], b));
  }

  /** The WARNING that reports the drops since the last one, as a batch of its own. */
  private warningBatch(why: string): StoredBatch {
    const warning = dropWarning(this.droppedSinceWarning, why);
    this.droppedSinceWarning = 0;
    return { records: [warning], count: 1, bytes: 256 };
  }

  private remember(key: BatchKey, batch: StoredBatch): void {
    this.stored.set(keyId(key), key);
    this.estimate.records += batch.count;
    this.estimate.bytes += batch.bytes;
    this.counts.durable += batch.records ? 0 : batch.count;
    this.flusher?.kick();
    this.channel?.postMessage('stored');
  }

  /** Resolves once no batch is waiting to be written. */
  private idle(): Promise<void> {
    if (!this.writing && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private requireQueue(): BatchQueue {
    if (!this.queue) throw new Error('isolog: the worker was used before init()');
    return this.queue;
  }

  /**
   * Makes room for `batches` under the caps, dropping the oldest stored batches first and, when even
   * that is not enough, the oldest of these; returns what is left to store. Every drop is counted.
   */
  private async enforceCaps(batches: StoredBatch[]): Promise<StoredBatch[]> {
    const storage = this.storage as StorageConfig;
    const over = (list: StoredBatch[]) =>
      this.estimate.records + list.reduce((n, b) => n + b.count, 0) > storage.maxRecords ||
      this.estimate.bytes + list.reduce((n, b) => n + b.bytes, 0) > storage.maxBytes;
    if (!over(batches)) return batches;
    // the estimate misses what other tabs' flushers removed: count again before dropping anything
    const totals = await this.requireQueue().totals();
    this.estimate = { records: totals.records, bytes: totals.bytes };
    while (over(batches)) {
      if ((await this.dropOldest(1, 'storage cap')) > 0) continue;
      if (batches.length <= 1) break;
      const dropped = batches.shift() as StoredBatch;
      this.counts.dropped['storage cap'] = (this.counts.dropped['storage cap'] ?? 0) + dropped.count;
      this.droppedSinceWarning += dropped.count;
    }
    return batches;
  }

  /** Drops the oldest `batches` batches; returns how many records went. */
  private async dropOldest(batches: number, reason: string): Promise<number> {
    const queue = this.requireQueue();
    const oldest = await queue.oldest(batches);
    if (oldest.length === 0) return 0;
    await queue.remove(oldest.map(([k]) => k));
    let records = 0;
    for (const [key, batch] of oldest) {
      if (batch.records) {
        for (const r of batch.records) {
          // a dropped warning hands its count on to the next one; it is not itself a lost record
          if (isDropWarning(r)) this.droppedSinceWarning += r.dropped as number;
          else records++;
        }
      } else {
        records += batch.count;
      }
      this.estimate.records -= batch.count;
      this.estimate.bytes -= batch.bytes;
      this.stored.delete(keyId(key));
    }
    this.counts.dropped[reason] = (this.counts.dropped[reason] ?? 0) + records;
    this.droppedSinceWarning += records;
    return oldest.reduce((n, [, b]) => n + b.count, 0);
  }

  private onAcknowledged(keys: BatchKey[]): void {
    for (const k of keys) this.stored.delete(keyId(k));
    for (const wake of this.waiters) wake();
  }

  async flush(timeoutMs: number): Promise<void> {
    await this.idle();
    const queue = this.requireQueue();
    let waiting = [...this.stored.values()];
    const deadline = Date.now() + timeoutMs;
    this.flusher?.kick();
    while (waiting.length > 0) {
      // another tab may be the flusher: what it acknowledged is gone from the store
      waiting = await queue.remaining(waiting);
      const still = new Set(waiting.map(keyId));
      for (const id of [...this.stored.keys()]) if (!still.has(id)) this.stored.delete(id);
      if (waiting.length === 0) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`isolog: flush timed out after ${timeoutMs} ms with ${waiting.length} batch(es) not acknowledged` +
          (this.counts.lastError ? `; last error: ${this.counts.lastError}` : ''));
      }
      await new Promise<void>((resolve) => {
        const wake = () => { this.waiters.delete(wake); clearTimeout(timer); resolve(); };
        const timer = setTimeout(wake, Math.min(left, 200));
        this.waiters.add(wake);
      });
    }
  }

  async stats(): Promise<PipelineStats> {
    return { ...this.counts, dropped: { ...this.counts.dropped } };
  }

  async stop(): Promise<void> {
    await this.flusher?.stop();
    this.closeTransport?.();
    this.channel?.close();
  }
}
