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

async function gzip(text: string): Promise<Uint8Array<ArrayBuffer> | null> {
  if (typeof CompressionStream === 'undefined' || text.length < GZIP_FROM) return null;
  // bytes written straight into the stream: a Blob would be registered with the browser process
  // through the page's main thread, a cost the page pays for every request
  const compression = new CompressionStream('gzip');
  const writer = compression.writable.getWriter();
  // a failed write fails the read below too, which is where it is handled
  writer.write(new TextEncoder().encode(text)).catch(() => undefined);
  writer.close().catch(() => undefined);
  return new Uint8Array(await new Response(compression.readable).arrayBuffer());
}

/**
 * POSTs an OTLP JSON body, gzipped when that saves bytes (unless `gzip: false`). Never throws: a
 * network failure is `{ status: null }`.
 * @example const { status } = await postOtlp('http://127.0.0.1:4318/v1/logs', JSON.stringify(request))
 */
export async function postOtlp(url: string, body: string, options: { token?: string; timeoutMs?: number; gzip?: boolean } = {}): Promise<SendResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | Uint8Array<ArrayBuffer> = body;
  try {
    const zipped = options.gzip === false ? null : await gzip(body);
    if (zipped && zipped.byteLength < body.length) {
      payload = zipped;
      headers['content-encoding'] = 'gzip';
    }
  } catch {
    /* send it as it is */
  }
  try {
    const res = await fetch(url, {
      method: 'POST', headers, body: payload, credentials: 'omit',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await res.text().catch(() => '');
    let answer: unknown = null;
    try { answer = res.ok && text ? JSON.parse(text) : null; } catch { /* not JSON: nothing partial in it */ }
    return { status: res.status, retryAfter: res.headers.get('retry-after'), ...partialSuccessOf(answer) };
  } catch (err) {
    return { status: null, retryAfter: null, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}
