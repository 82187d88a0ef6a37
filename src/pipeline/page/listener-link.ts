// The page's link to its listener: a dedicated worker when one can start, else the same listener
// inside the page; a worker that stops answering is replaced, and its unconfirmed batches go to
// the new one.
import { reportInternalError } from '../../core/internal-error.js';
import { PROTOCOL_VERSION, type ListenerAnswer, type ListenerApi, type ListenerCall, type ListenerReport, type WorkerInit } from '../protocol.js';
import type { BatchTarget } from './queue-handler.js';

/** How the page starts its worker; by default isolog's worker.js (dist/worker.js). */
export interface WorkerSource {
  workerUrl?: string | URL;
  createWorker?: () => Worker;
}

/**
 * The listener in `worker`, through the messages of protocol.ts: each method posts a ListenerCall
 * and resolves (or rejects) with its answer; the worker's reports go to the internal error channel.
 * A worker that has died answers nothing: its calls never settle (the handler's watchdog sees it).
 */
function callWorker(worker: Worker): ListenerApi {
  const waiting = new Map<number, [resolve: (value: unknown) => void, reject: (err: unknown) => void]>();
  let nextId = 0;
  worker.addEventListener('message', (event: MessageEvent<ListenerAnswer | ListenerReport>) => {
    const message = event.data;
    if ('report' in message) return reportInternalError(message.report);
    const call = waiting.get(message.id);
    if (!call) return;
    waiting.delete(message.id);
    if ('error' in message) call[1](Object.assign(new Error(message.error.message), message.error));
    else call[0](message.value);
  });
  const method = (name: ListenerCall['method']) => (...args: unknown[]) => new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, [resolve, reject]);
    worker.postMessage({ id, method: name, args } satisfies ListenerCall);
  });
  return { init: method('init'), put: method('put'), flush: method('flush'), stats: method('stats'), stop: method('stop') } as ListenerApi;
}

async function connectWorker(worker: Worker, init: WorkerInit, source: WorkerSource): Promise<ListenerApi> {
  const api = callWorker(worker);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    // a worker that cannot load says only "error": name what was tried and what to pass
    const tried = source.createWorker ? 'the worker from createWorker()' : new URL(source.workerUrl ?? new URL('../../worker.js', import.meta.url), globalThis.location?.href).href;
    worker.addEventListener('error', (e) => reject(new Error(`${tried} failed to load${e.message ? ` (${e.message})` : ''}; serve isolog's dist/worker.js there, or pass workerUrl or createWorker`)), { once: true });
    timer = setTimeout(() => reject(new Error('the worker did not answer within 10 s')), 10_000);
  });
  try {
    // the worker's problems (a stopped flusher, records the collector rejected) come to the page's
    // channel as ListenerReport messages
    const ready = await Promise.race([api.init(init), failed]);
    // a worker.js of another isolog version may answer without understanding: it is not used
    if (ready?.version !== PROTOCOL_VERSION) throw new Error(`the worker answered as protocol ${String(ready?.version)}, this page speaks ${PROTOCOL_VERSION}; serve the worker.js of the same isolog version`);
  } finally {
    clearTimeout(timer);
  }
  return api;
}

function newWorker(source: WorkerSource): Worker {
  if (source.createWorker) return source.createWorker();
  if (source.workerUrl) return new Worker(source.workerUrl, { type: 'module', name: 'isolog' });
  // written out in full so that bundlers (Vite, webpack) see and emit the worker: dist/worker.js
  return new Worker(new URL('../../worker.js', import.meta.url), { type: 'module', name: 'isolog' });
}

/** The page's current listener, and how it is started again. */
export interface ListenerLink {
  /** The current listener, once connect() has resolved. */
  readonly api: ListenerApi;
  /**
   * Where the page's handler posts until connect() resolves: its puts wait for the listener, so
   * that records logged while the worker starts are sent as soon as it answers.
   */
  readonly starting: BatchTarget;
  /** Starts the listener: a worker if one can start, else the same listener in the page. */
  connect(): Promise<ListenerApi>;
  /** A worker that stopped answering: a new one, then `then(api)` (which sends it what was unconfirmed). */
  restart(then: (api: ListenerApi) => void): void;
  /** Resolves once no restart is under way. */
  settled(): Promise<void>;
  /** From now on a worker that stops answering is not replaced: the page is stopping logging. */
  stopRestarting(): void;
  /** Stops the listener (it has drained) and ends the worker. */
  stop(): Promise<void>;
}

/** A link to a listener started with `init`, from `source`. */
export function listenerLink(init: WorkerInit, source: WorkerSource): ListenerLink {
  let worker: Worker | null = null;
  let restarting: Promise<void> | null = null;
  let stopped = false;
  let ready!: (api: ListenerApi) => void;
  const real = new Promise<ListenerApi>((resolve) => { ready = resolve; });
  let api: ListenerApi;

  const start = async (): Promise<ListenerApi> => {
    try {
      if (typeof Worker === 'undefined') throw new Error('Web Workers are not available here');
      worker = newWorker(source);
      return await connectWorker(worker, init, source);
    } catch (err) {
      // CSP, an old browser, a worker that cannot load: the page runs the same listener itself,
      // in IndexedDB if it can (a separate chunk, loaded only here)
      reportInternalError(`isolog: no worker (${err instanceof Error ? err.message : String(err)}); the page stores and sends its records itself`);
      worker?.terminate();
      worker = null;
      const { Listener } = await import('../worker/listener.js');
      const local = new Listener(undefined, { webSocket: () => import('../../transport/websocket.js'), ring: () => import('../worker/context-ring.js') });
      await local.init(init, reportInternalError);
      return local;
    }
  };

  return {
    get api() { return api; },
    starting: { put: async (batch, count) => (await real).put(batch, count) },
    async connect() {
      api = await start();
      ready(api);
      return api;
    },
    restart(then) {
      if (restarting || stopped) return;
      restarting = (async () => {
        reportInternalError('isolog: the worker stopped answering; starting a new one and sending it what was not stored');
        worker?.terminate();
        api = await start();
        then(api);
      })().finally(() => { restarting = null; });
    },
    async settled() {
      while (restarting) await restarting;
    },
    stopRestarting() {
      stopped = true;
    },
    async stop() {
      stopped = true;
      try {
        await api.stop();
      } finally {
        worker?.terminate();
      }
    },
  };
}
