// A worker that is alive but cannot store anything (as with a full disk): every put is refused.
import { PROTOCOL_VERSION } from '../../../src/pipeline/protocol.js';
import { serveListener, type MessageScope } from '../../../src/pipeline/worker/serve.js';

serveListener({
  init: async () => ({ version: PROTOCOL_VERSION, durableStorage: true }),
  put: async () => { throw new DOMException('the disk is full', 'QuotaExceededError'); },
  flush: async () => ({ notDelivered: 0, dropped: {}, lastError: null }),
  stats: async () => ({ logged: 0, durable: 0, sent: 0, acknowledged: 0, dropped: {}, retries: 0, lastError: null, durableStorage: true, flushing: false }),
  stop: async () => {},
}, self as unknown as MessageScope);
