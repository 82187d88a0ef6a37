// The demo page: records go to DevTools through ConsoleHandler and, through isolog/browser's worker
// (IndexedDB, then OTLP), to the collector.
import { ConsoleHandler, extra, Formatter, getLogger, INFO } from '../src/index.js';
import { startBrowserLogging } from '../src/runtime/browser.js';

declare const __COLLECTOR__: string;

const root = getLogger();
const toConsole = new ConsoleHandler();
toConsole.setFormatter(new Formatter('%(asctime)s %(name)-10s %(levelname)-8s %(message)s', '%H:%M:%S'));
root.addHandler(toConsole);
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

await startBrowserLogging({ collector: __COLLECTOR__, workerUrl: '/worker.js', resource: { 'service.name': 'isolog-demo' } });
log.info('demo loaded');
