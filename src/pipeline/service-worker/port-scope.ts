// A page's calls reach the Service Worker as message events, each with a port of its own (a
// MessageChannel per call) on which the answer goes back. This adapter turns those events into the
// MessageScope that serveListener (worker/serve.ts) answers on, as a dedicated worker's `self`:
// each call gets an id of the adapter's own, so that answers find their port however they interleave.
import { LISTENER_METHODS, type ListenerAnswer, type ListenerApi, type ListenerCall, type ListenerReport } from '../protocol.js';
import { serveListener } from '../worker/serve.js';
import type { ExtendableMessageEventLike } from './scope.js';

/** Whether a message is a page's ListenerCall (other messages are the app's own). */
function isListenerCall(data: unknown): data is ListenerCall {
  const call = data as Partial<ListenerCall> | null;
  return typeof call === 'object' && call !== null && typeof call.id === 'number' && Array.isArray(call.args) &&
    (LISTENER_METHODS as readonly unknown[]).includes(call.method);
}

/**
 * Answers the pages' ListenerCalls (message events) with `listener`, each on the port it came
 * with, the event kept alive (`waitUntil`) until it is answered. Reports go to the port of the
 * latest `init`. Returns whether an event was such a call (false: the app's own message).
 * @example const served = servePorts(listener); self.addEventListener('message', (e) => served(e) || appMessage(e))
 */
export function servePorts(listener: ListenerApi): (event: ExtendableMessageEventLike) => boolean {
  let handle: ((event: MessageEvent) => void) | null = null;
  const replies = new Map<number, (answer: ListenerAnswer) => void>();
  let reportPort: MessagePort | null = null;
  let nextId = 0;
  serveListener(listener, {
    addEventListener: (_type, onMessage) => { handle = onMessage; },
    postMessage: (message: ListenerAnswer | ListenerReport) => {
      if ('report' in message) return reportPort?.postMessage(message);
      replies.get(message.id)?.(message);
      replies.delete(message.id);
    },
  });
  return (event) => {
    const call = event.data;
    const port = event.ports[0];
    if (!port || !isListenerCall(call)) return false;
    const id = nextId++;
    if (call.method === 'init') reportPort = port;
    event.waitUntil(new Promise<void>((resolve) => {
      replies.set(id, (answer) => { port.postMessage({ ...answer, id: call.id }); resolve(); });
    }));
    handle?.({ data: { ...call, id } } as MessageEvent);
    return true;
  };
}
