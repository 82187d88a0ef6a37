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
      bursts(n: number, burst: number): Promise<{ longest: number; count: number }>;
    };
  }
}

// a worker that takes whatever is posted and drops it: the other libraries' baseline destination
const sinkWorker = new Worker(URL.createObjectURL(new Blob(['onmessage = () => {}'], { type: 'text/javascript' })));
let logging: BrowserLogging;
const cases: Record<string, (i: number) => void> = {};
const settles: Record<string, () => Promise<void>> = {};

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
    logging = await startBrowserLogging({ collector, workerUrl: '/worker.js', batchSize, send, storage: { maxRecords: 2_000_000, maxBytes: 1024 ** 3 } });
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
