// What a listener is told at start (protocol.ts's WorkerInit), from the options of
// startBrowserLogging or startServiceWorkerLogging: both must name the same queue for the same
// destination, so that a page's worker and the Service Worker share it and its one flusher.
import { toJsonValue } from '../core/serialize.js';
import { PROTOCOL_VERSION, type WorkerInit } from './protocol.js';
import { queueName } from './page/destination.js';
import type { BrowserLoggingOptions } from './page/options.js';

/** The options that say where and how records go, and how much is stored. */
export type DestinationOptions = Pick<BrowserLoggingOptions, 'collector' | 'transport' | 'token' | 'send' | 'storage' | 'resource'>;

/**
 * The listener's start: where and how to send, the storage caps, the resource with `session.id`.
 * @example workerInit({ collector: 'http://127.0.0.1:4318/v1/logs' }, tabSessionId())
 */
export function workerInit(options: DestinationOptions, sessionId: string): WorkerInit {
  const collector = new URL(options.collector, globalThis.location?.href).toString();
  const transport = options.transport ?? (/^wss?:/.test(options.collector) ? 'websocket' : 'fetch');
  return {
    version: PROTOCOL_VERSION,
    transport: {
      collector,
      transport,
      token: options.token,
      maxRecordsPerRequest: options.send?.maxRecords ?? 10_000,
      // by default MAX_BYTES_PER_REQUEST, which the worker and the page's own sender apply
      maxBytesPerRequest: options.send?.maxBytes,
      retryBaseMs: options.send?.retryBaseMs ?? 1000,
    },
    storage: {
      maxRecords: options.storage?.maxRecords ?? 100_000,
      maxBytes: options.storage?.maxBytes ?? 20 * 1024 * 1024,
      // a queue (and a flusher) per destination: tabs sending elsewhere keep out of each other's
      database: queueName(options.storage?.database ?? 'isolog', transport, collector, options.token),
    },
    // JSON-safe once here: the worker and the beacons encode it as it is
    resource: toJsonValue({ 'session.id': sessionId, ...options.resource }) as Record<string, unknown>,
  };
}

