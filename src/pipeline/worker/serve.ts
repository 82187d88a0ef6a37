// The worker's end of the page↔worker messages (protocol.ts): each ListenerCall runs on the
// listener and is answered with its value or its error; the listener's reports go to the page.
import { LISTENER_METHODS, PROTOCOL_VERSION, type ListenerAnswer, type ListenerApi, type ListenerCall, type ListenerReport } from '../protocol.js';

/** What a dedicated worker's global scope offers for this: messages in and out. */
export interface MessageScope {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  postMessage(message: ListenerAnswer | ListenerReport): void;
}

/**
 * Answers the page's calls on `scope` (a dedicated worker's `self`) with `listener`.
 * @example serveListener(new Listener(), self)
 */
export function serveListener(listener: ListenerApi, scope: MessageScope): void {
  const report = (text: string): void => scope.postMessage({ report: text });
  scope.addEventListener('message', async (event) => {
    const { id, method, args } = event.data as ListenerCall;
    if (!Array.isArray(args)) {
      // a page of isolog before protocol 8 calls through Comlink: its call fails, in the form its
      // Comlink reads, so that it runs its listener itself instead of posting to a worker that stores nothing
      const message = `isolog: this worker speaks protocol ${PROTOCOL_VERSION}, the page an older one; serve the worker.js of the same isolog version`;
      scope.postMessage({ id, type: 'HANDLER', name: 'throw', value: { isError: true, value: { name: 'Error', message } } } as never);
      return;
    }
    try {
      if (!LISTENER_METHODS.includes(method)) throw new TypeError(`isolog: the worker has no method ${String(method)}`);
      const call = listener[method] as (...args: unknown[]) => Promise<unknown>;
      const value = await call.apply(listener, method === 'init' ? [args[0], report] : args);
      scope.postMessage({ id, value });
    } catch (err) {
      const { name = 'Error', message = err } = (err ?? {}) as { name?: unknown; message?: unknown };
      scope.postMessage({ id, error: { name: String(name), message: String(message) } });
    }
  });
}
