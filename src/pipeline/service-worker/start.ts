// The listener inside a Service Worker: the same Listener, IndexedDB queue and flusher as a page's
// worker, in-process. The Service Worker lives only through its events, so the flusher runs in
// bounded passes inside them (`waitUntil`), and a Background Sync brings it back when a send failed
// for lack of network. Records logged in the Service Worker go through the root logger's queue
// handler straight to the listener; pages post theirs as messages (port-scope.ts).
import { INFO } from '../../core/level.js';
import { getLogger } from '../../core/logger.js';
import { reportInternalError } from '../../core/internal-error.js';
import { randomId } from '../../core/record.js';
import { PROTOCOL_VERSION, type FlushResult, type ListenerApi, type PipelineStats, type WorkerInit } from '../protocol.js';
import { maskerFor } from '../redact.js';
import { beaconUrl } from '../page/destination.js';
import { directSender } from '../page/direct-send.js';
import { FlushError } from '../page/options.js';
import { captureUncaughtErrors } from '../uncaught-errors.js';
import { PageQueueHandler } from '../page/queue-handler.js';
import { Listener } from '../worker/listener.js';
import * as webSocketModule from '../../transport/websocket.js';
import { PassFlusher, type PassEnd } from './pass-flusher.js';
import { workerInit } from '../worker-init.js';
import { fetchLogging } from './failed-requests.js';
import type { ServiceWorkerLogging, ServiceWorkerLoggingOptions } from './options.js';
import { servePorts } from './port-scope.js';
import { registerPeriodicSync } from './periodic-sync.js';
import { beaconRelay } from './beacon-relay.js';
import type { ExtendableEventLike, ExtendableMessageEventLike, ServiceWorkerScopeLike, SyncEventLike } from './scope.js';

/** The Background Sync (and Periodic Background Sync) tag isolog registers and answers. */
export const SYNC_TAG = 'isolog-flush';

/** Events whose lifetime a later put may still extend; a few suffice (the ones under way). */
const LIVE_EVENTS = 8;

/** Events that flush what is stored when a flush is due (the fallback where Background Sync is missing). */
const FLUSHING_EVENTS = ['install', 'activate', 'fetch', 'message', 'push', 'notificationclick', 'notificationclose'];

/**
 * Starts the listener in the Service Worker whose global scope is `scope`, and adds its event
 * listeners now, as a Service Worker must during its first evaluation.
 * @example startServiceWorkerLogging({ collector: 'https://logs.example.com/v1/logs' }, self)
 */
