// The collector: OTLP/HTTP JSON and WebSocket ingest on /v1/logs, the live view, /healthz.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConfigError } from '../config/config-error.js';
import { configureTree, type DictConfig } from '../config/dict-config.js';
import { shutdown } from '../core/shutdown.js';
import { Formatter } from '../core/formatter.js';
import { allHandlers, type Handler } from '../core/handler.js';
import { describeError, reportInternalError } from '../core/internal-error.js';
import { JsonFormatter } from '../core/json-formatter.js';
import { WARNING } from '../core/level.js';
import { Manager, RootLogger } from '../core/logger.js';
import type { LogRecord } from '../core/record.js';
import '../runtime/node.js';
import type { DecodeResult } from '../transport/otlp.js';
import { DedupeStore } from './dedupe.js';
import { Forwarder } from './forward.js';
import { escapeControl, RateLimiter, tokenOf, tokensMatch } from './guard.js';
import { acceptsContentType, batchIdOf, bodyBytes, ingestRequest, IngestError, peekBatchId, readBody, readRequest, type ReadRequest } from './ingest.js';
import { allowedHostName, HostGate } from './host.js';
import { LevelsError, LevelStore, parseChange } from './levels.js';
import { LiveViewHandler, viewerRequest, type ViewerRequest } from './live-view.js';
import { FAVICON_SVG, LIVE_VIEW_CSP, LIVE_VIEW_PAGE } from './live-view-page.js';
import { corsOrigin, isLoopbackHost, OriginGate, sameOrigin } from './origin.js';
import { Receiver, type AcceptResult } from './receiver.js';
import { dirError, listenError } from './start-error.js';

/** Settings of `isolog collect`; each has a command-line flag of the same name. */
export interface CollectorOptions {
  host?: string;
  port?: number;
  dir?: string;
  token?: string;
  /**
   * Origins (scheme://host[:port], or `*`) whose pages may send. A loopback collector without a token
   * also lets in pages served from this machine (localhost, 127.x.x.x, [::1], any port).
   */
  cors?: string[];
  /**
   * Host names the collector also answers to (a reverse proxy's, a LAN name), or `*` for any (only
   * with a token). It always answers to IP addresses, localhost and --host, on any port; other Host
   * headers get 421, so that no web page can reach it by rebinding its own name to this machine.
   */
  allowHost?: string[];
  /** Rotate isolog.ndjson at this size (bytes). */
  maxBytes?: number;
  backupCount?: number;
  /** Relay accepted batches to this OTLP endpoint. */
  forward?: string;
  forwardToken?: string;
  /** Largest body taken, before and after gzip (bytes); 413 beyond. */
  bodyLimit?: number;
  /** Requests a second per client (and twice that in a burst); 429 beyond. 0 turns the limit off. */
  rate?: number;
  /** Most records taken in one request or WebSocket message; 413 beyond, so that the client splits it. */
  maxRecords?: number;
  /** The collector's own logging configuration (dictConfig); default: NDJSON to <dir>/isolog.ndjson. */
  logging?: DictConfig;
}

export const DEFAULTS = {
  host: '127.0.0.1', port: 4318, dir: './logs', maxBytes: 50 * 1024 * 1024, backupCount: 5,
  bodyLimit: 5 * 1024 * 1024, rate: 200, maxRecords: 50_000,
} as const;

/** A running collector. */
export interface Collector {
  readonly url: string;
  readonly port: number;
  readonly file: string | null;
  readonly receiver: Receiver;
  readonly forwarder: Forwarder | undefined;
  /** Which web pages may send, in words (the banner of `isolog collect` prints it). */
  readonly origins: string;
  /** Which Host names it answers to, in words (the banner prints it too). */
  readonly hosts: string;
  /**
   * The collector's own logging tree, where every stored record is handed (`logging.getLogger(name).handle`):
   * a Manager of its own, so that the app's loggers and another collector's never mix with it.
   * `collector.logging.root.addHandler(h)` sees every record.
   */
  readonly logging: Manager & { readonly root: RootLogger };
  close(): Promise<void>;
}

/** The default configuration: every record as one NDJSON line in a rotating file. */
export function defaultLogging(file: string, maxBytes: number, backupCount: number): DictConfig {
  return {
    version: 1,
    disable_existing_loggers: false,
    formatters: { ndjson: { class: 'JsonFormatter' } },
    handlers: {
      file: { class: 'RotatingFileHandler', filename: file, maxBytes, backupCount, buffered: true, formatter: 'ndjson' },
    },
    root: { level: 'NOTSET', handlers: ['file'] },
  };
}

/** Text formatters get their output escaped: one record stays one line, whatever its message holds. */
class LineSafeFormatter extends Formatter {
  constructor(private readonly inner: Formatter) { super(); }
  override format(record: LogRecord): string { return escapeControl(this.inner.format(record)); }
}

