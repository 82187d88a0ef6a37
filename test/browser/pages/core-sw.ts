/// <reference lib="webworker" />
// The core checks inside a module Service Worker: the page sends a port, the checks answer on it.
import { runCoreChecks } from '../../runtime/core-checks.js';

const sw = self as unknown as ServiceWorkerGlobalScope;
sw.addEventListener('install', () => { void sw.skipWaiting(); });
sw.addEventListener('activate', (event) => event.waitUntil(sw.clients.claim()));
sw.addEventListener('message', (event) => {
  const port = event.ports[0];
  event.waitUntil(runCoreChecks().then(
    (results) => port.postMessage({ results }),
    (error: unknown) => port.postMessage({ error: String(error) }),
  ));
});
