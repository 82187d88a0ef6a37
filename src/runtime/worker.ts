// The worker bundle's entry (dist/worker.js): serves the listener to the page (pipeline/protocol.ts).
import { Listener } from '../pipeline/worker/listener.js';
import { serveListener, type MessageScope } from '../pipeline/worker/serve.js';

serveListener(new Listener(), self as unknown as MessageScope);
