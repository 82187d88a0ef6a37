// The demo page, an installable offline app (manifest, Service Worker in sw.ts): records go to
// DevTools through ConsoleHandler and, through isolog/browser's listener (the Service Worker once it
// controls the page, else a dedicated worker; IndexedDB, then OTLP), to the collector.
import { ConsoleHandler, extra, Formatter, getLogger, INFO } from '../src/index.js';
import { startBrowserLogging, startTrace } from '../src/runtime/browser.js';

declare const __COLLECTOR__: string;
declare const __WORKER__: string;
declare const __LIVE_VIEW__: string;

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

// one user action, one trace: the page's records and the Worker's for the request it makes
document.querySelector('#pay')?.addEventListener('click', async () => {
  const trace = startTrace();
  const checkout = trace.logger('demo.checkout');
  checkout.info('pay clicked');
  try {
    const res = await trace.fetch(`${__WORKER__}api/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ order: `A-${1000 + clicks}` }) });
    checkout.info('the Worker answered HTTP %d', res.status);
  } catch (err) {
    checkout.error('the Worker could not be reached', err);
  }
  out.innerHTML = '';
  const link = Object.assign(document.createElement('a'), { href: `${__LIVE_VIEW__}?trace=${trace.traceId}`, target: '_blank', textContent: `trace ${trace.traceId.slice(0, 8)}` });
  out.append('Paid; the page\'s and the Worker\'s records share ', link, ' in the live view.');
});

// an installable offline app: its Service Worker caches it and, once it controls the page (from
// the second load on), is the page's listener, which keeps sending after the page has closed
const registered = 'serviceWorker' in navigator
  ? await navigator.serviceWorker.register('/sw.js', { type: 'module' }).then(() => true, () => false)
  : false;
const listener = registered && navigator.serviceWorker.controller ? 'service-worker' : 'worker';
await startBrowserLogging({ collector: __COLLECTOR__, workerUrl: '/worker.js', listener, resource: { 'service.name': 'isolog-demo' } });
log.info('demo loaded', extra({ listener, online: navigator.onLine }));
