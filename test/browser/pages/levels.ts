// The page the remote-levels tests drive: startBrowserLogging with remoteLevels, loggers to read and log on.
import { getLogger, setInternalErrorSink } from '../../../src/index.js';
import { startBrowserLogging, type BrowserLogging, type BrowserLoggingOptions } from '../../../src/runtime/browser.js';

declare global {
  interface Window {
    levelsTest: {
      start(options: BrowserLoggingOptions): Promise<void>;
      /** A logger's own level (0: not set). */
      levelOf(name: string): number;
      log(name: string, level: number, msg: string): void;
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
  levelOf: (name) => (name === 'root' ? getLogger() : getLogger(name)).level,
  log: (name, level, msg) => getLogger(name).log(level, msg),
  flush: async () => { await logging?.flush(); },
  stop: async () => { await logging?.stop(); },
};
