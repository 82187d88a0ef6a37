// Delivering records to an OTLP endpoint, one loop for the browser flusher and the collector's
// forwarder: which answers retry, split or stop; when to send again (exponential backoff with full
// jitter, capped; Retry-After honoured); and deliver(), which splits a request until every record
// went or the one that cannot go stands alone.
import type { PlainRecord } from '../core/fields.js';
import type { SendResult } from './http.js';
import { encodeBody, type Pace } from './otlp-body.js';

/** What to do with a batch after an answer (or none). */
export type Outcome = 'done' | 'retry' | 'split' | 'stop';

/** A status code's outcome: 2xx done; network errors, 408, 429 and 5xx retry; 400/413 split; 401/403 stop. */
export function outcomeOf(status: number | null): Outcome {
  if (status === null) return 'retry';
  if (status >= 200 && status < 300) return 'done';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  if (status === 401 || status === 403) return 'stop';
  return 'split';
}

export const MAX_BACKOFF_MS = 60_000;

/** The largest request body the flusher and the forwarder send: 4 MiB, under a collector's usual 5 MiB limit. */
export const MAX_BYTES_PER_REQUEST = 4 * 1024 * 1024;

/** Delay before attempt `attempt` (1 = first retry): base * 2^(attempt-1), capped, full jitter. */
export function backoffMs(attempt: number, baseMs = 500, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(MAX_BACKOFF_MS, Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.min(MAX_BACKOFF_MS, Math.max(0, date - now));
}

/**
 * When to send again: counts the retries since the last success and waits Retry-After or the
 * backoff. Every wait is a sleep that wake() ends early (new records, the network back), and after
 * stop() no sleep waits at all.
 * @example const retries = retryScheduler(500); … await retries.waitToRetry(answer.retryAfter); … retries.succeeded()
 */
export interface RetryScheduler {
  /** Waits before the next retry: as long as Retry-After says, else the backoff for this attempt. */
  waitToRetry(retryAfter: string | null): Promise<void>;
  /** A request went through: the next retry waits the base delay again. */
  succeeded(): void;
  /** Waits `ms`, or less if wake() or stop() comes first; not at all once stopped. */
  sleep(ms: number): Promise<void>;
  /** Ends the current sleep now. */
  wake(): void;
  /** Ends the current sleep and every later one. */
  stop(): void;
  /** True once stop() was called. */
  readonly stopped: boolean;
}

/**
 * A RetryScheduler whose first retry waits about `baseMs` (half to all of it, jittered). With
 * `holdsProcess`, a sleep begun while it answers false does not keep a Node process alive (its timer
 * is unref'd where timers have unref): a sender nobody awaits must not hold the process open.
 */
export function retryScheduler(baseMs = 500, holdsProcess?: () => boolean): RetryScheduler {
  let attempt = 0;
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  const sleep = (ms: number): Promise<void> => (stopped ? Promise.resolve() : new Promise((resolve) => {
    // stop() may come while the caller was busy: it must not then wait out a sleep
    const timer = setTimeout(resolve, ms);
    if (holdsProcess && !holdsProcess()) (timer as unknown as { unref?: () => void }).unref?.();
    // a wake after the timer fired, or between sleeps, resolves what is already resolved: nothing
    wakeUp = () => { clearTimeout(timer); resolve(); };
  }));
  return {
    waitToRetry: (retryAfter) => sleep(retryAfterMs(retryAfter) ?? backoffMs(++attempt, baseMs)),
    succeeded() { attempt = 0; },
    sleep,
    wake() { wakeUp?.(); },
    stop() { stopped = true; wakeUp?.(); },
    get stopped() { return stopped; },
  };
}

const NOT_ASCII = /[^\x00-\x7f]/;

/** Bytes of `text` in UTF-8, as request caps and the keepalive budget count them (a string's length counts UTF-16 units). */
export function utf8Length(text: string): number {
  // most records are ASCII: one native scan says so, where the loop below costs a step per unit
  if (!NOT_ASCII.test(text)) return text.length;
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // 0x80-0x7ff: 2 bytes; other BMP: 3; a surrogate pair (2 units): 4
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c < 0xe000) ? 1 : 2;
  }
  return bytes;
}

/** Whether a body is over `maxBytes` of UTF-8: its length tells, unless it lies between a third of the cap and the cap. */
function overCap(body: string, maxBytes: number): boolean {
  if (body.length > maxBytes) return true;
  return body.length * 3 > maxBytes && utf8Length(body) > maxBytes;
}

