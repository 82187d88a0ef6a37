// The root's handler while the pipeline's chunk (page/start.ts) loads: it keeps each record as the
// logger made it (its time, seq and arguments), and hands them over, in order, to the page's
// QueueHandler once that is there. Nothing logged after startBrowserLogging is called is lost to
// the chunk not being loaded yet.
import { Handler } from '../../core/handler.js';
import type { LogRecord } from '../../core/record.js';

/**
 * Keeps records until `handOver(handler)`; then, and from then on, they go to that handler.
 * @example const early = new EarlyRecords(); getLogger().addHandler(early); … early.handOver(pageHandler)
 */
export class EarlyRecords extends Handler {
  private kept: LogRecord[] | null = [];
  private next: Handler | null = null;

  emit(record: LogRecord): void {
    if (this.kept) this.kept.push(record);
    else this.next?.handle(record);
  }

  /** Gives `handler` the records kept so far, oldest first, and every later one; closes this handler. */
  handOver(handler: Handler): void {
    const kept = this.kept ?? [];
    this.kept = null;
    this.next = handler;
    for (const record of kept) {
      try {
        handler.handle(record);
      } catch (err) {
        handler.handleError(record, err);
      }
    }
    this.close();
  }
}
