/// <reference lib="webworker" />
// The Service Worker the service-worker tests register (as /pipeline-sw.js?collector=…): the
// listener of isolog/service-worker, and commands from the test page on a MessageChannel port:
// log records of a run, flush, stats. `?sync=0` turns Background Sync off (the fallback events);
// `?budget=` and `?maxRecords=` set the flush budget and the records per request; `?topLevel=<run>`
// logs records 0..9 of that run at the top level of the script, outside any event.
import { extra, getLogger, setInternalErrorSink } from '../../../src/index.js';
import { startServiceWorkerLogging } from '../../../src/runtime/service-worker.js';

const sw = self as unknown as ServiceWorkerGlobalScope;
// isolog's internal error reports, for the tests to see (stats)
const errors: string[] = [];
setInternalErrorSink((text) => errors.push(text));
const params = new URL(sw.location.href).searchParams;
// a listener before isolog's: it counts the requests to the collector that came to the Service
// Worker at all, and with ?slowCollector=<ms> holds its thread that long on each, answering nothing,
// so that the page is gone before isolog's listener sees the request
let collectorRequests = 0;
sw.addEventListener('fetch', (event) => {
  if (new URL(event.request.url).pathname !== '/v1/logs') return;
  collectorRequests++;
  const until = Date.now() + Number(params.get('slowCollector') ?? 0);
  while (Date.now() < until) { /* busy */ }
});
const logging = startServiceWorkerLogging({
  collector: params.get('collector') as string,
  send: { retryBaseMs: 100, maxRecords: Number(params.get('maxRecords') ?? 10_000) },
  backgroundSync: params.get('sync') !== '0',
  // ?periodic=<ms>: a Periodic Background Sync at that interval
  ...(params.has('periodic') ? { periodicSync: { minIntervalMs: Number(params.get('periodic')) } } : {}),
  // ?budget=1: every pass takes one request, then leaves the rest for the next event
  ...(params.has('budget') ? { flushBudgetMs: Number(params.get('budget')) } : {}),
  // ?relay=0: the closing pages' beacons fall back to the network, as without the relay
  relayBeacons: params.get('relay') !== '0',
});
const log = getLogger('sw');
const topLevel = params.get('topLevel');
if (topLevel) for (let n = 0; n < 10; n++) log.info('top-level record %d', n, extra({ run: topLevel, n }));
// what came to the Service Worker, for the tests to tell which path delivered
const seen = { sync: 0, online: 0, periodicsync: 0, beaconsSeen: 0 };
sw.addEventListener('sync', () => { seen.sync++; });
sw.addEventListener('periodicsync', () => { seen.periodicsync++; });
sw.addEventListener('online', () => { seen.online++; });

// `?events=<run>`: records of that run from the install (0) and activate (1) handlers; any run's
// records from fetch (/sw-log?run=&n=) and push (data {run, n}) handlers
const events = params.get('events');
sw.addEventListener('install', (event) => {
  if (events) log.info('installing', extra({ run: events, n: 0 }));
  event.waitUntil(sw.skipWaiting());
});
sw.addEventListener('activate', (event) => {
  if (events) log.info('activating', extra({ run: events, n: 1 }));
  event.waitUntil(sw.clients.claim());
});
sw.addEventListener('push', (event) => {
  const data = event.data?.json() as { run: string; n: number };
  log.info('push %d', data.n, extra(data));
});
sw.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  // a request to the collector that isolog's listener left to the ones after it
  if (url.pathname === '/v1/logs') seen.beaconsSeen++;
  if (url.pathname === '/sw-ping') event.respondWith(new Response('pong'));
  if (url.pathname === '/sw-log') {
    log.info('fetch %s', url.pathname, extra({ run: url.searchParams.get('run'), n: Number(url.searchParams.get('n')) }));
    event.respondWith(new Response('logged'));
  }
  if (url.pathname === '/sw-fetch') event.respondWith(logging.fetch(url.searchParams.get('to') as string));
});

type Command = { command: 'log'; run: string; from: number; to: number; chunk?: number } |
  { command: 'logLater'; run: string; from: number; to: number; delayMs: number } | { command: 'periodicSync' } | { command: 'flush' } | { command: 'stop' } | { command: 'stats' } | { command: 'ping' };

async function run(command: Command): Promise<unknown> {
  if (command.command === 'log') {
    const before = (await logging.stats()).durable;
    for (let n = command.from; n < command.to; n++) {
      log.info('sw record %d', n, extra({ run: command.run, n }));
      // `chunk`: a batch of so many records each (a batch is what one task logs)
      if (command.chunk && (n + 1 - command.from) % command.chunk === 0) await new Promise((r) => setTimeout(r, 0));
    }
    // answered once the records are durable in IndexedDB
    while ((await logging.stats()).durable < before + command.to - command.from) await new Promise((r) => setTimeout(r, 20));
    return 'logged';
  }
  // answered at once: the records come from a timer, after this message event is over
  if (command.command === 'logLater') {
    setTimeout(() => { for (let n = command.from; n < command.to; n++) log.info('timer record %d', n, extra({ run: command.run, n })); }, command.delayMs);
    return 'scheduled';
  }
  if (command.command === 'periodicSync') return logging.periodicSync;
  if (command.command === 'flush') return logging.flush().then(() => 'flushed', (err: unknown) => String(err));
  if (command.command === 'stop') return logging.stop().then(() => 'stopped', (err: unknown) => String(err));
  if (command.command === 'stats') return { ...(await logging.stats()), seen: { ...seen, collectorRequests }, errors };
  return 'pong';
}

sw.addEventListener('message', (event) => {
  const data = event.data as { test?: Command } | null;
  if (!data?.test) return;
  const port = event.ports[0];
  event.waitUntil(run(data.test).then((value) => port.postMessage({ value }), (err: unknown) => port.postMessage({ error: String(err) })));
});
