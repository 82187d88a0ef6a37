// Reading and decoding one OTLP body: size limits (before and after gzip), JSON, the OTLP shape.
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { decodeRequest, OtlpFormatError, type DecodeResult } from '../transport/otlp.js';

/** A request that cannot be taken, with the status to answer. */
export class IngestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'IngestError';
  }
}

/** Reads a request body up to `limit` bytes; beyond it, throws a 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new IngestError(413, `body over ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(new IngestError(413, `body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => { if (!done) { done = true; resolve(Buffer.concat(chunks)); } });
    req.on('error', (err) => { if (!done) { done = true; reject(new IngestError(400, `body could not be read: ${err.message}`)); } });
  });
}

/** Gunzips with a cap on the output, so a small bomb cannot fill memory. */
export function inflate(body: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(body, { maxOutputLength: limit }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new IngestError(413, `decompressed body over ${limit} bytes`));
      else reject(new IngestError(400, `body is not valid gzip: ${err.message}`));
    });
  });
}

/**
 * Bytes (possibly gzipped) to the JSON they hold, for an HTTP body and a WebSocket message alike;
 * throws IngestError with the status to answer.
 */
export async function parseBody(raw: Buffer, encoding: string | undefined, limit: number): Promise<unknown> {
  let body = raw;
  const enc = (encoding ?? 'identity').toLowerCase().trim();
  if (enc === 'gzip') body = await inflate(raw, limit);
  else if (enc !== 'identity' && enc !== '') throw new IngestError(415, `content-encoding ${enc} is not supported; send gzip or none`);
  try {
    // JSON.parse makes "__proto__" an own key, never a prototype; decoding reads known keys only
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new IngestError(400, `body is not JSON: ${(err as Error).message.slice(0, 200)}`);
  }
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

/** Bytes (possibly gzipped) to decoded records; throws IngestError with the status to answer. */
export async function decodeBody(raw: Buffer, encoding: string | undefined, limit: number): Promise<DecodeResult> {
  return decodeParsed(await parseBody(raw, encoding, limit));
}

/** Content types taken on /v1/logs: OTLP JSON, and text/plain from sendBeacon. */
export function acceptsContentType(type: string | undefined): boolean {
  const base = (type ?? '').split(';')[0].trim().toLowerCase();
  return base === 'application/json' || base === 'text/plain' || base === '';
}
