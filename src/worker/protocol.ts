// The messages between the page (QueueHandler side) and the worker (QueueListener side), through
// Comlink. Bump PROTOCOL_VERSION on any change; the worker refuses a page of another version.

export const PROTOCOL_VERSION = 4;

/**
 * A batch as the page posts it: one column per field, so the structured clone copies arrays of
 * strings and numbers rather than one object per record. Messages are merged with their arguments,
 * values made JSON-safe and masked in the worker (prepareBatch), not on the thread that logs.
 */
export interface RawBatch {
  uidPrefix: string;
  seq: number[];
  /** A uid given to a record explicitly (a record from elsewhere), else null: prefix + seq. */
  uid: (string | null)[];
  created: number[];
  levelno: number[];
  levelname: string[];
  name: string[];
  msg: unknown[];
  args: unknown[];
  exc: (string | null)[];
  stack: (string | null)[];
  extra: (Record<string, unknown> | null)[];
}

/** Which keys to mask, and with what. */
export interface RedactSpec { keys: (string | RegExp)[]; replacement: string }

/** A record as it crosses to the worker: plain data (see QueueHandler.prepare). */
export interface WireRecord {
  [field: string]: unknown;
  name: string;
  msg: string;
  levelno: number;
  levelname: string;
  created: number;
  uid: string;
  exc_text: string | null;
  stack_info: string | null;
}

/** How the worker ships batches. */
export interface TransportConfig {
  /** OTLP endpoint: http(s)://host/v1/logs, or ws(s)://host/v1/logs for the WebSocket transport. */
  collector: string;
  transport: 'fetch' | 'websocket';
  token?: string;
  /** Records per request at most. */
  maxRecordsPerRequest: number;
  /** Bytes (JSON, before gzip) per request at most. */
  maxBytesPerRequest: number;
  /** First retry delay; doubles up to 60 s. */
  retryBaseMs: number;
}

/** Caps of the durable queue; past them the oldest batches are dropped, counted and reported. */
export interface StorageConfig {
  maxRecords: number;
  maxBytes: number;
  /** IndexedDB database name (one per origin by default). */
  database: string;
}

export interface WorkerInit {
  version: number;
  transport: TransportConfig;
  storage: StorageConfig;
  resource: Record<string, unknown>;
  redact: RedactSpec | null;
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
}

/** What the worker exposes to the page. */
export interface ListenerApi {
  init(init: WorkerInit): Promise<{ version: number; durableStorage: boolean }>;
  /** Stores one batch (a RawBatch as JSON, of `count` records); resolves once it is durable. */
  put(batch: string, count: number): Promise<void>;
  /** Resolves when every record stored before the call has been acknowledged, or rejects after `timeoutMs`. */
  flush(timeoutMs: number): Promise<void>;
  stats(): Promise<PipelineStats>;
  stop(): Promise<void>;
}
