// The page the pipeline tests drive: startBrowserLogging with the worker served at /worker.js.
import { extra, getLogger, INFO } from '../../../src/index.js';
import { startBrowserLogging, type BrowserLogging, type BrowserLoggingOptions } from '../../../src/runtime/browser.js';

declare global {
  interface Window {
    isologTest: {
      start(options: BrowserLoggingOptions): Promise<void>;
      log(run: string, from: number, to: number, fields?: Record<string, unknown>): void;
      logValue(run: string, n: number, value: unknown): void;
      flush(ms?: number): Promise<string>;
      stats(): ReturnType<BrowserLogging['stats']>;
      stop(): Promise<void>;
      errors: string[];
    };
  }
}

let logging: BrowserLogging | undefined;
const log = getLogger('test.pipeline');
const errors: string[] = [];

window.isologTest = {
  errors,
  async start(options) {
    getLogger().setLevel(INFO);
    logging = await startBrowserLogging({ workerUrl: '/worker.js', ...options });
  },
  log(run, from, to, fields = {}) {
    for (let n = from; n < to; n++) log.info('record %d of run %s', n, run, extra({ run, n, ...fields }));
  },
  logValue(run, n, value) {
    log.warning('value %d', n, extra({ run, n, value }));
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
};
