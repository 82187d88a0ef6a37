// The worker side of the pipeline (Python's QueueListener): takes batches from the page, makes them
// durable in IndexedDB, then acknowledges them; the flusher ships them to the collector.
import { WebSocketSender } from '../transport/websocket.js';
import { postOtlp } from '../transport/http.js';
import { batchBytes, openQueue, type BatchKey, type BatchQueue } from './durable-queue.js';
import { Flusher } from './flusher.js';
import { PROTOCOL_VERSION, type ListenerApi, type PipelineStats, type RawBatch, type RedactSpec, type StorageConfig, type WireRecord, type WorkerInit } from './protocol.js';
import { prepareBatch } from './raw-batch.js';

const keyId = (k: BatchKey): string => k.join(':');

/** The WARNING that reports a loss; `dropped` lets a later warning carry its count if it is dropped too. */
function dropWarning(dropped: number, why: string): WireRecord {
  const now = Date.now();
  const text = `isolog dropped ${dropped} records: ${why}`;
  return {
    name: 'isolog', msg: text, message: text, levelno: 30, levelname: 'WARNING', created: now / 1000,
    uid: `isolog-${now.toString(36)}-${Math.random().toString(36).slice(2, 10)}`, exc_text: null, stack_info: null,
    dropped,
  };
}

function isDropWarning(r: WireRecord): boolean {
  return r.name === 'isolog' && typeof r.dropped === 'number';
}

/** Implements what the page calls through Comlink. */
export class Listener implements ListenerApi {
  private queue: BatchQueue | null = null;
  private flusher: Flusher | null = null;
  private storage: StorageConfig | null = null;
  private redact: RedactSpec | null = null;
  private closeTransport: (() => void) | null = null;
  private readonly stored = new Map<string, BatchKey>();
  private readonly waiters = new Set<() => void>();
  private channel: BroadcastChannel | null = null;
  /** Records and bytes stored, as far as this worker knows (exact after recount). */
  private estimate = { records: 0, bytes: 0 };
  private droppedSinceWarning = 0;
  private appendChain: Promise<unknown> = Promise.resolve();
  readonly counts: PipelineStats = {
    logged: 0, durable: 0, sent: 0, acknowledged: 0, dropped: {}, retries: 0, lastError: null, durableStorage: false, flushing: false,
  };

  async init(init: WorkerInit): Promise<{ version: number; durableStorage: boolean }> {
    if (init.version !== PROTOCOL_VERSION) {
      throw new Error(`isolog: the page speaks protocol ${init.version}, this worker ${PROTOCOL_VERSION}; serve the worker.js of the same isolog version`);
    }
    this.storage = init.storage;
    this.redact = init.redact;
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

  put(batch: string): Promise<void> {
    // the page only gathered the records: messages, JSON safety and masking happen here
    let records: WireRecord[];
    try {
      records = prepareBatch(JSON.parse(batch) as RawBatch, this.redact);
    } catch (err) {
      return Promise.reject(new Error(`isolog: a batch from the page could not be read: ${String(err)}`));
    }
    // appends run one after another, so caps and the drop warning see a consistent count
    const done = this.appendChain.then(() => this.append(records));
    this.appendChain = done.catch(() => undefined);
    return done;
  }

  private async append(records: WireRecord[]): Promise<void> {
    const queue = this.requireQueue();
    const bytes = batchBytes(records);
    await this.enforceCaps(records.length, bytes);
    if (this.droppedSinceWarning > 0) {
      const storage = this.storage as StorageConfig;
      records = [dropWarning(this.droppedSinceWarning, `the queue was full (caps: ${storage.maxRecords} records, ${storage.maxBytes} bytes)`), ...records];
      this.droppedSinceWarning = 0;
    }
    let key: BatchKey;
    try {
      key = await queue.append({ records, bytes });
    } catch (err) {
      // QuotaExceededError, or a connection that is closing: free room by dropping the oldest, then try once more
      await this.dropOldest(Math.max(1, Math.ceil(this.estimate.records / 10)), 'quota');
      this.counts.lastError = `storage: ${String(err)}`;
      const dropped = this.droppedSinceWarning;
      this.droppedSinceWarning = 0;
      key = await queue.append({ records: dropped > 0 ? [dropWarning(dropped, `storage was full (${String(err)})`), ...records] : records, bytes });
    }
    this.stored.set(keyId(key), key);
    this.estimate.records += records.length;
    this.estimate.bytes += bytes;
    this.counts.durable += records.length;
    this.flusher?.kick();
    this.channel?.postMessage('stored');
  }

  private requireQueue(): BatchQueue {
    if (!this.queue) throw new Error('isolog: the worker was used before init()');
    return this.queue;
  }

  private async enforceCaps(records: number, bytes: number): Promise<void> {
    const storage = this.storage as StorageConfig;
    if (this.estimate.records + records <= storage.maxRecords && this.estimate.bytes + bytes <= storage.maxBytes) return;
    // the estimate misses what other tabs' flushers removed: count again before dropping anything
    const totals = await this.requireQueue().totals();
    this.estimate = { records: totals.records, bytes: totals.bytes };
    while (this.estimate.records + records > storage.maxRecords || this.estimate.bytes + bytes > storage.maxBytes) {
      if ((await this.dropOldest(1, 'storage cap')) === 0) break;
    }
  }

  /** Drops the oldest `batches` batches; returns how many records went. */
  private async dropOldest(batches: number, reason: string): Promise<number> {
    const queue = this.requireQueue();
    const oldest = await queue.oldest(batches);
    if (oldest.length === 0) return 0;
    await queue.remove(oldest.map(([k]) => k));
    let records = 0;
    for (const [key, batch] of oldest) {
      for (const r of batch.records) {
        // a dropped warning hands its count on to the next one; it is not itself a lost record
        if (isDropWarning(r)) this.droppedSinceWarning += r.dropped as number;
        else records++;
      }
      this.estimate.records -= batch.records.length;
      this.estimate.bytes -= batch.bytes;
      this.stored.delete(keyId(key));
    }
    this.counts.dropped[reason] = (this.counts.dropped[reason] ?? 0) + records;
    this.droppedSinceWarning += records;
    return oldest.reduce((n, [, b]) => n + b.records.length, 0);
  }

  private onAcknowledged(keys: BatchKey[]): void {
    for (const k of keys) this.stored.delete(keyId(k));
    for (const wake of this.waiters) wake();
  }

  async flush(timeoutMs: number): Promise<void> {
    await this.appendChain;
    const queue = this.requireQueue();
    let waiting = [...this.stored.values()];
    const deadline = Date.now() + timeoutMs;
    this.flusher?.kick();
    while (waiting.length > 0) {
      // another tab may be the flusher: what it acknowledged is gone from the store
      waiting = await queue.remaining(waiting);
      for (const k of [...this.stored.values()]) if (!waiting.some((w) => keyId(w) === keyId(k))) this.stored.delete(keyId(k));
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
