// The page's link when its listener is the Service Worker (startBrowserLogging({ listener:
// 'service-worker' })): each call of protocol.ts goes to the Service Worker that controls the page,
// with a MessageChannel of its own for the answer. The browser starts a stopped Service Worker for
// a message, so there is nothing to restart: a put that is never answered is simply sent again.
import { reportInternalError } from '../../core/internal-error.js';
import { PROTOCOL_VERSION, type ListenerAnswer, type ListenerApi, type ListenerCall, type ListenerReport, type WorkerInit } from '../protocol.js';
import type { ListenerLink } from './listener-link.js';

const NO_CONTROLLER = 'isolog: listener \'service-worker\' needs a Service Worker that controls this page and calls startServiceWorkerLogging from isolog/service-worker; ' +
  'register it (navigator.serviceWorker.register(\'/sw.js\', { type: \'module\' })), have it call clients.claim() on activate (or reload the page), ' +
  'and start logging once navigator.serviceWorker.controller is set; or leave `listener` out for a dedicated worker';

/** How long the page waits for a Service Worker to take control (clients.claim() on a first visit). */
const CONTROL_TIMEOUT_MS = 10_000;

/** The Service Worker that controls the page now, or null. */
function controller(): ServiceWorker | null {
  return (typeof navigator !== 'undefined' && navigator.serviceWorker?.controller) || null;
}

/** Waits for a controller (one may be claiming the page), and fails with what to do when none comes. */
async function controlled(): Promise<ServiceWorker> {
  const now = controller();
  if (now) return now;
  if (typeof navigator === 'undefined' || !navigator.serviceWorker) throw new Error(`${NO_CONTROLLER} (this browser or context has no Service Workers)`);
  // listening before anything is awaited: the claim may come meanwhile
  let timer: ReturnType<typeof setTimeout> | undefined;
  const change = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CONTROL_TIMEOUT_MS);
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
  });
  // none registered for this page: no point waiting for one to claim it
  const registered = await navigator.serviceWorker.getRegistration().catch(() => undefined);
  if (!registered) {
    clearTimeout(timer);
    throw new Error(`${NO_CONTROLLER} (none is registered for this page)`);
  }
  if (!controller()) await change;
  clearTimeout(timer);
  const later = controller();
  if (!later) throw new Error(`${NO_CONTROLLER} (none controlled the page within ${CONTROL_TIMEOUT_MS / 1000} s)`);
  return later;
}

/** ListenerApi over the controlling Service Worker: one port per call; `init`'s port stays open for the reports. */
function callServiceWorker(): ListenerApi {
  const method = (name: ListenerCall['method']) => (...args: unknown[]) => new Promise((resolve, reject) => {
    const target = controller();
    if (!target) return reject(new Error(NO_CONTROLLER));
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent<ListenerAnswer | ListenerReport>) => {
      const message = event.data;
      if ('report' in message) return reportInternalError(message.report);
      if (name !== 'init') channel.port1.close();
      if ('error' in message) reject(Object.assign(new Error(message.error.message), message.error));
      else resolve(message.value);
    };
    // a function does not travel: the Service Worker's reports come on init's port
    target.postMessage({ id: 0, method: name, args: name === 'init' ? args.slice(0, 1) : args } satisfies ListenerCall, [channel.port2]);
  });
  return { init: method('init'), put: method('put'), flush: method('flush'), stats: method('stats'), stop: method('stop') } as ListenerApi;
}

/**
 * The link to the Service Worker's listener. Its init answers the same protocol version and checks
 * that page and Service Worker send to the same destination (one queue, one flusher).
 * @example const link = serviceWorkerLink(init)
 */
export function serviceWorkerLink(init: WorkerInit): ListenerLink {
  const api = callServiceWorker();
  let ready!: (api: ListenerApi) => void;
  const connected = new Promise<ListenerApi>((resolve) => { ready = resolve; });
  return {
    api,
    starting: { put: async (batch, count) => (await connected).put(batch, count) },
    async connect() {
      await controlled();
      const answer = await api.init(init);
      if (answer?.version !== PROTOCOL_VERSION) throw new Error(`isolog: the Service Worker answered as protocol ${String(answer?.version)}, this page speaks ${PROTOCOL_VERSION}; use one isolog version in both`);
      ready(api);
      return api;
    },
    // the browser starts the Service Worker again for the next message: what was not confirmed goes again
    restart(then) { then(api); },
    async settled() {},
    stopRestarting() {},
    async stop() { await api.stop(); },
  };
}
