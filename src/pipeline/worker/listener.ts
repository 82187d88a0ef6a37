// The worker side of the pipeline (Python's QueueListener): takes batches from the page, makes them
// durable in IndexedDB, then acknowledges them; the flusher ships them to the collector.
import { backoffMs } from '../../transport/delivery.js';
import { partialSuccessOf, postOtlp } from '../../transport/http.js';
import { openQueue, type BatchKey, type BatchQueue, type StoredBatch } from './durable-queue.js';
import { createStore, delMany, promisifyRequest, setMany } from 'idb-keyval';
import { JSON_TEXT } from '../../core/json-repr.js';
import { decodeBatch } from '../batch-decoder.js';
import type { ContextRing } from './context-ring.js';
import { Flusher } from './flusher.js';
import { backgroundTask } from './background-task.js';
import { PROTOCOL_VERSION, type FlushResult, type ListenerApi, type PipelineStats, type StorageConfig, type WorkerInit } from '../protocol.js';
import type { PlainRecord } from '../../core/fields.js';

const keyId = (k: BatchKey): string => k.join(':');

/** The bytes a WARNING batch is taken to need. */
const WARNING_BYTES = 256;

/** A transaction refused for lack of room: the browser's quota for the origin, or the disk. */
function isQuotaError(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'QuotaExceededError';
}

/**
 * The WARNING that reports a loss, with its counts by reason (`droppedBy`), so that a later warning
 * carries them on if this one is dropped too. `why` says each reason in words.
 */
function dropWarning(droppedBy: Record<string, number>, why: Record<string, string>): PlainRecord {
  const now = Date.now();
  const reasons = Object.keys(droppedBy);
  const dropped = reasons.reduce((n, r) => n + droppedBy[r], 0);
  const text = `isolog dropped ${dropped} records: ${reasons.map((r) => why[r] + (reasons.length > 1 ? `: ${droppedBy[r]}` : '')).join('; ')}`;
  return {
    name: 'isolog', msg: text, message: text, levelno: 30, levelname: 'WARNING', created: now / 1000,
    uid: `isolog-${now.toString(36)}-${Math.random().toString(36).slice(2, 10)}`, exc_text: null, stack_info: null,
    dropped, droppedBy: { ...droppedBy },
  };
}

function isDropWarning(r: PlainRecord): boolean {
  return r.name === 'isolog' && typeof r.dropped === 'number';
}

/**
 * The modules a listener loads only for the pages that need them, as each entry can load them:
 * the dedicated worker with import() (chunks beside worker.js), the Service Worker, where import()
 * is not allowed, with modules it imported itself.
 */
export interface ListenerParts {
  /** The WebSocket transport (transport/websocket.ts). */
  webSocket(): Promise<typeof import('../../transport/websocket.js')>;
  /** The error context's ring (context-ring.ts); none: this listener refuses errorContext. */
  ring?(): Promise<typeof import('./context-ring.js')>;
}

