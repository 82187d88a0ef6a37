// FetchHandler's options and what it counts, apart from its behaviour: the types the edge entry and
// configure() are written against, the defaults, and the checks that turn a mistake into a ConfigError.
import { ConfigError } from '../config/config-error.js';
import { checkLevel, NOTSET } from '../core/level.js';
import { toJsonValue } from '../core/serialize.js';

/**
 * The runtime's `typeof fetch`, named without naming `fetch`: a program with no DOM or Node types
 * (an isolog/node consumer may have none) can still read these declarations.
 * @example new FetchHandler({ url, fetch: (input, init) => env.LOGS.fetch(input, init) })
 */
export type FetchFunction = typeof globalThis extends { fetch: infer F } ? F : (input: string, init?: object) => Promise<unknown>;

/**
 * Options of FetchHandler; only `url` is required.
 * @example const options: FetchHandlerOptions = { url: 'http://127.0.0.1:4318/v1/logs', token, flushIntervalMs: null };
 */
export interface FetchHandlerOptions {
  /** The OTLP/HTTP logs endpoint, e.g. `http://127.0.0.1:4318/v1/logs`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** OTLP resource attributes of every request (`service.name`…); none by default, as the browser's. */
  resource?: Record<string, unknown>;
  level?: number | string;
  /** Records per request at most (default 500); a request is also split under 4 MiB. */
  batchSize?: number;
  /** A batch goes this long after its first record without any flush() (default 1000); null: only flush() and close() send. */
  flushIntervalMs?: number | null;
  /** Records held unsent at most (default 10,000); past it new records are dropped (`dropped.overflow`). */
  maxRecords?: number;
  /** Bytes held unsent at most, each record counted as the UTF-8 length of its JSON (default 16 MiB); past it likewise. */
  maxBytes?: number;
  /** Each request's timeout (default 10 s). */
  requestTimeoutMs?: number;
  /** Gzip bodies where CompressionStream exists and it saves bytes (default true). */
  gzip?: boolean;
  /** The fetch to call; by default the global one, looked up at each request. */
  fetch?: FetchFunction;
  /** The first retry's delay, doubled each retry up to 60 s, jittered (default 1000, as the browser's). */
  retryBaseMs?: number;
}

/**
 * What a FetchHandler counts: `handled` is always `acknowledged + pending` plus every drop.
 * @example const { acknowledged, pending, dropped } = handler.stats;
 */
export interface FetchHandlerStats {
  /** Records emit() took, dropped ones too. */
  handled: number;
  /** Records the collector took (a 2xx), less those its partialSuccess rejected. */
  acknowledged: number;
  /** Records held: waiting, or in the request on its way. */
  pending: number;
  /** Dropped records by reason: overflow, rejected, timeout, closed, error (the record could not be prepared). */
  dropped: Record<string, number>;
  /** The last failed answer (`HTTP 503`, `network: …`), or null. */
  lastError: string | null;
}

/** The options checked, with their defaults: what a FetchHandler runs by. */
export interface FetchSettings {
  url: string;
  level: number;
  resource: Record<string, unknown>;
  batchSize: number;
  interval: number | null;
  maxRecords: number;
  maxBytes: number;
  requestTimeoutMs: number;
  retryBaseMs: number;
}

function atLeast(value: unknown, fallback: number, key: string, least: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= least)) throw new ConfigError(`FetchHandler: ${key} must be a number of at least ${least}; got ${JSON.stringify(value)}`);
  return value;
}

/**
 * FetchHandler's options checked and completed with the defaults; a ConfigError names the first bad one.
 * @example fetchSettings({ url: 'http://127.0.0.1:4318/v1/logs' }).batchSize // 500
 */
export function fetchSettings(options: FetchHandlerOptions): FetchSettings {
  if (typeof options?.url !== 'string' || !options.url) throw new ConfigError('FetchHandler: url must be the OTLP/HTTP logs endpoint, e.g. "http://127.0.0.1:4318/v1/logs"');
  return {
    url: options.url,
    level: options.level === undefined ? NOTSET : checkLevel(options.level),
    // JSON-safe once here: every request encodes it as it is
    resource: toJsonValue(options.resource ?? {}) as Record<string, unknown>,
    batchSize: atLeast(options.batchSize, 500, 'batchSize', 1),
    interval: options.flushIntervalMs === null ? null : atLeast(options.flushIntervalMs, 1000, 'flushIntervalMs', 0),
    maxRecords: atLeast(options.maxRecords, 10_000, 'maxRecords', 1),
    maxBytes: atLeast(options.maxBytes, 16 * 1024 * 1024, 'maxBytes', 1),
    requestTimeoutMs: atLeast(options.requestTimeoutMs, 10_000, 'requestTimeoutMs', 1),
    retryBaseMs: atLeast(options.retryBaseMs, 1000, 'retryBaseMs', 1),
  };
}
