// What a request must pass before its body is read: the token and the client's rate (its origin: origin.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Compares tokens in constant time (digests first, so lengths do not leak either). */
export function tokensMatch(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** @internal The token a request carries: `Authorization: Bearer T`, or `?token=T` (beacons cannot set headers). */
export function tokenOf(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  return url.searchParams.get('token');
}

/** Per-client token buckets: `perSecond` requests a second, bursts up to `burst`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(readonly perSecond: number, readonly burst: number, private readonly now: () => number = Date.now) {}

  /** 0 when the request may go on, else the milliseconds until it may. */
  take(client: string): number {
    if (this.perSecond <= 0) return 0;
    const now = this.now();
    let bucket = this.buckets.get(client);
    if (!bucket) {
      // forget idle clients rather than grow without bound
      if (this.buckets.size >= 10_000) this.buckets.clear();
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000);
  }
}

const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/g;

/** Escapes control characters and line breaks, so one record is one line of text and cannot forge another. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code < 0x100 ? '\\x' + code.toString(16).padStart(2, '0') : '\\u' + code.toString(16).padStart(4, '0');
  });
}

/**
 * Names each distinct refused value (an origin, a host) once in the collector's terminal: a hostile
 * client could send a new one with every request, so after `limit` of them one note says it stops.
 */
export class RefusalNotices {
  private readonly seen = new Set<string>();
  private full = false;

  /** @param what the plural the last note names: `different origins` */
  constructor(private readonly report: (text: string) => void, private readonly limit: number, private readonly what: string) {}

  /** Reports `text()` the first time `key` is refused. */
  notice(key: string, text: () => string): void {
    if (this.seen.has(key) || this.full) return;
    if (this.seen.size >= this.limit) {
      this.full = true;
      this.report(`isolog collect: refused requests ${this.what}; not naming any more of them`);
      return;
    }
    this.seen.add(key);
    this.report(`isolog collect: ${text()}`);
  }
}
