// deliver() and RetryScheduler (src/transport/delivery.ts): the send/split/retry loop the browser
// flusher and the collector's forwarder share.
import { describe, expect, it } from 'vitest';
import { backoffMs, deliver, outcomeOf, retryAfterMs, retryScheduler, type DeliveryOptions } from '../../../src/transport/delivery.js';
import { partialSuccessOf, type SendResult } from '../../../src/transport/http.js';

/** Options that send numbers as a JSON array, answered by `answer(records)`; keeps what was sent, taken (2xx) and dropped. */
function recorder(answer: (records: number[]) => SendResult, maxBytes = 1e6) {
  const sent: number[][] = [];
  const taken: number[] = [];
  const rejected: number[] = [];
  const options: DeliveryOptions<number> = {
    encode: (records) => JSON.stringify(records),
    send: async (_body, records) => {
      sent.push(records);
      const result = answer(records);
      if (outcomeOf(result.status) === 'done') taken.push(...records);
      return result;
    },
    maxBytes,
    onRejected: (record) => { rejected.push(record); },
  };
  return { options, sent, taken, rejected };
}
const ok: SendResult = { status: 200, retryAfter: null };
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('deliver', () => {
  it('sends the records in one request when the endpoint takes them', async () => {
    const { options, sent } = recorder(() => ok);
    expect(await deliver(range(10), options)).toEqual({ outcome: 'done' });
    expect(sent).toEqual([range(10)]);
  });

  it('splits a batch answered 400 until the bad record stands alone, drops only it, and sends the rest in order', async () => {
    const { options, sent, taken, rejected } = recorder((records) => (records.includes(5) ? { status: 400, retryAfter: null } : ok));
    expect(await deliver(range(8), options)).toEqual({ outcome: 'done' });
    expect(rejected).toEqual([5]);
    expect(taken).toEqual([0, 1, 2, 3, 4, 6, 7]);
    expect(sent).toEqual([range(8), [0, 1, 2, 3], [4, 5, 6, 7], [4, 5], [4], [5], [6, 7]]);
  });

  it('hands a 2xx whose partialSuccess rejected records to onPartial, and takes the request as done', async () => {
    const { options } = recorder(() => ({ status: 200, retryAfter: null, ...partialSuccessOf({ partialSuccess: { rejectedLogRecords: '2', errorMessage: 'bad time' } }) }));
    const partial: [number[], SendResult][] = [];
    options.onPartial = (records, answer) => { partial.push([records, answer]); };
    expect(await deliver(range(4), options)).toEqual({ outcome: 'done' });
    expect(partial).toEqual([[range(4), { status: 200, retryAfter: null, rejected: 2, rejectedWhy: 'bad time' }]]);
    // an empty partialSuccess, or none, is a full success
    expect(partialSuccessOf({ partialSuccess: {} })).toEqual({});
    expect(partialSuccessOf({})).toEqual({});
    expect(partialSuccessOf(null)).toEqual({});
  });

  it('splits a body over maxBytes before sending it, and sends a single record over it anyway', async () => {
    const { options, sent } = recorder(() => ok, 11);
    expect(await deliver([1000, 2000, 3000, 4000, 123456789012], options)).toEqual({ outcome: 'done' });
    expect(sent).toEqual([[1000, 2000], [3000], [4000], [123456789012]]);
  });

  it('tells onSent the records of each request that was taken, and only those', async () => {
    const answers: SendResult[] = [{ status: 400, retryAfter: null }, ok, { status: 503, retryAfter: null }];
    const { options } = recorder(() => answers.shift() ?? ok);
    const went: number[][] = [];
    options.onSent = (records) => { went.push(records); };
    expect((await deliver(range(4), options)).outcome).toBe('retry');
    expect(went).toEqual([[0, 1]]);
  });

  it('counts the cap in bytes of UTF-8, not in characters', async () => {
    const sent: string[][] = [];
    const options: DeliveryOptions<string> = {
      encode: (records) => JSON.stringify(records), send: async (_body, records) => { sent.push(records); return ok; },
      maxBytes: 30, onRejected: () => undefined,
    };
    // ["日日日日日","日日日日日"] is 17 characters but 37 bytes: over the cap, so split in two of 19 bytes
    expect(await deliver(['日日日日日', '日日日日日'], options)).toEqual({ outcome: 'done' });
    expect(sent).toEqual([['日日日日日'], ['日日日日日']]);
  });

  it('ends at a retry or a stop with the answer, after sending only the first records', async () => {
    const answers: SendResult[] = [{ status: 413, retryAfter: null }, ok, { status: 503, retryAfter: '2' }];
    const { options, sent, taken } = recorder(() => answers.shift() ?? ok);
    expect(await deliver(range(4), options)).toEqual({ outcome: 'retry', answer: { status: 503, retryAfter: '2' } });
    expect(sent).toEqual([range(4), [0, 1], [2, 3]]);
    expect(taken).toEqual([0, 1]);
    const stopped = recorder(() => ({ status: 401, retryAfter: null }));
    expect(await deliver(range(4), stopped.options)).toMatchObject({ outcome: 'stop', answer: { status: 401 } });
    expect(stopped.sent).toHaveLength(1);
  });

  it('sends nothing for no records', async () => {
    const { options, sent } = recorder(() => ok);
    expect(await deliver([], options)).toEqual({ outcome: 'done' });
    expect(sent).toEqual([]);
  });
});

describe('the retry policy', () => {
  it('maps statuses to outcomes', () => {
    expect([null, 200, 204, 408, 429, 500, 503, 400, 413, 401, 403].map(outcomeOf))
      .toEqual(['retry', 'done', 'done', 'retry', 'retry', 'retry', 'retry', 'split', 'split', 'stop', 'stop']);
  });

  it('doubles the backoff up to 60 s, with jitter, and reads Retry-After as seconds or a date', () => {
    expect(backoffMs(1, 500, () => 1)).toBe(500);
    expect(backoffMs(3, 500, () => 0)).toBe(1000);
    expect(backoffMs(30, 500, () => 1)).toBe(60_000);
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('a sleep ends at wake(), and after stop() none waits', async () => {
    const scheduler = retryScheduler(60_000);
    const start = Date.now();
    const sleeping = scheduler.waitToRetry(null);
    scheduler.wake();
    await sleeping;
    const asleep = scheduler.sleep(60_000);
    scheduler.stop();
    await asleep;
    await scheduler.sleep(60_000);
    expect(scheduler.stopped).toBe(true);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});
