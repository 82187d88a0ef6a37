/// <reference lib="webworker" />
// The demo's Service Worker: it caches the app so that it loads offline, and it is the listener of
// the pages it controls (isolog/service-worker): their records and its own are stored in IndexedDB
// and sent when the network is back (Background Sync), even after the page has closed.
import { getLogger } from '../src/index.js';
import { startServiceWorkerLogging } from '../src/runtime/service-worker.js';

declare const __COLLECTOR__: string;

const sw = self as unknown as ServiceWorkerGlobalScope;
const logging = startServiceWorkerLogging({ collector: __COLLECTOR__, resource: { 'service.name': 'isolog-demo' } });
const log = getLogger('demo.sw');

const CACHE = 'isolog-demo-v1';
const APP = ['/', '/app.js', '/worker.js', '/manifest.webmanifest', '/icon.svg'];

sw.addEventListener('install', (event) => {
  log.info('service worker installed; caching %d files', APP.length);
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(APP)).then(() => sw.skipWaiting()));
});
sw.addEventListener('activate', (event) => event.waitUntil(sw.clients.claim()));
sw.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== sw.location.origin || !APP.includes(url.pathname)) return;
  // the network first, so that a new version shows at once; offline, the cached copy. A request
  // that fails goes through logging.fetch: a WARNING record, sent once the network is back
  event.respondWith(logging.fetch(event.request).then(async (response) => {
    if (response.ok) await caches.open(CACHE).then((cache) => cache.put(event.request, response.clone()));
    return response;
  }).catch(async () => (await caches.match(event.request, { ignoreSearch: true })) ?? Response.error()));
});
