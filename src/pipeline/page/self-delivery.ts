// What the page sends to the collector itself, apart from its worker: a batch the worker keeps
// refusing (direct-send.ts), and on leaving what is not yet durable (beacon.ts). Both are rare, and
// both need the batch decoder, %-formatting and the OTLP encoding: startBrowserLogging loads this
// module with import() as it starts, so that none of it is on the page's first load.
import { PY_TEXT } from '../../core/repr.js';
import { decodeBatch } from '../batch-decoder.js';
import { sendBeacons } from './beacon.js';

export { directSender } from './direct-send.js';

/**
 * Sends page batches (RawBatch JSON, newest first) by fetch keepalive or beacon within the keepalive
 * budget; returns how many records went.
 * @example sendLeavingBatches('http://127.0.0.1:4318/v1/logs', undefined, handler.takeForBeacon(), resource)
 */
export function sendLeavingBatches(url: string, token: string | undefined, batches: string[], resource: Record<string, unknown>): number {
  return sendBeacons(url, token, batches.map((b) => decodeBatch(b, PY_TEXT)), resource);
}
