// A batch the worker keeps refusing (it cannot store it, even with the oldest dropped) is sent by
// the page itself, as the flusher sends: OTLP JSON, split on 400/413, counted. Unlike a beacon it
// gets an answer, so flush() knows whether the records went.
import { reportInternalError } from '../../core/internal-error.js';
import { PY_TEXT } from '../../core/repr.js';
import { deliver, MAX_BYTES_PER_REQUEST, recordDelivery, type DeliveryCounts } from '../../transport/delivery.js';
import { postOtlp } from '../../transport/http.js';
import { decodeBatch } from '../batch-decoder.js';

/** What the page delivered itself, which stats() adds to the worker's counts. */
export interface PageCounts extends DeliveryCounts { acknowledged: number }

/**
 * Delivers one page batch (a RawBatch's JSON) to `url` from the page: resolves true once its records
 * went (or were refused on their own by the collector, and counted), false when it is to be tried
 * again later. Never rejects.
 * @example const sendSelf = directSender('http://127.0.0.1:4318/v1/logs', undefined, resource, 4 * 1024 * 1024, counts)
 */
export function directSender(url: string, token: string | undefined, resource: Record<string, unknown>, maxBytes = MAX_BYTES_PER_REQUEST,
  counts: PageCounts): (batch: string) => Promise<boolean> {
  const problem = (text: string): void => { counts.lastError = text; reportInternalError(text); };
  const options = recordDelivery((body) => postOtlp(url, body, { token }), resource, maxBytes, counts, problem);
  return async (batch) => {
    try {
      const records = decodeBatch(batch, PY_TEXT);
      const rejected = options.rejected;
      if ((await deliver(records, options)).outcome !== 'done') return false;
      counts.acknowledged += records.length - (options.rejected - rejected);
      return true;
    } catch {
      return false;
    }
  };
}
