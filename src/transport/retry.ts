// When to send again: one policy for the browser flusher, the edge flusher and the collector's
// forwarder. Exponential backoff with full jitter, capped; Retry-After honoured.

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
