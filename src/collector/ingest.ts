// Reading and decoding one OTLP body: size limits (before and after gzip), JSON, the OTLP shape,
// the number of records, and storing them a slice at a time.
import type { IncomingMessage } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { constants, gunzip, gunzipSync } from 'node:zlib';
import { decodeRequest, OtlpFormatError, type DecodeResult } from '../transport/otlp.js';
import { scanRequest, type ScannedRequest } from './otlp-scan.js';
import { sliceLines } from './line-bytes.js';
import type { AcceptResult } from './receiver.js';

/** A request that cannot be taken, with the status to answer. */
export class IngestError extends Error {
  /**
   * @param unread the request's body was not read to its end: the connection must close after the
   *   answer, and a client still sending may see it reset
   */
  constructor(readonly status: number, message: string, readonly unread = false) {
    super(message);
    this.name = 'IngestError';
  }
}

// a body over the limit is still read to its end, and thrown away, before the 413 is sent: a client
// that sends its whole body before it reads (most HTTP/1.1 clients) otherwise writes into a closed
// socket and sees EPIPE or ECONNRESET, not the 413, and sends the same body again. Bounded: past
// this much more, or this long, the 413 goes at once and the connection closes
const DISCARD_BYTES = 64 * 1024 * 1024;
const DISCARD_MS = 30_000;

/**
 * Reads a request body up to `limit` bytes. Beyond it, reads the rest without keeping it (at most
 * 64 MiB more, for at most 30 s), then throws a 413.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooBig = (unread: boolean) => new IngestError(413, `body over ${limit} bytes`, unread);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit + DISCARD_BYTES) return Promise.reject(tooBig(true));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (outcome: Buffer | IngestError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (outcome instanceof IngestError) reject(outcome);
      else resolve(outcome);
    };
    const overflow = (): void => {
      over = true;
      chunks.length = 0;
      timer = setTimeout(() => finish(tooBig(true)), DISCARD_MS);
      timer.unref();
    };
    if (Number.isFinite(declared) && declared > limit) overflow();
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit + DISCARD_BYTES) return finish(tooBig(true));
      if (over) return;
      if (size > limit) return overflow();
      chunks.push(chunk);
    });
    req.on('end', () => finish(over ? tooBig(false) : Buffer.concat(chunks)));
    req.on('error', (err) => finish(new IngestError(400, `body could not be read: ${err.message}`, true)));
  });
}

const MAX_CHUNK = 1024 * 1024;

/** Gunzips with a cap on the output, so a small bomb cannot fill memory. */
export function inflate(body: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // zlib hands back its output a chunk at a time, each a callback on the event loop: a chunk of
    // about what the body inflates to (JSON of logs inflates some 25 times) instead of 16 KiB makes
    // a 1,000-record body two callbacks, not twenty
    const chunkSize = Math.min(MAX_CHUNK, Math.max(constants.Z_DEFAULT_CHUNK, body.length * 32));
    gunzip(body, { maxOutputLength: limit, chunkSize }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new IngestError(413, `decompressed body over ${limit} bytes`));
      else reject(new IngestError(400, `body is not valid gzip: ${err.message}`));
    });
  });
}

/** The bytes of a body, gunzipped when `encoding` says gzip; throws IngestError (415) for any other encoding. */
export async function bodyBytes(raw: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const enc = (encoding ?? 'identity').toLowerCase().trim();
  if (enc === 'gzip') return inflate(raw, limit);
  if (enc !== 'identity' && enc !== '') throw new IngestError(415, `content-encoding ${enc} is not supported; send gzip or none`);
  return raw;
}