export function startServiceWorkerLogging(options: ServiceWorkerLoggingOptions, scope: ServiceWorkerScopeLike): ServiceWorkerLogging {
  const root = getLogger();
  if (options.level !== null) root.setLevel(options.level ?? INFO);
  const init: WorkerInit = workerInit(options, randomId());
  const budgetMs = options.flushBudgetMs ?? 30_000;
  const flushTimeout = options.flushTimeoutMs ?? 10_000;
  // a Service Worker may not import(): the WebSocket transport is in its bundle, and no ring (errorContext is the pages')
  const listener = new Listener(PassFlusher, { webSocket: async () => webSocketModule });
  const ready = listener.init(init, reportInternalError).then(() => undefined);

  // whether something may be stored and unsent (at start: what an earlier life left); whether a
  // Background Sync is registered for it
  let due = true;
  let awaitingSync = false;
  const live = new Set<ExtendableEventLike>();
  /** Keeps every event still under way alive until `work` settles; returns whether one did (an event already over refuses). */
  const extend = (work: Promise<unknown>): boolean => {
    let kept = false;
    for (const event of live) {
      try { event.waitUntil(work); kept = true; } catch { live.delete(event); }
    }
    return kept;
  };
  // undefined once the browser refused Background Sync: from then on the fallback events flush
  let syncManager = options.backgroundSync === false ? undefined : scope.registration?.sync;
  const askForSync = (): void => {
    if (!syncManager) return;
    awaitingSync = true;
    syncManager.register(SYNC_TAG).catch((err: unknown) => {
      awaitingSync = false;
      // refused for now: Chromium registers a sync only while a window of the origin is open
      // (InvalidAccessError) and an active worker (InvalidStateError, seen just after activation);
      // the next failure asks again, and what is stored meanwhile waits for the next event
      if ((err as Error | null)?.name !== 'NotAllowedError' || !syncManager) return;
      // not granted (a setting, a browser policy): the fallback events flush instead, said once
      syncManager = undefined;
      reportInternalError(`isolog: Background Sync could not be registered (${String(err)}); the next fetch, message or activate event and 'online' flush instead`);
    });
  };
  /** One bounded pass; `inSync`: a failure is the sync event's to retry, not a new registration. */
  const pass = async (inSync = false): Promise<PassEnd> => {
    await ready;
    let end: PassEnd = 'empty';
    try {
      if (listener.flusher) end = await listener.flusher.pass(budgetMs);
    } catch (err) {
      // never a rejection that could come back as an 'unhandledrejection' record, and so on
      reportInternalError(`isolog: a flush in the Service Worker failed: ${String(err)}`);
      end = 'failing';
    }
    if (end === 'empty') due = awaitingSync = false;
    // more to send: come back; failed: a sync for when the network (or the collector) is back,
    // which inside a sync event is that event's to retry (it rejects, and the browser backs off)
    if (end === 'budget' || (!inSync && (end === 'network' || end === 'offline' || end === 'failing'))) askForSync();
    return end;
  };
  const stored = (put: Promise<void>): Promise<void> => {
    due = true;
    if (awaitingSync) return put;
    const sending = put.then(() => pass(), () => undefined);
    // outside any event (a timer, a promise that outlived its event, the script's top level):
    // nothing keeps the Service Worker alive for the pass, which runs while it happens to live
    // (Chromium: 30 s after its last event). Once stored, an event that started meanwhile (the one
    // the Service Worker was started for) takes it on; else a Background Sync, which the browser
    // fires at once when online, keeps it alive until the pass under way is over (its own pass
    // joins it). Without a window of the origin Chromium refuses the sync: what the pass does not
    // send stays stored for the next event
    if (!extend(sending)) put.then(() => { if (!extend(sending) && !awaitingSync) askForSync(); }, () => undefined);
    return put;
  };

  const flush = async (timeoutMs = flushTimeout): Promise<FlushResult> => {
    const deadline = Date.now() + timeoutMs;
    await handler.drain(deadline);
    const end = await pass();
    // another worker is the flusher, or this pass sent everything: wait for the acknowledgements
    const wait = end === 'empty' || end === 'elsewhere' ? Math.max(0, deadline - Date.now()) : 0;
    return listener.flush(wait);
  };

  // what pages call (protocol.ts), as they would call a dedicated worker
  const forPages: ListenerApi = {
    async init(page) {
      if (page.version !== PROTOCOL_VERSION) throw new Error(`isolog: the page speaks protocol ${page.version}, this service worker ${PROTOCOL_VERSION}; use one isolog version in both`);
      if (page.storage.database !== init.storage.database) {
        throw new Error(`isolog: the page sends to ${page.transport.collector} (${page.transport.transport}), this service worker to ${init.transport.collector} (${init.transport.transport}); give startBrowserLogging and startServiceWorkerLogging the same collector, transport, token and storage.database`);
      }
      await ready;
      return { version: PROTOCOL_VERSION, durableStorage: listener.counts.durableStorage };
    },
    put: (batch, count) => stored(ready.then(() => listener.put(batch, count))),
    flush: (timeoutMs) => flush(timeoutMs),
    stats: () => listener.stats(),
    // a page that stops logging leaves the Service Worker's listener to the others and itself
    stop: async () => undefined,
  };
  const served = servePorts(forPages);

  const handler = new PageQueueHandler({ put: forPages.put }, options.batchSize ?? 1000, 10_000, maskerFor(options.redact),
    // the listener is in this thread: there is no worker to restart
    () => undefined, directSender(beaconUrl(init.transport.collector), options.token, init.resource, init.transport.maxBytesPerRequest,
      { sent: 0, acknowledged: 0, dropped: {}, lastError: null }));
  root.addHandler(handler);
  const stopCapturing = options.captureErrors ?? true ? captureUncaughtErrors(getLogger('serviceworker')) : () => undefined;

  const onEvent = (event: ExtendableEventLike): void => {
    live.add(event);
    if (live.size > LIVE_EVENTS) live.delete(live.values().next().value as ExtendableEventLike);
    if (event.type === 'message' && served(event as ExtendableMessageEventLike)) return;
    if ((due && !awaitingSync) || event.type === 'activate') event.waitUntil(pass());
  };
  for (const type of FLUSHING_EVENTS) scope.addEventListener(type, onEvent);
  const collectorUrl = beaconUrl(init.transport.collector).replace(/[?#].*$/, '');
  if (options.relayBeacons ?? true) scope.addEventListener('fetch', beaconRelay(collectorUrl) as (event: ExtendableEventLike) => void);
  scope.addEventListener('sync', (event) => {
    const sync = event as SyncEventLike;
    if (sync.tag !== SYNC_TAG) return onEvent(event);
    awaitingSync = false;
    // a failure rejects, so that the browser tries the sync again later (with its own backoff)
    event.waitUntil(pass(true).then((end) => {
      if ((end === 'network' || end === 'offline' || end === 'failing') && !sync.lastChance) throw new Error(`isolog: records not sent (${end}); Background Sync tries again`);
    }));
  });
  const periodicSync = options.periodicSync ? registerPeriodicSync(scope, SYNC_TAG, options.periodicSync.minIntervalMs) : Promise.resolve('off' as const);
  scope.addEventListener('periodicsync', (event) => {
    live.add(event);
    event.waitUntil(pass());
  });
  // where Background Sync is missing or refused, the network coming back is the cue (outside any
  // event: the pass runs while the Service Worker happens to live, and the next event takes over otherwise)
  scope.addEventListener('online', () => { if (due && (!syncManager || !awaitingSync)) void pass(); });

  const sendFailures = fetchLogging(getLogger('serviceworker.fetch'), collectorUrl);
  const flushOrThrow = async (timeoutMs?: number): Promise<void> => {
    const result = await flush(timeoutMs);
    const lost = Object.values(result.dropped).reduce((a, b) => a + b, 0);
    if (result.notDelivered || lost) {
      throw new FlushError(`isolog: ${result.notDelivered} records not delivered, ${lost} dropped${result.lastError ? `; last error: ${result.lastError}` : ''}`, result.notDelivered, result.dropped);
    }
  };
  return {
    ready,
    periodicSync,
    flush: flushOrThrow,
    async stop(timeoutMs) {
      try {
        await flushOrThrow(timeoutMs);
      } finally {
        root.removeHandler(handler);
        handler.close();
        stopCapturing();
        await listener.stop();
      }
    },
    async stats(): Promise<PipelineStats> {
      return { ...(await listener.stats()), logged: handler.logged };
    },
    fetch: sendFailures,
  };
}
