// The worker bundle's entry (dist/worker.js): serves the listener to the page (pipeline/protocol.ts).
import { Listener } from '../pipeline/worker/listener.js';
import { serveListener, type MessageScope } from '../pipeline/worker/serve.js';

// the WebSocket transport and the error context's ring are chunks beside worker.js
// (dist/worker-websocket-*.js, dist/worker-context-ring-*.js), loaded only for the pages that use them
serveListener(new Listener(undefined, {
  webSocket: () => import('../transport/websocket.js'),
  ring: () => import('../pipeline/worker/context-ring.js'),
}), self as unknown as MessageScope);
