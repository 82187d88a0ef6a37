// isolog/browser: the page side of the pipeline. startBrowserLogging loads the pipeline's code
// (pipeline/page/start.ts: the page's QueueHandler, its link to the worker, what the page sends
// itself) with import() as logging starts, so that a page's first load carries only this entry and
// the core; meanwhile the root logger's records wait in an early handler, and none is lost.
import { INFO } from '../core/level.js';
import { getLogger } from '../core/logger.js';
import { EarlyRecords } from '../pipeline/page/early-records.js';
import type { BrowserLogging, BrowserLoggingOptions } from '../pipeline/page/options.js';

export { FlushError, type BrowserLogging, type BrowserLoggingOptions } from '../pipeline/page/options.js';
export { startTrace, type Trace, type TraceOptions } from '../transport/traced-fetch.js';

/**
 * Ships every record of the page (through the root logger) to a worker that stores it in IndexedDB
 * and sends it to the collector. Resolves once the worker is ready.
 * @example const logging = await startBrowserLogging({ collector: 'http://127.0.0.1:4318/v1/logs', resource: { 'service.name': 'shop' } })
 */
export async function startBrowserLogging(options: BrowserLoggingOptions): Promise<BrowserLogging> {
  const root = getLogger();
  if (options.level !== null) root.setLevel(options.level ?? INFO);
  const early = new EarlyRecords();
  root.addHandler(early);
  try {
    const { startPipeline } = await import('../pipeline/page/start.js');
    return await startPipeline(options, early);
  } catch (err) {
    root.removeHandler(early);
    early.close();
    throw err;
  }
}
