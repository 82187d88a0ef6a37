// A worker that starts but never stores anything: only the page's pagehide beacon can deliver.
import { PROTOCOL_VERSION } from '../../../src/pipeline/protocol.js';
import { serveListener, type MessageScope } from '../../../src/pipeline/worker/serve.js';

serveListener({
  init: async () => ({ version: PROTOCOL_VERSION, durableStorage: true }),
  put: () => new Promise(() => {}),
  flush: () => new Promise(() => {}),
  stats: async () => ({ logged: 0, durable: 0, sent: 0, acknowledged: 0, dropped: {}, retries: 0, lastError: null, durableStorage: true, flushing: false }),
  stop: async () => {},
}, self as unknown as MessageScope);