/** The JSON a body's bytes hold; throws IngestError (400) when they are not JSON. */
export function parseJson(body: Buffer): unknown {
  try {
    // JSON.parse makes "__proto__" an own key, never a prototype; decoding reads known keys only
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new IngestError(400, `body is not JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}

/** A request's body as the collector reads it: scanned when it is in isolog's own shape, else parsed. */
export type ReadRequest = { scanned: ScannedRequest } | { parsed: unknown };

/**
 * A body's bytes to what they hold: the scanner's records when it reads them (otlp-scan.ts), else
 * the JSON; throws IngestError (400) when they are not JSON.
 */
export function readRequest(body: Buffer): ReadRequest {
  const scanned = scanRequest(body);
  return scanned ? { scanned } : { parsed: parseJson(body) };
}

/** The batchId a WebSocket message carries, as JSON.parse reads it; undefined when none. */
export function batchIdOf(request: ReadRequest): unknown {
  if ('scanned' in request) return request.scanned.batchId;
  const { parsed } = request;
  return typeof parsed === 'object' && parsed !== null ? (parsed as { batchId?: unknown }).batchId : undefined;
}

/** Parsed JSON to decoded records; throws IngestError (400) when it is not an OTLP request. */
export function decodeParsed(parsed: unknown): DecodeResult {
  try {
    return decodeRequest(parsed);
  } catch (err) {
    if (err instanceof OtlpFormatError) throw new IngestError(400, err.message);
    throw new IngestError(400, `body could not be decoded: ${(err as Error).message.slice(0, 200)}`);
  }
}

// records decoded and handed to the receiver between two turns of the event loop, so that one
// request of many small records does not hold up the others, or /healthz: at most some 30 ms of
// work. Not fewer: each slice is one receiver.accept(), a batch stored whole or not at all with the
// group it joins (receiver.ts); a request up to this size stays one such batch
const SLICE_RECORDS = 2000;

type Entries = Record<string, unknown>[];
type Accept = (decoded: DecodeResult) => AcceptResult | Promise<AcceptResult>;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The records of an OTLP request, counted without decoding them. */
function countRecords(request: { resourceLogs: Entries }): number {
  let n = 0;
  for (const rl of request.resourceLogs) for (const sl of rl.scopeLogs as Entries) n += (sl.logRecords as unknown[]).length;
  return n;
}

/**
 * Throws IngestError (400) with decodeRequest's own message unless `parsed` is shaped as an OTLP
 * request: a copy with no records is decoded, which costs nothing per record.
 */
function checkShape(parsed: unknown): asserts parsed is { resourceLogs: Entries } {
  const bare = isObject(parsed) && Array.isArray(parsed.resourceLogs)
    ? { resourceLogs: parsed.resourceLogs.map((rl: unknown) => (isObject(rl) && Array.isArray(rl.scopeLogs)
      ? { ...rl, scopeLogs: rl.scopeLogs.map((sl: unknown) => (isObject(sl) && Array.isArray(sl.logRecords) ? { ...sl, logRecords: [] } : sl)) }
      : rl)) }
    : parsed;
  decodeParsed(bare);
}

/** The request as requests of at most `size` records each, their resources and scopes kept. */
function* slices(request: { resourceLogs: Entries }, size: number): Generator<{ resourceLogs: Entries }> {
  let resources: Entries = [];
  let n = 0;
  for (const rl of request.resourceLogs) {
    let scopes: Entries = [];
    for (const sl of rl.scopeLogs as Entries) {
      const logRecords = sl.logRecords as unknown[];
      for (let i = 0; i < logRecords.length;) {
        const take = Math.min(size - n, logRecords.length - i);
        scopes.push({ ...sl, logRecords: logRecords.slice(i, i + take) });
        i += take;
        n += take;
        if (n < size) continue;
        resources.push({ ...rl, scopeLogs: scopes });
        yield { resourceLogs: resources };
        resources = [];
        scopes = [];
        n = 0;
      }
    }
    if (scopes.length) resources.push({ ...rl, scopeLogs: scopes });
  }
  if (resources.length) yield { resourceLogs: resources };
}

/**
 * Decodes a parsed OTLP request and hands its records to `accept` a slice at a time, letting the
 * event loop turn between slices; the results are added up once every slice is stored. A request
 * of more than `maxRecords` records is refused whole (413, so that a client splits it) before any
 * is stored. A slice that `accept` refuses (503) fails the request: no slice is handed over after
 * the refusal is known, those stored stay stored, and the resent request is deduplicated by uid;
 * records without one (from other OTLP clients) in those slices are stored again.
 */
export async function ingestParsed(parsed: unknown, accept: Accept, maxRecords: number): Promise<AcceptResult> {
  checkShape(parsed);
  checkCount(countRecords(parsed), maxRecords);
  return acceptSlices((function* () {
    for (const slice of slices(parsed, SLICE_RECORDS)) yield decodeParsed(slice);
  })(), accept);
}

/** As ingestParsed, for a request the scanner read: its records, and their lines, a slice at a time. */
export function ingestScanned(scanned: ScannedRequest, accept: Accept, maxRecords: number): Promise<AcceptResult> {
  checkCount(scanned.records.length + scanned.rejected, maxRecords);
  // a request of no records stores nothing, and waits for no group (as ingestParsed's)
  if (scanned.records.length === 0 && scanned.rejected === 0) return acceptSlices([], accept);
  const slices: DecodeResult[] = [];
  for (let at = 0; at < scanned.records.length || at === 0; at += SLICE_RECORDS) {
    // the records rejected while reading are counted with the first slice
    slices.push({
      records: scanned.records.slice(at, at + SLICE_RECORDS), lines: sliceLines(scanned.lines, at, at + SLICE_RECORDS),
      rejected: at === 0 ? scanned.rejected : 0, errors: at === 0 ? scanned.errors : [],
    });
  }
  return acceptSlices(taken(slices), accept);
}

/**
 * The items, each let go of as it is taken: acceptSlices holds what it iterates until every slice
 * is stored, and a slice's records (with the body's text they are slices of) would otherwise live
 * through young-generation collections, to be copied, while the group they joined is written.
 */
function* taken<T>(items: T[]): Generator<T> {
  while (items.length > 0) yield items.shift() as T;
}

/** As ingestParsed or ingestScanned, whichever way the request was read. */
export function ingestRequest(request: ReadRequest, accept: Accept, maxRecords: number): Promise<AcceptResult> {
  return 'scanned' in request ? ingestScanned(request.scanned, accept, maxRecords) : ingestParsed(request.parsed, accept, maxRecords);
}

/** Refuses a request of more than `maxRecords` records whole (413), so that its client splits it. */
function checkCount(count: number, maxRecords: number): void {
  if (count > maxRecords) {
    throw new IngestError(413, `${count} records in one request; the collector takes at most ${maxRecords} (--max-records): send them in smaller batches`);
  }
}

/**
 * Hands each slice to `accept`, letting the event loop turn between them, and without waiting for
 * one to be on disk before the next goes (a 10,000-record request waited for five fsyncs in a
 * row); the results added up once all are stored. Throws the first refusal, once all are settled.
 */
async function acceptSlices(decoded: Iterable<DecodeResult>, accept: Accept): Promise<AcceptResult> {
  const handed: Promise<AcceptResult>[] = [];
  let refused = false;
  let first = true;
  let unreadable: unknown = null;
  try {
    for (const slice of decoded) {
      if (!first) await nextTurn();
      first = false;
      if (refused) break;
      const stored = Promise.resolve().then(() => accept(slice));
      stored.catch(() => { refused = true; });
      handed.push(stored);
    }
  } catch (err) {
    // a slice that cannot be decoded (400): answered once the slices handed before it are settled
    unreadable = err;
  }
  const settled = await Promise.allSettled(handed);
  if (unreadable !== null) throw unreadable;
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  const total: AcceptResult = { accepted: 0, duplicates: 0, rejected: 0, errors: [] };
  for (const { value: result } of settled as PromiseFulfilledResult<AcceptResult>[]) {
    total.accepted += result.accepted;
    total.duplicates += result.duplicates;
    total.rejected += result.rejected;
    for (const error of result.errors) if (total.errors.length < 5 && !total.errors.includes(error)) total.errors.push(error);
  }
  return total;
}

// isolog's WebSocket sender writes the batch id first ({"batchId":…,"resourceLogs":…}), so it can be
// read from a message's first bytes: before the message is rate-limited, and when the rest cannot be
// parsed. A nack then names the batch it refuses, and the sender need not wait out its ack timeout
const BATCH_ID_FIRST = /^\s*\{\s*"batchId"\s*:\s*("(?:[^"\\\x00-\x1f]|\\.){0,256}"|-?\d{1,16})\s*[,}]/;
const PEEK_BYTES = 512;
// what the first 512 bytes of gzip may inflate to (about 1,000 to 1 at most), so a bomb stops here
const PEEK_INFLATED = 1024 * 1024;

/** The batchId a WebSocket message (gzip when binary) starts with, read from its first bytes; null if none. */
export function peekBatchId(raw: Buffer, gzipped: boolean): string | number | null {
  let head = raw.subarray(0, PEEK_BYTES);
  if (gzipped) {
    try {
      // Z_SYNC_FLUSH: what the bytes so far inflate to, not an error for the missing rest
      head = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: PEEK_INFLATED }).subarray(0, PEEK_BYTES);
    } catch {
      return null;
    }
  }
  const found = BATCH_ID_FIRST.exec(head.toString('utf8'));
  if (!found) return null;
  const id: unknown = JSON.parse(found[1]);
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** Content types taken on /v1/logs: OTLP JSON, and text/plain from sendBeacon. */
export function acceptsContentType(type: string | undefined): boolean {
  const base = (type ?? '').split(';')[0].trim().toLowerCase();
  return base === 'application/json' || base === 'text/plain' || base === '';
}
