// The page the trace tests drive: startBrowserLogging, then one user action as a trace whose records
// and fetch share its traceId.
import { extra, getLogger, setInternalErrorSink } from '../../../src/index.js';
import { startBrowserLogging, startTrace, type BrowserLogging, type BrowserLoggingOptions } from '../../../src/runtime/browser.js';

/** What one action did: its trace's ids and the status of the request it made. */
export interface ActionResult { traceId: string; spanId: string; status: number }

declare global {
  interface Window {
    isologTrace: {
      start(options: BrowserLoggingOptions, workerUrl?: string): Promise<void>;
      /**
       * One user action: records n 0-3 of `run` carry its trace (through trace.logger, with an Error,
       * and through trace.extra), then trace.fetch(url); record 4 is logged outside any trace.
       */
      action(run: string, url: string): Promise<ActionResult>;
      flush(ms?: number): Promise<string>;
      errors: string[];
    };
  }
}

let logging: BrowserLogging | undefined;
const errors: string[] = [];
setInternalErrorSink((text) => errors.push(text));

window.isologTrace = {
  errors,
  async start(options, workerUrl = '/worker.js') {
    logging = await startBrowserLogging({ workerUrl, ...options });
  },
  async action(run, url) {
    const trace = startTrace();
    const log = trace.logger('shop.checkout');
    // a call without a record (the page handler's handleCall), one with an Error (a full LogRecord)
    log.info('pay clicked in run %s', run, extra({ run, n: 0 }));
    log.error('card check failed', new Error('card declined'), extra({ run, n: 1 }));
    getLogger('shop.cart').info('cart sent', extra({ ...trace.fields, run, n: 2 }));
    const res = await trace.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-run': run }, body: JSON.stringify({ run }) });
    log.info('paid: HTTP %d', res.status, extra({ run, n: 3 }));
    getLogger('shop.cart').info('outside any trace', extra({ run, n: 4 }));
    return { traceId: trace.traceId, spanId: trace.spanId, status: res.status };
  },
  async flush(ms) {
    try {
      await logging?.flush(ms);
      return 'ok';
    } catch (err) {
      return String(err);
    }
  },
};
