// Sending one OTLP JSON body with fetch: gzip through CompressionStream when it saves bytes; a 2xx's
// body is read for OTLP's partialSuccess, the records the collector took and still rejected.

/**
 * What came back: the status (null for a network error) and Retry-After; for a 2xx whose body
 * carried OTLP's partialSuccess, how many records the collector rejected and its reason.
 */
export interface SendResult { status: number | null; retryAfter: string | null; error?: string; rejected?: number; rejectedWhy?: string }

/**
 * OTLP's `partialSuccess` in an answer (HTTP body or WebSocket ack): records the collector took the
 * request for and still did not store. `rejectedLogRecords` is an int64, so a string or a number.
 */
export function partialSuccessOf(answer: unknown): Pick<SendResult, 'rejected' | 'rejectedWhy'> {
  const partial = (answer as { partialSuccess?: { rejectedLogRecords?: unknown; errorMessage?: unknown } } | null)?.partialSuccess;
  const rejected = Number(partial?.rejectedLogRecords);
  return rejected > 0 ? { rejected, rejectedWhy: String(partial?.errorMessage || 'no reason given') } : {};
}

const GZIP_FROM = 1024;
/** Bytes written to the gzip stream at a time: a few milliseconds of deflate between two paces. */
const GZIP_CHUNK = 64 * 1024;

async function gzip(text: string, pace?: () => Promise<void>): Promise<Uint8Array<ArrayBuffer> | null> {
  if (typeof CompressionStream === 'undefined' || text.length < GZIP_FROM) return null;
  // bytes written straight into the stream: a Blob would be registered with the browser process
  // through the page's main thread, a cost the page pays for every request
  const compression = new CompressionStream('gzip');
  const writer = compression.writable.getWriter();
  const compressed = new Response(compression.readable).arrayBuffer();
  const bytes = new TextEncoder().encode(text);
  // in chunks, each compressed before the next, with `pace` awaited between them; a failed write
  // fails the read, which is where it is handled
  try {
    for (let at = 0; at < bytes.length; at += GZIP_CHUNK) {
      await writer.write(bytes.subarray(at, at + GZIP_CHUNK));
      await pace?.();
    }
    await writer.close();
  } catch {
    /* the read fails too */
  }
  return new Uint8Array(await compressed);
}

/** How postOtlp sends: the token, the request's timeout, gzip, which fetch, and a signal that aborts it early. */
export interface PostOptions {
  token?: string;
  /** Default 30 s; null: none of its own, for a caller whose `signal` bounds the request. */
  timeoutMs?: number | null;
  /** Default true: gzip where CompressionStream exists and it saves bytes. */
  gzip?: boolean;
  /** The fetch to call (a runtime's bound fetch, a test's); by default the global one, looked up at each call. */
  fetch?: typeof fetch;
  /** Aborts the request (and the read of its answer) before its timeout: a close() at its deadline. */
  signal?: AbortSignal;
  /** Awaited between chunks of the gzip, which then runs in slices: a worker's flusher lets the worker's puts go first. */
  pace?: () => Promise<void>;
}

/** The request's timeout, and the caller's signal with it where AbortSignal.any exists (else the caller's alone). */
function signalOf(options: PostOptions): AbortSignal {
  if (options.timeoutMs === null && options.signal) return options.signal;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  if (!options.signal) return timeout;
  return typeof AbortSignal.any === 'function' ? AbortSignal.any([options.signal, timeout]) : options.signal;
}

/**
 * POSTs an OTLP JSON body, gzipped when that saves bytes (unless `gzip: false`). Never throws: a
 * network failure (or an abort) is `{ status: null }`. The answer's body is always read to its end,
 * so that no runtime holds the connection for it (workerd warns of unread bodies).
 * @example const { status } = await postOtlp('http://127.0.0.1:4318/v1/logs', JSON.stringify(request))
 */
export async function postOtlp(url: string, body: string, options: PostOptions = {}): Promise<SendResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | Uint8Array<ArrayBuffer> = body;
  try {
    const zipped = options.gzip === false ? null : await gzip(body, options.pace);
    if (zipped && zipped.byteLength < body.length) {
      payload = zipped;
      headers['content-encoding'] = 'gzip';
    }
  } catch {
    /* send it as it is */
  }
  try {
    const res = await (options.fetch ?? fetch)(url, {
      method: 'POST', headers, body: payload, credentials: 'omit', signal: signalOf(options),
    });
    const text = await res.text().catch(() => '');
    let answer: unknown = null;
    try { answer = res.ok && text ? JSON.parse(text) : null; } catch { /* not JSON: nothing partial in it */ }
    return { status: res.status, retryAfter: res.headers.get('retry-after'), ...partialSuccessOf(answer) };
  } catch (err) {
    return { status: null, retryAfter: null, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}
