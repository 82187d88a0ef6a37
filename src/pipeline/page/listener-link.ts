// The page's link to its listener: a dedicated worker when one can start, else the same listener
// inside the page; a worker that stops answering is replaced, and its unconfirmed batches go to
// the new one.
import { proxy, wrap, type Remote } from 'comlink';
import { reportInternalError } from '../../core/internal-error.js';
import type { ListenerApi, WorkerInit } from '../protocol.js';
import type { BatchTarget } from './queue-handler.js';

/** How the page starts its worker; by default isolog's worker.js (dist/worker.js). */
export interface WorkerSource {
  workerUrl?: string | URL;
  createWorker?: () => Worker;
}

type AnyListener = ListenerApi | Remote<ListenerApi>;

async function connectWorker(worker: Worker, init: WorkerInit, source: WorkerSource): Promise<Remote<ListenerApi>> {
  const api = wrap<ListenerApi>(worker);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    // a worker that cannot load says only "error": name what was tried and what to pass
    const tried = source.createWorker ? 'the worker from createWorker()' : new URL(source.workerUrl ?? new URL('../../worker.js', import.meta.url), globalThis.location?.href).href;
    worker.addEventListener('error', (e) => reject(new Error(`${tried} failed to load${e.message ? ` (${e.message})` : ''}; serve isolog's dist/worker.js there, or pass workerUrl or createWorker`)), { once: true });
    timer = setTimeout(() => reject(new Error('the worker did not answer within 10 s')), 10_000);
  });
  try {
    // the worker's problems (a stopped flusher, records the collector rejected) come to the page's channel
    await Promise.race([api.init(init, proxy(reportInternalError)), failed]);
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
  readonly api: AnyListener;
  /**
   * Where the page's handler posts until connect() resolves: its puts wait for the listener, so
   * that records logged while the worker starts are sent as soon as it answers.
   */
  readonly starting: BatchTarget;
  /** Starts the listener: a worker if one can start, else the same listener in the page. */
  connect(): Promise<AnyListener>;
  /** A worker that stopped answering: a new one, then `then(api)` (which sends it what was unconfirmed). */
  restart(then: (api: AnyListener) => void): void;
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
  let ready!: (api: AnyListener) => void;
  const real = new Promise<AnyListener>((resolve) => { ready = resolve; });
  let api: AnyListener;

  const start = async (): Promise<AnyListener> => {
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
      const local = new Listener();
      await local.init(init, reportInternalError);
      return local as ListenerApi;
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
