// The worker bundle's entry (dist/worker.js): serves the listener to the page (pipeline/protocol.ts).
import { Listener } from '../pipeline/worker/listener.js';
import { serveListener, type MessageScope } from '../pipeline/worker/serve.js';

// the error context's ring is a chunk beside worker.js (dist/worker-context-ring-*.js), loaded only for a page with errorContext
serveListener(new Listener(undefined, () => import('../pipeline/worker/context-ring.js')), self as unknown as MessageScope);