/** What deliver() needs of its caller: how records become a body, how a body is sent, the cap. */
export interface DeliveryOptions<T> {
  /** The request body for some of the records (OTLP JSON), or a promise of it (encoded in slices). */
  encode(records: T[]): string | Promise<string>;
  /** Sends one body and resolves with the answer; never throws (a network failure is status null). */
  send(body: string, records: T[]): Promise<SendResult>;
  /** A body of more bytes of UTF-8 is split before it is sent, unless it is one record's. */
  maxBytes: number;
  /** A request was taken (a 2xx): these records went. */
  onSent?(records: T[]): void;
  /** A record answered 400/413 on its own: it is dropped, and this hears of it. */
  onRejected(record: T, answer: SendResult): void;
  /** A 2xx whose partialSuccess says the collector rejected some of `records` (OTLP does not say which). */
  onPartial?(records: T[], answer: SendResult): void;
}

/** How a delivery ended: every record sent or dropped, or the answer to retry later or to stop on. */
export type Delivery = { outcome: 'done' } | { outcome: 'retry' | 'stop'; answer: SendResult };

/**
 * Sends records; a 400/413, or a body over `maxBytes` before it is sent, splits them in halves until
 * the bad record stands alone, and that one is dropped (`onRejected`). A retry or stop anywhere ends
 * the delivery. The halves go in order, so the records sent (a 2xx to `send`) or dropped before it
 * ended are always the first ones.
 * @example const delivery = await deliver(records, { encode, send, maxBytes: 4 * 1024 * 1024, onRejected })
 */
export async function deliver<T>(records: T[], options: DeliveryOptions<T>): Promise<Delivery> {
  if (records.length === 0) return { outcome: 'done' };
  const body = await options.encode(records);
  // the cap bounds the encoded body, which the caller cannot know before encoding
  if (!overCap(body, options.maxBytes) || records.length === 1) {
    const answer = await options.send(body, records);
    const outcome = outcomeOf(answer.status);
    if (outcome === 'done') {
      options.onSent?.(records);
      if (answer.rejected) options.onPartial?.(records, answer);
      return { outcome };
    }
    if (outcome !== 'split') return { outcome, answer };
    if (records.length === 1) {
      options.onRejected(records[0], answer);
      return { outcome: 'done' };
    }
  }
  const half = Math.ceil(records.length / 2);
  const first = await deliver(records.slice(0, half), options);
  return first.outcome === 'done' ? deliver(records.slice(half), options) : first;
}

/** What a sender of isolog records counts: the flusher's stats, or the page's own. */
export interface DeliveryCounts { sent: number; dropped: Record<string, number>; lastError: string | null }

/**
 * deliver()'s options for isolog records: OTLP JSON under `resource`, sent by `send`, counting the
 * records sent, the last failed answer, and the records the collector refused (alone after a
 * 400/413, or in a 2xx's partialSuccess) as `dropped.rejected`, each refusal told to `problem`
 * with the collector's reason. `rejected` is how many so far. Bodies are encoded in slices
 * (encodeBody), with `pace` awaited after each: a worker's flusher lets the worker's puts go first.
 * @example const options = recordDelivery((body) => postOtlp(url, body), resource, 4 * 1024 * 1024, stats, report); await deliver(records, options)
 */
export function recordDelivery(send: (body: string) => Promise<SendResult>, resource: Record<string, unknown>, maxBytes: number,
  counts: DeliveryCounts, problem: (text: string) => void, pace?: Pace): DeliveryOptions<PlainRecord> & { rejected: number } {
  const options = {
    rejected: 0,
    maxBytes,
    encode: (records: PlainRecord[]): Promise<string> => encodeBody(records, resource, pace),
    async send(body: string, records: PlainRecord[]): Promise<SendResult> {
      counts.sent += records.length;
      const answer = await send(body);
      if (outcomeOf(answer.status) !== 'done') counts.lastError = answer.status === null ? `network: ${answer.error ?? 'no answer'}` : `HTTP ${answer.status}`;
      return answer;
    },
    onRejected(record: PlainRecord, answer: SendResult): void {
      reject(1, `isolog: the collector refused a record (HTTP ${answer.status}) and it was dropped: ${record.name}: ${record.msg.slice(0, 200)}`);
    },
    onPartial(records: PlainRecord[], answer: SendResult): void {
      const n = Math.min(answer.rejected as number, records.length);
      reject(n, `isolog: the collector took a request of ${records.length} records but rejected ${n} of them: ${answer.rejectedWhy}`);
    },
  };
  const reject = (n: number, text: string): void => {
    options.rejected += n;
    counts.dropped.rejected = (counts.dropped.rejected ?? 0) + n;
    problem(text);
  };
  return options;
}