/** Implements what the page calls (protocol.ts; pipeline/worker/serve.ts in a worker). */
export class Listener<F extends Flusher = Flusher> implements ListenerApi {
  private queue: BatchQueue | null = null;
  private storage: StorageConfig | null = null;
  private closeTransport: (() => void) | null = null;
  /** Batches this listener stored and not yet seen acknowledged, with their record counts. */
  private readonly stored = new Map<string, { key: BatchKey; count: number }>();
  private readonly waiters = new Set<() => void>();
  private channel: BroadcastChannel | null = null;
  /** Records and bytes stored, as far as this worker knows (exact after recount). */
  private estimate = { records: 0, bytes: 0 };
  /** Records dropped and not yet said in a stored WARNING, by reason; and each reason in words. */
  private readonly unreported: Record<string, number> = {};
  private readonly why: Record<string, string> = {};
  /** counts.dropped as the last flush() told it. */
  private told: Record<string, number> = {};
  /** The page's internal error channel. */
  private report: (text: string) => void = () => undefined;
  private readonly waiting: { batch: StoredBatch; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private writing = false;
  /**
   * Settles once the last put received is answered (stored, dropped at the caps, or refused): puts
   * are answered in the order they came (writeWaiting; the caps drop the oldest), so every put
   * received before is answered then too, and those received later may still wait.
   */
  private lastPut: Promise<unknown> = Promise.resolve();
  readonly counts: PipelineStats = {
    logged: 0, durable: 0, sent: 0, acknowledged: 0, dropped: {}, retries: 0, lastError: null, durableStorage: false, flushing: false,
  };

  /** The page's error context, when it keeps one: quiet records wait there, not in the queue. */
  private ring: ContextRing | null = null;
  /** The ring's batches, one at a time (each routed, stored, then given to the ring). */
  private ringTurn: Promise<void> = Promise.resolve();

  /** The flusher, once init() has run; of the class given to the constructor. */
  flusher: F | null = null;

  /**
   * `FlusherClass`: the flusher to run; by default one that loops for as long as the worker lives.
   * A Service Worker gives its own, which flushes in passes inside its events (service-worker/pass-flusher.ts).
   */
  constructor(private readonly FlusherClass: new (...args: ConstructorParameters<typeof Flusher>) => F = Flusher as never,
    private readonly parts: ListenerParts) {}

  async init(init: WorkerInit, report?: (text: string) => void): Promise<{ version: number; durableStorage: boolean }> {
    if (init.version !== PROTOCOL_VERSION) {
      throw new Error(`isolog: the page speaks protocol ${init.version}, this worker ${PROTOCOL_VERSION}; serve the worker.js of the same isolog version`);
    }
    // a report may return a promise, which fails once the page is gone: nothing to do then
    if (report) this.report = (text) => { void Promise.resolve(report(text)).catch(() => undefined); };
    this.storage = init.storage;
    const { queue, problem } = await openQueue(init.storage.database);
    this.queue = queue;
    this.counts.durableStorage = queue.durable;
    if (problem) this.counts.lastError = problem;
    const totals = await queue.totals();
    this.estimate = { records: totals.records, bytes: totals.bytes };
    if (init.context) {
      if (!this.parts.ring) throw new Error("isolog: errorContext needs listener: 'worker'");
      const { ContextRing } = await this.parts.ring();
      this.ring = await ContextRing.open(init.storage.database, init.context, String(init.resource['session.id'] ?? 'page'), queue.durable,
        { decode: (raw) => decodeBatch(raw, JSON_TEXT), createStore, setMany, delMany, promisifyRequest });
      this.counts.context = this.ring.stats;
    }
    const t = init.transport;
    let send;
    if (t.transport === 'websocket') {
      const { WebSocketSender } = await this.parts.webSocket();
      const ws = new WebSocketSender(t.collector, t.token, { backoffMs, partialSuccessOf });
      send = (body: string) => ws.send(body);
      this.closeTransport = () => ws.close();
    } else {
      // its gzip in slices too, between which the puts go first
      send = (body: string) => postOtlp(t.collector, body, { token: t.token, pace: this.putsFirst });
    }
    this.flusher = new this.FlusherClass(queue, send, t, init.resource, this.counts, {
      acknowledged: (keys) => this.onAcknowledged(keys),
      problem: (text) => { this.counts.lastError = text; this.report(text); },
    }, `isolog-flusher:${init.storage.database}`, this.putsFirst);
    if (typeof BroadcastChannel !== 'undefined') {
      // another tab's worker stored a batch: wake this one if it is the flusher
      this.channel = new BroadcastChannel(`isolog:${init.storage.database}`);
      this.channel.onmessage = () => this.flusher?.kick();
    }
    this.flusher.start();
    return { version: PROTOCOL_VERSION, durableStorage: queue.durable };
  }

  /**
   * What the flusher awaits between the slices of its work (reading, encoding, gzip): a later task,
   * behind the messages already queued, then until every put received so far is answered. Storing
   * never waits behind sending: a put waits at most one slice. The puts that come meanwhile do not
   * hold the flusher up further, so a page that never stops logging does not starve it.
   */
  readonly putsFirst = async (): Promise<void> => {
    await backgroundTask();
    await this.lastPut;
  };

  put(batch: string, count: number): Promise<void> {
    if (this.ring) return this.putThroughRing(this.ring, batch);
    // stored as it came (masked on the page), in one write, so a closing tab loses as little as
    // possible; it is read and formatted when the flusher sends it
    return this.store({ raw: batch, count, bytes: batch.length });
  }

  private store(batch: StoredBatch): Promise<void> {
    const put = new Promise<void>((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      void this.writeWaiting();
    });
    this.lastPut = put.catch(() => undefined);
    return put;
  }

  /** With an error context: the ring decides what of the batch is stored now; durable either way once this resolves. */
  private putThroughRing(ring: ContextRing, raw: string): Promise<void> {
    const turn = this.ringTurn.then(async () => {
      const routed = await ring.route(raw);
      await Promise.all(routed.batches.map((b) => this.store(b)));
      await ring.stored(routed);
    });
    this.ringTurn = turn.catch(() => undefined);
    // the flusher's slices wait for the ring's turn too
    this.lastPut = this.ringTurn;
    return turn;
  }

  /**
   * One transaction at a time; the batches that arrive meanwhile go together in the next one. Over
   * the quota they go one by one, each making room for itself.
   */
  private async writeWaiting(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    // nothing in the loop throws: each group's failure is its puts' rejection
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0);
      try {
        // a batch the caps dropped is answered as handled: it is counted and reported
        const kept = new Set(await this.enforceCaps(group.map((g) => g.batch)));
        const storing = group.filter((g) => kept.has(g.batch));
        for (const g of group) if (!kept.has(g.batch)) g.resolve();
        try {
          await this.append(storing.map((g) => g.batch));
          for (const g of storing) g.resolve();
        } catch (err) {
          if (!isQuotaError(err)) throw err;
          for (const g of storing) await this.appendMakingRoom(g.batch).then(g.resolve, g.reject);
        }
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    this.writing = false;
  }

  /** Stores batches in one transaction, after the WARNING that tells the drops not yet told. */
  private async append(batches: StoredBatch[]): Promise<void> {
    const { unreported } = this;
    const warning = Object.keys(unreported).length > 0 ? dropWarning(unreported, this.why) : null;
    const all = warning ? [{ records: [warning], count: 1, bytes: WARNING_BYTES }, ...batches] : batches;
    const keys = await this.requireQueue().append(...all);
    // the loss counts as told only once its WARNING is stored: until then every write carries it
    for (const [reason, n] of Object.entries((warning?.droppedBy ?? {}) as Record<string, number>)) {
      if ((unreported[reason] -= n) <= 0) delete unreported[reason];
    }
    all.forEach((b, i) => this.remember(keys[i], b));
  }

  /**
   * Over the quota: the oldest stored batches go, as many bytes as this one needs (twice as many at
   * each further try), until it fits. A batch that does not fit an empty queue is refused: the page
   * keeps it, offers it again and at last sends it itself.
   */
  private async appendMakingRoom(batch: StoredBatch): Promise<void> {
    for (let room = batch.bytes + WARNING_BYTES; ; room *= 2) {
      try {
        return await this.append([batch]);
      } catch (err) {
        this.counts.lastError = `storage: ${String(err)}`;
        if (!isQuotaError(err) || (await this.dropOldest('quota', `storage was full (${String(err)})`, room)) === 0) throw err;
      }
    }
  }

  private remember(key: BatchKey, batch: StoredBatch): void {
    this.stored.set(keyId(key), { key, count: batch.count });
    this.estimate.records += batch.count;
    this.estimate.bytes += batch.bytes;
    // records the worker made count, but not its own drop warnings
    this.counts.durable += batch.records ? batch.records.filter((r) => !isDropWarning(r)).length : batch.count;
    this.flusher?.kick();
    this.channel?.postMessage('stored');
  }

  private requireQueue(): BatchQueue {
    if (!this.queue) throw new Error('isolog: the worker was used before init()');
    return this.queue;
  }

  /** Counts a loss: in stats, for the next WARNING and the next flush; the page hears of each reason once. */
  private lost(reason: string, records: number, why: string): void {
    this.why[reason] = why;
    if (records === 0) return;
    if (!(reason in this.counts.dropped)) this.report(`isolog: ${why}; the oldest records are dropped, counted in stats().dropped and told in a WARNING record`);
    this.counts.dropped[reason] = (this.counts.dropped[reason] ?? 0) + records;
    this.unreported[reason] = (this.unreported[reason] ?? 0) + records;
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
    const why = `the queue was full (caps: ${storage.maxRecords} records, ${storage.maxBytes} bytes)`;
    // the estimate misses what other tabs' flushers removed: count again before dropping anything
    const totals = await this.requireQueue().totals();
    this.estimate = { records: totals.records, bytes: totals.bytes };
    batches = [...batches];
    while (over(batches)) {
      if ((await this.dropOldest('storage cap', why)) > 0) continue;
      if (batches.length <= 1) break;
      this.lost('storage cap', (batches.shift() as StoredBatch).count, why);
    }
    return batches;
  }

  /**
   * Drops the oldest stored batches, `bytes` of them at least (one batch for 0), but none that the
   * flusher is sending; returns how many batches went. A dropped WARNING hands its counts on to the
   * next: it is not itself a lost record.
   */
  private async dropOldest(reason: string, why: string, bytes = 0): Promise<number> {
    const queue = this.requireQueue();
    // not those this worker's flusher is sending: they may arrive, and would be counted as both
    const sending = (key: BatchKey) => this.flusher?.sending.some((k) => keyId(k) === keyId(key));
    // looked at again once read: the flusher may have sent a request meanwhile (one it is still
    // preparing, it reads again)
    const oldest = (await queue.covering(bytes, sending)).filter(([k]) => !sending(k));
    if (oldest.length === 0) return 0;
    // one of the request the flusher prepares: it reads again
    if (this.flusher?.preparing.some((k) => oldest.some(([d]) => keyId(d) === keyId(k)))) this.flusher.preparing = [];
    await queue.remove(oldest.map(([k]) => k));
    let records = 0;
    for (const [key, batch] of oldest) {
      for (const r of batch.records ?? []) {
        if (!isDropWarning(r)) { records++; continue; }
        const by = (r.droppedBy ?? { [reason]: r.dropped }) as Record<string, number>;
        for (const [was, n] of Object.entries(by)) {
          this.unreported[was] = (this.unreported[was] ?? 0) + n;
          this.why[was] ??= was;
        }
      }
      if (!batch.records) records += batch.count;
      this.estimate.records -= batch.count;
      this.estimate.bytes -= batch.bytes;
      this.stored.delete(keyId(key));
    }
    this.lost(reason, records, why);
    return oldest.length;
  }

  private onAcknowledged(keys: BatchKey[]): void {
    for (const k of keys) this.stored.delete(keyId(k));
    for (const wake of this.waiters) wake();
  }

  async flush(timeoutMs: number): Promise<FlushResult> {
    const deadline = Date.now() + timeoutMs;
    await this.lastPut;
    const queue = this.requireQueue();
    let waiting = [...this.stored.values()];
    this.flusher?.kick();
    while (waiting.length > 0) {
      // another tab may be the flusher: what it acknowledged is gone from the store
      const still = new Set((await queue.remaining(waiting.map((w) => w.key))).map(keyId));
      for (const w of waiting) if (!still.has(keyId(w.key))) this.stored.delete(keyId(w.key));
      waiting = waiting.filter((w) => still.has(keyId(w.key)));
      const left = deadline - Date.now();
      if (waiting.length === 0 || left <= 0) break;
      await new Promise<void>((resolve) => {
        const wake = () => { this.waiters.delete(wake); clearTimeout(timer); resolve(); };
        const timer = setTimeout(wake, Math.min(left, 200));
        this.waiters.add(wake);
      });
    }
    // each drop is told by one flush: the next to end after it
    const dropped: Record<string, number> = {};
    for (const [reason, n] of Object.entries(this.counts.dropped)) if (n > (this.told[reason] ?? 0)) dropped[reason] = n - (this.told[reason] ?? 0);
    this.told = { ...this.counts.dropped };
    return { notDelivered: waiting.reduce((n, w) => n + w.count, 0), dropped, lastError: this.counts.lastError };
  }

  async stats(): Promise<PipelineStats> {
    return { ...this.counts, dropped: { ...this.counts.dropped }, ...(this.ring ? { context: { ...this.ring.stats } } : {}) };
  }

  async stop(): Promise<void> {
    await this.flusher?.stop();
    this.closeTransport?.();
    this.channel?.close();
  }
}
