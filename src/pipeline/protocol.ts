// The messages between the page (QueueHandler side) and the worker (QueueListener side): calls of
// ListenerApi as postMessage messages (ListenerCall, answered by ListenerAnswer; ListenerReport for
// the worker's own problems). Bump PROTOCOL_VERSION on any change; the worker refuses a page of
// another version.

export const PROTOCOL_VERSION = 9;

/**
 * A batch as the page lays it out before posting it as one JSON string (a structured clone copies a
 * string as memory; it walks objects and even typed arrays at far greater cost): columns of numbers,
 * repeated logger names and message templates written once, mostly-empty fields only where set.
 * What is keyed by a number travels as [number, value] pairs: one object with integer keys drops
 * V8's JSON.stringify off its fast path for the whole batch (about 3x slower, measured in Chromium).
 * The worker stores the string as it came and reads it back with decodeBatch when it sends (batches
 * of protocol 5, with such objects, may still be stored after an update, and still read).
 * Values are already JSON-safe and masked.
 */
export interface RawBatch {
  /** The page's uid prefix: a record's uid is the prefix and its seq in base 36. */
  uidPrefix: string;
  /** seq of the first record; the others follow by one unless seqOffsets says otherwise. */
  seqStart: number;
  /** Each record's seq minus seqStart, present only when they do not follow by one. */
  seqOffsets?: number[];
  /** How many records the batch holds. */
  count: number;
  /** `created` of the first record, in whole ms since the epoch. */
  createdStart: number;
  /**
   * Where the time moves on, as flat pairs [record index, ms since the record before it, …]; a
   * record not listed has the time of the one before it (records of one task mostly share it).
   */
  createdSteps: number[];
  /** The distinct logger names and messages (templates, or messages the page formatted). */
  names: string[];
  messages: string[];
  /**
   * The distinct call sites of the batch as [levelno, index in names, index in messages, argc]:
   * argc is how many of `argv` the message takes (Python's `%` merges them in the worker), 0 when
   * the message is final, -1 when its one argument is a mapping, in `mappings`.
   */
  sites: [number, number, number, number][];
  /**
   * Where the call site changes, as flat pairs [record index, index in sites, …]: from that record
   * on, records are of that site until the next pair. Records from one call site come in runs.
   */
  siteRuns: number[];
  /** [levelno, levelname] for the levels in the batch, as registered. */
  levelnames: ByNumber<string>;
  /** Every record's positional arguments in a row: strings, finite numbers, booleans, null. */
  argv: unknown[];
  /** [record index, mapping] for the records whose argument is a mapping. */
  mappings?: ByNumber<Record<string, unknown>>;
  /** Extra fields by key: the values, one per record that has the key. */
  extra: Record<string, unknown[]>;
  /** For a key that not every record has: the indexes of the records that do. */
  extraAt?: Record<string, number[]>;
  /** [record index, value], only where set: exception text, stack, a uid given explicitly, a levelname that differs. */
  exc?: ByNumber<string>;
  stack?: ByNumber<string>;
  uid?: ByNumber<string>;
  levelname?: ByNumber<string>;
}

/** Values by a number (a level, a record's index) as [number, value] pairs; protocol 5 wrote an object. */
export type ByNumber<T> = [number, T][] | Record<number, T>;

/** Protocol 5's per-record columns, still read from batches stored before an update. */
export interface RawBatchV5 {
  /** Each record's `created` in whole ms, minus the previous record's. */
  created: number[];
  /** Each record's index in sites. */
  site: number[];
}

/** How the worker ships batches. */
export interface TransportConfig {
  /** OTLP endpoint: http(s)://host/v1/logs, or ws(s)://host/v1/logs for the WebSocket transport. */
  collector: string;
  transport: 'fetch' | 'websocket';
  token?: string;
  /** Records per request at most. */
  maxRecordsPerRequest: number;
  /**
   * Bytes of one request's OTLP JSON body (before gzip) at most; more records are split into more
   * requests. Default MAX_BYTES_PER_REQUEST (transport/delivery.ts), applied where requests are made.
   */
  maxBytesPerRequest?: number;
  /** First retry delay; doubles up to 60 s. */
  retryBaseMs: number;
}

/** Caps of the durable queue; past them the oldest batches are dropped, counted and reported. */
export interface StorageConfig {
  maxRecords: number;
  maxBytes: number;
  /** IndexedDB database name, one per destination (pipeline/page/destination.ts); the flusher's lock and channel are named after it. */
  database: string;
}

/** The page's error context (startBrowserLogging's errorContext), kept in the worker: context-ring.ts. */
export interface ContextConfig {
  /** Records kept at most. */
  capacity: number;
  /** Records below this level wait in the ring. */
  passLevel: number;
  /** A record at or above this level ships the ring with it. */
  triggerLevel: number;
  /** Records older than this (by the trigger's time) are dropped, not shipped. */
  maxAgeSeconds: number;
}

/** What the error context did: records kept in the ring, shipped as some error's context, dropped as too old or too many. */
export interface ContextStats { kept: number; shipped: number; agedOut: number; pushedOut: number }

export interface WorkerInit {
  version: number;
  transport: TransportConfig;
  storage: StorageConfig;
  resource: Record<string, unknown>;
  /** Quiet records wait in a ring and ship only with an error; none when absent. */
  context?: ContextConfig;
}

/** Counts, as `stats()` returns them. */
export interface PipelineStats {
  logged: number;
  durable: number;
  sent: number;
  acknowledged: number;
  dropped: Record<string, number>;
  retries: number;
  lastError: string | null;
  /** Whether this worker stores in IndexedDB (false: memory only). */
  durableStorage: boolean;
  /** Whether this tab's worker holds the flusher lock now. */
  flushing: boolean;
  /** The error context's counts, when the page keeps one (errorContext). */
  context?: ContextStats;
}

/**
 * What a flush found: records stored before it and not acknowledged when it ended (0 unless it
 * timed out), and records dropped since the last flush, by reason (each drop told once).
 */
export interface FlushResult {
  notDelivered: number;
  dropped: Record<string, number>;
  lastError: string | null;
}

/** What the worker exposes to the page. */
export interface ListenerApi {
  /** `report` is the page's internal error channel (ListenerReport messages from a worker): the flusher's problems go there. */
  init(init: WorkerInit, report?: (text: string) => void): Promise<{ version: number; durableStorage: boolean }>;
  /**
   * Stores one batch (a RawBatch as JSON, of `count` records, already masked); resolves once it is
   * durable (or dropped at the caps, and counted), rejects when it could not be stored.
   */
  put(batch: string, count: number): Promise<void>;
  /** Waits until every record stored before the call has been acknowledged, or `timeoutMs`; never rejects. */
  flush(timeoutMs: number): Promise<FlushResult>;
  stats(): Promise<PipelineStats>;
  stop(): Promise<void>;
}

/** The methods of ListenerApi, the only names a ListenerCall may call. */
export const LISTENER_METHODS = ['init', 'put', 'flush', 'stats', 'stop'] as const;

/**
 * Page to worker: one call of ListenerApi. `init`'s `report` does not travel: the worker sends its
 * reports as ListenerReport messages.
 */
export interface ListenerCall { id: number; method: keyof ListenerApi; args: unknown[] }

/** Worker to page: the outcome of the call `id`, its value or the error it threw (name and message). */
export type ListenerAnswer = { id: number; value: unknown } | { id: number; error: { name: string; message: string } };

/** Worker to page: one text for the page's internal error channel. */
export interface ListenerReport { report: string }
