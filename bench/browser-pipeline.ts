// Browser pipeline benchmarks, run in Chromium by scripts/bench-browser.mjs. Each case logs records on
// the main thread and ships them to a worker; the script reads the main thread's CPU time around it.
import { configure as configureLogTape, getLogger as getLogTape } from '@logtape/logtape';
import { LoggerProvider, BatchLogRecordProcessor, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import pino from 'pino';
import { extra, getLogger, INFO } from '../src/index.js';
import { startBrowserLogging, type BrowserLogging } from '../src/runtime/browser.js';

declare global {
  interface Window {
    bench: {
      setup(collector: string): Promise<void>;
      run(name: string, n: number): Promise<{ loop: number; posted: number }>;
      settle(name: string): Promise<void>;
      persisted(n: number): Promise<{ seconds: number; acknowledgedSeconds: number }>;
      stored(name: 'isolog' | 'baseline' | 'baselineIndexedDb', n: number, burst: number): Promise<number>;
      bursts(n: number, burst: number): Promise<{ longest: number; count: number }>;
    };
  }
}

// a worker that takes whatever is posted and drops it: the other libraries' baseline destination
const sinkWorker = new Worker(URL.createObjectURL(new Blob(['onmessage = () => {}'], { type: 'text/javascript' })));
// the baseline's destinations for the time until a worker has the records: one that counts what it
// received, and one that also writes each post to IndexedDB in a transaction of its own; each
// answers with the records it has so far
const countingWorker = (store: boolean) => new Worker(URL.createObjectURL(new Blob([store ? `
  const open = indexedDB.open('bench-baseline', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('batches', { autoIncrement: true });
  const db = new Promise((resolve) => { open.onsuccess = () => resolve(open.result); });
  let stored = 0;
  onmessage = async (e) => {
    const tx = (await db).transaction('batches', 'readwrite');
    tx.objectStore('batches').put(e.data);
    tx.oncomplete = () => postMessage(stored += e.data.length);
  };
` : 'let received = 0; onmessage = (e) => postMessage(received += e.data.length);'], { type: 'text/javascript' })));
const baselineWorkers = { baseline: countingWorker(false), baselineIndexedDb: countingWorker(true) };
const baselineHas = { baseline: 0, baselineIndexedDb: 0 };
let onBaselineHas: (() => void) | null = null;
for (const [name, worker] of Object.entries(baselineWorkers)) {
  worker.onmessage = (e: MessageEvent<number>) => { baselineHas[name as keyof typeof baselineHas] = e.data; onBaselineHas?.(); };
}
let logging: BrowserLogging;
const cases: Record<string, (i: number) => void> = {};
const settles: Record<string, () => Promise<void>> = {};

/** Records the flusher has to send when the measured ones start: two full requests (10,000 each, the default). */
const BACKLOG = Number(new URLSearchParams(location.search).get('backlog') ?? 20_000);

// the end of a task without setTimeout's 4 ms clamp on nested timers, which would time the clamp
const yieldChannel = new MessageChannel();
const nextTask = () => new Promise<void>((resolve) => { yieldChannel.port2.onmessage = () => resolve(); yieldChannel.port1.postMessage(null); });

function bufferAndPost<T>(size = 100): [(item: T) => void, () => void] {
  let buffer: T[] = [];
  const post = () => { if (buffer.length) { sinkWorker.postMessage(buffer); buffer = []; } };
  return [(item) => { buffer.push(item); if (buffer.length >= size) post(); }, post];
}

window.bench = {
  async setup(collector) {
    getLogger().setLevel(INFO);
    // ?batch=N (ISOLOG_BATCH=N) tries another batch size, ?send=N (ISOLOG_SEND=N) another number of records per request
    const params = new URLSearchParams(location.search);
    const batchSize = Number(params.get('batch')) || undefined;
    const send = { maxRecords: Number(params.get('send')) || undefined };
    // ?context=1 (ISOLOG_CONTEXT=1, with ISOLOG_CASES=isolog): the same calls with errorContext on, so
    // that the worker keeps the INFO records in its ring: the ring's cost on the main thread
    const errorContext = params.get('context') ? { capacity: 1000 } : undefined;
    logging = await startBrowserLogging({ collector, workerUrl: '/worker.js', batchSize, send, errorContext, storage: { maxRecords: 2_000_000, maxBytes: 1024 ** 3 } });
    const log = getLogger('bench.app');
    cases.isolog = (i) => log.info('request %d handled', i, extra({ route: '/api' }));
    settles.isolog = async () => { await logging.flush(120_000); };
    cases.plain = (i) => log.info('request %d handled', i);
    settles.plain = settles.isolog;
    cases.noargs = () => log.info('request handled');
    settles.noargs = settles.isolog;
    const off = getLogger('bench.off');
    cases.disabled = (i) => off.debug('request %d handled', i);
    settles.disabled = async () => {};

    const [pushBaseline, postBaseline] = bufferAndPost<{ level: number; msg: string; time: number; route: string }>();
    cases.baseline = (i) => pushBaseline({ level: 20, msg: `request ${i} handled`, time: Date.now(), route: '/api' });
    settles.baseline = async () => postBaseline();

    const [pushPino, postPino] = bufferAndPost<unknown>();
    const p = pino({ level: 'info', browser: { asObject: true, write: () => {}, transmit: { level: 'info', send: (_level, event) => pushPino(event) } } });
    cases.pino = (i) => p.info({ route: '/api' }, 'request %d handled', i);
    settles.pino = async () => postPino();

    const [pushLogTape, postLogTape] = bufferAndPost<unknown>();
    await configureLogTape({
      reset: true,
      sinks: { post: (record) => pushLogTape({ ...record, message: [...record.message], rawMessage: String(record.rawMessage) }) },
      loggers: [{ category: ['bench'], lowestLevel: 'info', sinks: ['post'] }, { category: ['logtape', 'meta'], lowestLevel: 'error', sinks: [] }],
    });
    const lt = getLogTape(['bench']);
    cases.logtape = (i) => lt.info('request {i} handled', { i, route: '/api' });
    settles.logtape = async () => postLogTape();

    const [pushOtel, postOtel] = bufferAndPost<unknown>(512);
    const exporter: LogRecordExporter = {
      export(records: ReadableLogRecord[], done) {
        for (const r of records) pushOtel({ body: r.body, severityNumber: r.severityNumber, attributes: r.attributes, hrTime: r.hrTime });
        postOtel();
        done({ code: 0 });
      },
      shutdown: async () => {},
      forceFlush: async () => {},
    };
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512, scheduledDelayMillis: 1000, maxQueueSize: 1_000_000 })] });
    const otel = provider.getLogger('bench');
    cases.otel = (i) => otel.emit({ severityNumber: 9, severityText: 'INFO', body: `request ${i} handled`, attributes: { route: '/api' } });
    settles.otel = async () => { await provider.forceFlush(); };
  },

  async run(name, n) {
    const body = cases[name];
    const start = performance.now();
    for (let i = 0; i < n; i++) body(i);
    const loop = performance.now();
    // a microtask queued now runs after the ones the loop queued: isolog encodes and posts in those
    await null;
    const posted = performance.now();
    return { loop: ((loop - start) * 1e6) / n, posted: ((posted - start) * 1e6) / n };
  },

  async settle(name) {
    await settles[name]();
    await new Promise((r) => setTimeout(r, 50));
  },

  async persisted(n) {
    const before = await logging.stats();
    const start = performance.now();
    const log = getLogger('bench.persist');
    for (let i = 0; i < n; i += 1000) {
      for (let j = i; j < i + 1000 && j < n; j++) log.info('persisted %d', j);
      await new Promise((r) => setTimeout(r, 0));
    }
    while ((await logging.stats()).durable - before.durable < n) await new Promise((r) => setTimeout(r, 5));
    const seconds = (performance.now() - start) / 1000;
    await logging.flush(300_000);
    return { seconds, acknowledgedSeconds: (performance.now() - start) / 1000 };
  },

  /**
   * For bursts of `burst` records (one task each, `n` records in all): microseconds from a burst's
   * first call until the worker has all of it, the mean over the bursts. isolog's worker has them
   * once they are durable in IndexedDB, while its flusher sends a backlog and the bursts before; the
   * hand-built buffer + post per 100 once its worker received them (`baseline`), or wrote each post
   * to IndexedDB (`baselineIndexedDb`).
   */
  async stored(name, n, burst) {
    const route = '/api';
    const latencies: number[] = [];
    if (name === 'isolog') {
      const log = getLogger('bench.stored');
      // first a backlog for the flusher, stored, then read and sent while the measured bursts come
      const before = (await logging.stats()).durable;
      for (let j = 0; j < BACKLOG; j++) log.info('request %d handled', j, extra({ route }));
      while ((await logging.stats()).durable < before + BACKLOG) await nextTask();
      for (let i = 0; i < n; i += burst) {
        const target = (await logging.stats()).durable + burst;
        const start = performance.now();
        for (let j = i; j < i + burst; j++) log.info('request %d handled', j, extra({ route }));
        while ((await logging.stats()).durable < target) await nextTask();
        latencies.push(performance.now() - start);
      }
    } else {
      const worker = baselineWorkers[name];
      let buffer: unknown[] = [];
      for (let i = 0; i < n; i += burst) {
        const target = baselineHas[name] + burst;
        const start = performance.now();
        for (let j = i; j < i + burst; j++) {
          buffer.push({ level: 20, msg: `request ${j} handled`, time: Date.now(), route });
          if (buffer.length >= 100) { worker.postMessage(buffer); buffer = []; }
        }
        if (buffer.length) { worker.postMessage(buffer); buffer = []; }
        while (baselineHas[name] < target) await new Promise<void>((r) => { onBaselineHas = r; });
        onBaselineHas = null;
        latencies.push(performance.now() - start);
      }
    }
    // the mean, not the median: the bursts that wait behind the flusher are the point
    return (latencies.reduce((a, b) => a + b, 0) / latencies.length) * 1000;
  },

  async bursts(n, burst) {
    const long: number[] = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) long.push(e.duration); });
    observer.observe({ type: 'longtask', buffered: false });
    const log = getLogger('bench.bursts');
    for (let i = 0; i < n; i += burst) {
      for (let j = i; j < i + burst; j++) log.info('burst record %d', j, extra({ j }));
      await new Promise((r) => setTimeout(r, 0));
    }
    await logging.flush(300_000);
    await new Promise((r) => setTimeout(r, 100));
    observer.disconnect();
    return { longest: long.length ? Math.max(...long) : 0, count: long.length };
  },
};