function makeLinesSafe(handlers: readonly Handler[]): void {
  for (const h of handlers) {
    if (h.formatter instanceof JsonFormatter || h.formatter instanceof LineSafeFormatter || h instanceof LiveViewHandler) continue;
    h.setFormatter(new LineSafeFormatter(h.formatter ?? new Formatter()));
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function acceptBody(result: AcceptResult): Record<string, unknown> {
  return result.rejected > 0
    ? { partialSuccess: { rejectedLogRecords: result.rejected, errorMessage: result.errors.join('; ') } }
    : {};
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/**
 * Starts a collector. Refuses to listen beyond loopback without a token.
 * @example const c = await startCollector({ port: 0, dir: tmp }); … await c.close()
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const host = options.host ?? DEFAULTS.host;
  const loopback = isLoopbackHost(host);
  if (!loopback && !options.token) {
    throw new ConfigError(`refusing to listen on ${host} without a token: anyone who can reach it could write logs; pass --token`);
  }
  const cors = (options.cors ?? []).map((value) => corsOrigin(value, 'cors'));
  const allowHost = (options.allowHost ?? []).map((value) => allowedHostName(value, 'allowHost'));
  if (allowHost.includes('*') && !options.token) {
    throw new ConfigError('--allow-host * answers any Host header, so a web page could reach the collector by rebinding its own name to this machine; pass --token as well, or name the hosts');
  }
  if (options.forward !== undefined && !isHttpUrl(options.forward)) {
    throw new ConfigError(`--forward ${options.forward}: expected the http(s) URL of an OTLP logs endpoint, e.g. --forward http://otel-collector:4318/v1/logs`);
  }
  // a development server's rule: a collector only this machine can reach takes the pages served
  // from this machine; a token says the collector is guarded, and then only the named origins send
  const origins = new OriginGate(cors, loopback && !options.token, reportInternalError);
  const hosts = new HostGate(host, allowHost, reportInternalError);
  const shownDir = options.dir ?? DEFAULTS.dir;
  const dir = resolve(shownDir);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw dirError(err, shownDir, dir);
  }
  const bodyLimit = options.bodyLimit ?? DEFAULTS.bodyLimit;
  const rate = options.rate ?? DEFAULTS.rate;
  const limiter = new RateLimiter(rate, rate * 2);
  const file = options.logging ? null : join(dir, 'isolog.ndjson');

  // loggers made for earlier records must keep working: a supplied configuration does not disable
  // them unless it says so
  // a logging tree of its own: another collector in the process (or the app's own configure())
  // neither replaces its handlers nor closes them, and its shutdown closes only its own
  const tree = new Manager(new RootLogger(WARNING)) as Manager & { readonly root: RootLogger };
  const before = new Set(allHandlers());
  configureTree(options.logging ? { disable_existing_loggers: false, ...options.logging } : defaultLogging(file as string, options.maxBytes ?? DEFAULTS.maxBytes, options.backupCount ?? DEFAULTS.backupCount), tree);
  const own = allHandlers().filter((h) => !before.has(h));
  const openHandlers = (): Handler[] => {
    const open = new Set(allHandlers());
    return own.filter((h) => open.has(h));
  };
  makeLinesSafe(own);
  const live = new LiveViewHandler();
  tree.root.addHandler(live);

  let levels: LevelStore;
  try {
    levels = new LevelStore(dir);
  } catch (err) {
    throw new ConfigError((err as Error).message, { cause: err });
  }
  const seen = new DedupeStore(join(dir, 'dedupe.journal'));
  const forwarder = options.forward
    ? new Forwarder(options.forward, { token: options.forwardToken, onEvent: (t) => reportInternalError(t) })
    : undefined;
  const receiver = new Receiver(seen, tree, openHandlers, forwarder);

  const maxRecords = options.maxRecords ?? DEFAULTS.maxRecords;
  // a group that fails fails each of its batches with the same error: it is reported once
  const reported = new WeakSet<object>();
  // the decoded records are let go of once the receiver has taken them, not held while their group
  // is written: records that outlive a young-generation collection are copied by it
  const store = (decoded: DecodeResult): Promise<AcceptResult> => {
    let stored: Promise<AcceptResult>;
    try {
      stored = receiver.accept(decoded);
    } catch (err) {
      stored = Promise.reject(err);
    }
    return answer(stored);
  };
  const answer = async (stored: Promise<AcceptResult>): Promise<AcceptResult> => {
    try {
      return await stored;
    } catch (err) {
      const once = typeof err === 'object' && err !== null;
      if (!once || !reported.has(err)) {
        if (once) reported.add(err);
        reportInternalError(`--- Logging error ---\ncollector could not store a batch: ${describeError(err)}\n`);
      }
      throw new IngestError(503, 'the collector could not store the batch; send it again later');
    }
  };
  // decoded and stored a slice at a time, so that one large request does not stall the others
  const ingest = (request: ReadRequest): Promise<AcceptResult> => ingestRequest(request, store, maxRecords);
  // a body read and handed over outside the async handlers, whose suspended frames would hold what was read
  const ingestBody = (body: Buffer): Promise<AcceptResult> => ingest(readRequest(body));

  const clientOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

  const hasToken = (req: IncomingMessage, url: URL): boolean => !options.token || tokensMatch(tokenOf(req, url), options.token);

  /**
   * GET /v1/levels: the levels set remotely, with an ETag (304 for If-None-Match); PUT: a change,
   * checked whole (400 with the reason, nothing changed), kept on disk, then pushed to WebSockets.
   * Both need the token when one is set; a change comes from the live view (this collector's own
   * origin) or a client without a page (`isolog levels`), never from an app's page.
   */
  async function onLevels(req: IncomingMessage, res: ServerResponse, url: URL, origin: string | undefined, cross: Record<string, string>): Promise<void> {
    if (req.method === 'OPTIONS') {
      if (!origin) return send(res, 403, { error: 'a preflight needs an Origin header' });
      if (!origins.admits(origin, req.headers)) return send(res, 403, { error: origins.refusal(origin, req.headers) });
      res.writeHead(204, cross);
      return void res.end();
    }
    if (origin !== undefined && !origins.admits(origin, req.headers)) return send(res, 403, { error: origins.refusal(origin, req.headers) });
    if (!hasToken(req, url)) return send(res, 401, { error: 'missing or wrong token' }, cross);
    if (req.method === 'GET') {
      const etag = levels.etag;
      const headers = { ...cross, etag, 'cache-control': 'no-cache' };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        return void res.end();
      }
      return send(res, 200, levels.document, headers);
    }
    if (req.method !== 'PUT') return send(res, 405, { error: 'GET the levels, or PUT {"levels": {"logger": "DEBUG"}}' }, { ...cross, allow: 'GET, PUT, OPTIONS' });
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      return send(res, 403, { error: 'levels are set from the live view or `isolog levels`, not from an app\'s page' }, cross);
    }
    const raw = await readBody(req, 64 * 1024);
    let change: ReturnType<typeof parseChange>;
    try {
      change = parseChange(JSON.parse(raw.toString('utf8')));
    } catch (err) {
      const reason = err instanceof LevelsError ? err.message : `not JSON (${(err as Error).message})`;
      return send(res, 400, { error: reason }, cross);
    }
    try {
      return send(res, 200, levels.apply(change), { ...cross, etag: levels.etag });
    } catch (err) {
      if (err instanceof LevelsError) return send(res, 400, { error: err.message }, cross);
      reportInternalError(`--- Logging error ---\ncollector could not keep the levels: ${describeError(err)}\n`);
      return send(res, 503, { error: 'the collector could not keep the levels on disk; nothing changed' }, cross);
    }
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hosts.admits(req.headers.host)) return send(res, 421, { error: hosts.refusal(req.headers.host as string) });
    const url = new URL(req.url ?? '/', 'http://collector');
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const cross = origins.headersFor(origin, req.headers);
    try {
      if (url.pathname === '/healthz') {
        return send(res, 200, { status: 'ok', ...receiver.totals, dedupeEntries: seen.size, forward: forwarder?.stats });
      }
      if (url.pathname === '/v1/logs') {
        if (req.method === 'OPTIONS') {
          if (!origin) return send(res, 403, { error: 'a preflight needs an Origin header' });
          if (!origins.admits(origin, req.headers)) return send(res, 403, { error: origins.refusal(origin, req.headers) });
          res.writeHead(204, cross);
          return void res.end();
        }
        if (req.method !== 'POST') return send(res, 405, { error: 'use POST' }, { allow: 'POST, OPTIONS' });
        if (origin !== undefined && !origins.admits(origin, req.headers)) return send(res, 403, { error: origins.refusal(origin, req.headers) });
        const wait = limiter.take(clientOf(req));
        if (wait > 0) return send(res, 429, { error: 'too many requests' }, { ...cross, 'retry-after': String(Math.ceil(wait / 1000)) });
        if (!hasToken(req, url)) return send(res, 401, { error: 'missing or wrong token' }, cross);
        if (!acceptsContentType(req.headers['content-type'])) {
          return send(res, 415, { error: 'send OTLP as JSON (application/json); protobuf is not supported' }, cross);
        }
        const raw = await readBody(req, bodyLimit);
        const result = await ingestBody(await bodyBytes(raw, req.headers['content-encoding'] as string | undefined, bodyLimit));
        return send(res, 200, acceptBody(result), cross);
      }
      if (url.pathname === '/v1/levels') return await onLevels(req, res, url, origin, cross);
      if (url.pathname === '/' && req.method === 'GET') {
        if (!hasToken(req, url)) {
          res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
          return void res.end('isolog live view: this collector has a token; open this page as /?token=T\n');
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': LIVE_VIEW_CSP });
        return void res.end(LIVE_VIEW_PAGE);
      }
      if (url.pathname === '/favicon.ico' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400' });
        return void res.end(FAVICON_SVG);
      }
      if (url.pathname === '/events' && req.method === 'GET') {
        if (!hasToken(req, url)) return send(res, 401, { error: 'missing or wrong token' });
        let request: ViewerRequest;
        try {
          request = viewerRequest(url, typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : undefined);
        } catch (err) {
          return send(res, 400, { error: (err as Error).message });
        }
        return live.attach(res, request);
      }
      send(res, 404, { error: `no ${url.pathname} here; OTLP logs go to POST /v1/logs` });
    } catch (err) {
      if (err instanceof IngestError) {
        const headers: Record<string, string> = { ...cross };
        // a body not read to its end cannot be followed by another request on this connection
        if (err.unread) headers.connection = 'close';
        if (err.status === 503) headers['retry-after'] = '5';
        return send(res, err.status, { error: err.message }, headers);
      }
      reportInternalError(`--- Logging error ---\ncollector: ${describeError(err)}\n`);
      send(res, 500, { error: 'internal error' });
    }
  }

  const server: Server = createServer((req, res) => { void onRequest(req, res); });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: bodyLimit });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://collector');
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    if (!hosts.admits(req.headers.host)) return refuse(421, 'Misdirected Request');
    if (url.pathname !== '/v1/logs') return refuse(404, 'Not Found');
    if (!origins.admits(origin, req.headers)) return refuse(403, 'Forbidden');
    if (!hasToken(req, url)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws, clientOf(req)));
  });

  // each WebSocket client is sent the levels when it connects and after every change
  const levelsMessage = (): string => JSON.stringify({ levels: levels.document.levels, version: levels.document.version });
  const stopPush = levels.onChange(() => {
    const message = levelsMessage();
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(message);
  });

  function onSocket(ws: WebSocket, client: string): void {
    ws.send(levelsMessage());
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      void (async () => {
        // read from the message's first bytes, so that every nack names its batch when it can
        let batchId: unknown = peekBatchId(data, isBinary);
        try {
          const wait = limiter.take(client);
          if (wait > 0) return ws.send(JSON.stringify({ nack: batchId, status: 429, retryAfterMs: wait, error: 'too many requests' }));
          // a binary message is gzip, a text message JSON: decoded and bounded as an HTTP body is
          const body = await bodyBytes(data, isBinary ? 'gzip' : undefined, bodyLimit);
          const result = await ((): Promise<AcceptResult> => {
            const message = readRequest(body);
            const id = batchIdOf(message) ?? null;
            batchId = typeof id === 'string' || typeof id === 'number' ? id : null;
            return ingest(message);
          })();
          ws.send(JSON.stringify({ ack: batchId, ...acceptBody(result) }));
        } catch (err) {
          const status = err instanceof IngestError ? err.status : 500;
          ws.send(JSON.stringify({ nack: batchId, status, error: err instanceof Error ? err.message : String(err) }));
        }
      })();
    });
    ws.on('error', () => ws.terminate());
  }

  // what configure() and the journal opened, given back when the collector closes or cannot listen
  const release = async (): Promise<void> => {
    if (forwarder && !(await forwarder.drain(5000))) {
      reportInternalError(`isolog collect: ${forwarder.stats.pending} records were not forwarded to ${forwarder.url} before shutdown (${forwarder.stats.stopped ?? `${forwarder.stats.retries} retries`}); they are stored here`);
    }
    stopPush();
    // the group being written gets its answer before its files and the journal close
    await receiver.drain();
    tree.root.removeHandler(live);
    await shutdown(own);
    seen.close();
  };
  const wantedPort = options.port ?? DEFAULTS.port;
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(wantedPort, host, () => resolveListen());
    });
  } catch (err) {
    await release();
    throw listenError(err, host, wantedPort);
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;

  let closed: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    file,
    receiver,
    forwarder,
    origins: origins.describe(),
    hosts: hosts.describe(),
    logging: tree as Manager & { readonly root: RootLogger },
    close(): Promise<void> {
      closed ??= (async () => {
        for (const ws of wss.clients) ws.close(1001, 'collector shutting down');
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeIdleConnections();
          setTimeout(() => { server.closeAllConnections(); }, 2000).unref();
        });
        await release();
      })();
      return closed;
    },
  };
}
