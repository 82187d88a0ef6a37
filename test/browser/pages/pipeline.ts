// The page the pipeline tests drive: startBrowserLogging with the worker served at /worker.js.
import { extra, getLogger, kwargs, makeLogRecord, setInternalErrorSink } from '../../../src/index.js';
import { startBrowserLogging, type BrowserLogging, type BrowserLoggingOptions } from '../../../src/runtime/browser.js';

declare global {
  interface Window {
    isologTest: {
      start(options: BrowserLoggingOptions, own?: { workerUrl: string }): Promise<void>;
      /** start(), with records from..to of `run` logged right after the call, while it loads and starts. */
      startWhileLogging(options: BrowserLoggingOptions, run: string, from: number, to: number): Promise<void>;
      killWorker(): void;
      workersStarted: number;
      log(run: string, from: number, to: number, fields?: Record<string, unknown>): void;
      /** As log, each record with `pad` random letters (which no storage compresses away). */
      logPadded(run: string, from: number, to: number, pad: number): void;
      logValue(run: string, n: number, value: unknown): void;
      logArgs(msg: string, ...args: unknown[]): void;
      /** An ERROR record with `err` as its exc_info; and one that has only exception text (exc_text). */
      logException(run: string, n: number, err: unknown): void;
      logExcText(run: string, n: number, text: string): void;
      /** Every value stored in the worker's IndexedDB queue (the database whose name starts with `database-`), as text. */
      storedText(database?: string): Promise<string>;
      /** The names of the origin's IndexedDB databases. */
      databases(): Promise<string[]>;
      flush(ms?: number): Promise<string>;
      stats(): ReturnType<BrowserLogging['stats']>;
      stop(): Promise<void>;
      /** The root logger's level, and one to set before start(). */
      rootLevel(set?: number): number;
      /** How many handlers the root logger has. */
      rootHandlers(): number;
      errors: string[];
    };
  }
}

let logging: BrowserLogging | undefined;
let ownWorker: Worker | undefined;
const log = getLogger('test.pipeline');
const errors: string[] = [];
setInternalErrorSink((text) => errors.push(text));

window.isologTest = {
  errors,
  async start(options, own) {
    const createWorker = own
      ? () => { window.isologTest.workersStarted++; return (ownWorker = new Worker(own.workerUrl, { type: 'module' })); }
      : undefined;
    logging = await startBrowserLogging({ workerUrl: '/worker.js', createWorker, ...options });
  },
  async startWhileLogging(options, run, from, to) {
    const starting = startBrowserLogging({ workerUrl: '/worker.js', ...options });
    window.isologTest.log(run, from, to);
    logging = await starting;
  },
  killWorker() { ownWorker?.terminate(); },
  workersStarted: 0,
  log(run, from, to, fields = {}) {
    for (let n = from; n < to; n++) log.info('record %d of run %s', n, run, extra({ run, n, ...fields }));
  },
  logPadded(run, from, to, pad) {
    const letters = (): string => Array.from({ length: pad }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
    for (let n = from; n < to; n++) log.info('record %d of run %s', n, run, extra({ run, n, pad: letters() }));
  },
  logValue(run, n, value) {
    log.warning('value %d', n, extra({ run, n, value }));
  },
  logArgs(msg, ...args) {
    log.info(msg, ...args);
  },
  logException(run, n, err) {
    log.error('failed %d', n, kwargs({ exc_info: err, extra: { run, n } }));
  },
  logExcText(run, n, text) {
    log.handle(makeLogRecord({ name: log.name, levelno: 40, levelname: 'ERROR', msg: `failed ${n}`, exc_text: text, run, n }));
  },
  async databases() {
    return (await indexedDB.databases()).map((d) => String(d.name));
  },
  async storedText(base = 'isolog') {
    // one database per destination: the base name, then a hash of the destination
    const database = (await window.isologTest.databases()).find((name) => name.startsWith(`${base}-`));
    if (database === undefined) throw new Error(`no IndexedDB database ${base}-…`);
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(database);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      const all = db.transaction('batches').objectStore('batches').getAll();
      return await new Promise<string>((resolve, reject) => {
        all.onsuccess = () => resolve(JSON.stringify(all.result));
        all.onerror = () => reject(all.error);
      });
    } finally {
      db.close();
    }
  },
  async flush(ms = 20_000) {
    try {
      await logging?.flush(ms);
      return 'ok';
    } catch (err) {
      return String(err);
    }
  },
  stats: () => (logging as BrowserLogging).stats(),
  stop: () => (logging as BrowserLogging).stop(),
  rootHandlers: () => getLogger().handlers.length,
  rootLevel(set) {
    if (set !== undefined) getLogger().setLevel(set);
    return getLogger().getEffectiveLevel();
  },
};
