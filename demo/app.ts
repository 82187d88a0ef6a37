// The demo page: isolog's core in the browser. Records go to DevTools through ConsoleHandler and, in
// OTLP JSON, to the collector. (Until isolog/browser's worker pipeline lands, a small handler here
// posts each microtask's records itself.)
import { ConsoleHandler, extra, Formatter, getLogger, Handler, INFO, QueueHandler, type LogRecord, type PreparedRecord } from '../src/index.js';
import { encodeRecords } from '../src/transport/otlp.js';

declare const __COLLECTOR__: string;

/** Batches the records of one microtask and POSTs them to the collector. */
class CollectorPost extends Handler {
  private batch: PreparedRecord[] = [];
  private readonly prepare = new QueueHandler({ put() {}, get: () => new Promise(() => {}) });

  emit(record: LogRecord): void {
    if (this.batch.length === 0) queueMicrotask(() => this.send());
    this.batch.push(this.prepare.prepare(record));
  }

  private send(): void {
    const body = JSON.stringify(encodeRecords(this.batch, { 'service.name': 'isolog-demo' }));
    this.batch = [];
    fetch(__COLLECTOR__, { method: 'POST', headers: { 'content-type': 'application/json' }, body, keepalive: true })
      .catch((err: unknown) => console.warn('collector unreachable:', err));
  }
}

const root = getLogger();
const toConsole = new ConsoleHandler();
toConsole.setFormatter(new Formatter('%(asctime)s %(name)-10s %(levelname)-8s %(message)s', '%H:%M:%S'));
root.addHandler(toConsole);
root.addHandler(new CollectorPost());
root.setLevel(INFO);

const log = getLogger('demo.ui');
const out = document.querySelector('#out') as HTMLElement;
let clicks = 0;

document.querySelector('#log')?.addEventListener('click', () => {
  clicks++;
  log.info('button clicked %d time%s', clicks, clicks === 1 ? '' : 's', extra({ clicks }));
  out.textContent = `Logged ${clicks} record(s); see DevTools and the collector's live view.`;
});
document.querySelector('#fail')?.addEventListener('click', () => {
  log.error('checkout failed', new Error('card declined', { cause: new Error('HTTP 402') }));
});
log.info('demo loaded');
