// The page the remote-levels and sampling tests drive: startBrowserLogging with their options, loggers to read and log on.
import { getLogger, SamplingFilter, setInternalErrorSink, startTrace, type SamplingOptions } from '../../../src/index.js';
import { startBrowserLogging, type BrowserLogging, type BrowserLoggingOptions } from '../../../src/runtime/browser.js';

declare global {
  interface Window {
    levelsTest: {
      start(options: BrowserLoggingOptions): Promise<void>;
      /** start() with a SamplingFilter of these options (an instance cannot cross page.evaluate). */
      startSampled(options: BrowserLoggingOptions, sampling: SamplingOptions): Promise<void>;
      /** A logger's own level (0: not set). */
      levelOf(name: string): number;
      log(name: string, level: number, msg: string): void;
      /** `traces` user actions, each logging `per` records on `name` through its trace's logger; their trace ids. */
      logTraced(name: string, traces: number, per: number): string[];
      flush(): Promise<void>;
      stop(): Promise<void>;
      errors: string[];
    };
  }
}

let logging: BrowserLogging | undefined;
const errors: string[] = [];
setInternalErrorSink((text) => errors.push(text));

window.levelsTest = {
  errors,
  async start(options) {
    logging = await startBrowserLogging({ workerUrl: '/worker.js', ...options });
  },
  async startSampled(options, sampling) {
    logging = await startBrowserLogging({ workerUrl: '/worker.js', ...options, sampling: new SamplingFilter(sampling) });
  },
  levelOf: (name) => (name === 'root' ? getLogger() : getLogger(name)).level,
  log: (name, level, msg) => getLogger(name).log(level, msg),
  logTraced(name, traces, per) {
    const ids: string[] = [];
    for (let t = 0; t < traces; t++) {
      const trace = startTrace();
      ids.push(trace.traceId);
      for (let i = 0; i < per; i++) trace.logger(name).info('step %d of trace %d', i, t);
    }
    return ids;
  },
  flush: async () => { await logging?.flush(); },
  stop: async () => { await logging?.stop(); },
};
