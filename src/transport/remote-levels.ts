// The clients' half of levels set remotely: a document from the collector (GET /v1/levels, or a
// WebSocket message) applied with setLevel, as Python's logging.config.listen() applies what it is
// sent; a level the collector no longer names goes back to what it was before. A document that
// cannot be applied whole changes nothing, and says why in a WARNING of `isolog.levels`.
import { checkLevel } from '../core/level.js';
import { getLogger, root, type Logger } from '../core/logger.js';

/** What the collector serves: a version, and a level per logger name (`root` for the root). */
export interface RemoteLevelsDocument { version: number; levels: Record<string, string | number> }

/** The logger these reports are logged on. */
export const LEVELS_LOGGER = 'isolog.levels';
const MAX_LEVELS = 1000;

/** `…/v1/logs` (the OTLP endpoint a client is given, http(s) or ws(s)) to the collector's `…/v1/levels`. */
export function levelsUrlFor(logsUrl: string): string {
  const base = logsUrl.replace(/[?#].*$/, '').replace(/^ws(s?):/, 'http$1:');
  return base.replace(/\/v1\/logs\/?$/, '').replace(/\/$/, '') + '/v1/levels';
}

/** A document checked whole: the levels as numbers, or the reason it cannot be applied. */
export function checkDocument(doc: unknown): { version: number; levels: Map<string, number> } | string {
  if (typeof doc !== 'object' || doc === null) return 'not a levels document';
  const { version, levels } = doc as Partial<RemoteLevelsDocument>;
  if (typeof version !== 'number' || !Number.isInteger(version)) return 'its version is not a whole number';
  if (typeof levels !== 'object' || levels === null || Array.isArray(levels)) return '"levels" is not an object';
  const names = Object.keys(levels);
  if (names.length > MAX_LEVELS) return `it names ${names.length} loggers, more than ${MAX_LEVELS}`;
  const out = new Map<string, number>();
  for (const name of names) {
    const value = (levels as Record<string, unknown>)[name];
    try {
      if (typeof value !== 'string' && typeof value !== 'number') throw new TypeError('not a level');
      out.set(name, checkLevel(value));
    } catch {
      return `${JSON.stringify(name)}: ${JSON.stringify(value)} is not a level here`;
    }
  }
  return { version, levels: out };
}

/** Applies documents to this runtime's loggers; remembers each logger's own level to give it back. */
export class RemoteLevels {
  /** The levels the loggers had before a document first named them. */
  private readonly own = new Map<string, number>();
  private applied = '';
  /** The version last applied, or null before any. */
  version: number | null = null;

  /** Applies a document; false (and a WARNING saying why, nothing changed) when it cannot be applied whole. */
  apply(doc: unknown): boolean {
    const checked = checkDocument(doc);
    const report = getLogger(LEVELS_LOGGER);
    if (typeof checked === 'string') {
      const version = (doc as { version?: unknown } | null)?.version;
      report.warning('refused the levels from the collector%s: %s; nothing changed', typeof version === 'number' ? ` (version ${version})` : '', checked);
      return false;
    }
    const key = JSON.stringify([...checked.levels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    this.version = checked.version;
    if (key === this.applied) return true;
    this.applied = key;
    const set: string[] = [];
    for (const [name, level] of checked.levels) {
      const logger = loggerNamed(name);
      if (!this.own.has(name)) this.own.set(name, logger.level);
      if (logger.level !== level) set.push(`${name}=${String((doc as RemoteLevelsDocument).levels[name])}`);
      logger.setLevel(level);
    }
    const restored: string[] = [];
    for (const [name, level] of [...this.own]) {
      if (checked.levels.has(name)) continue;
      loggerNamed(name).setLevel(level);
      this.own.delete(name);
      restored.push(name);
    }
    if (set.length > 0 || restored.length > 0) {
      report.info('levels from the collector (version %d): %s', checked.version,
        [set.length ? `set ${set.join(', ')}` : '', restored.length ? `back to their own ${restored.join(', ')}` : ''].filter(Boolean).join('; '));
    }
    return true;
  }
}

function loggerNamed(name: string): Logger {
  return name === 'root' || name === '' ? root : getLogger(name);
}

/** Options for a LevelsPoller. */
export interface LevelsPollerOptions {
  /** The collector's `/v1/levels` (levelsUrlFor of the logs endpoint). */
  url: string;
  token?: string;
  /** Between polls; 30 s by default; null: only when poll() is called (the edge, where no timer outlives a request). */
  intervalMs?: number | null;
  /** Called with each new document (an ETag that changed). */
  onDocument: (doc: unknown) => void;
  /** The fetch to call; the global one by default. */
  fetch?: (url: string, init: { headers: Record<string, string>; signal: never }) => Promise<unknown>;
}

/**
 * Polls the collector's levels with `If-None-Match`, so an unchanged document costs a 304; a failed
 * poll waits for the next one. `stop()` ends it; `poll()` polls at once.
 */
export class LevelsPoller {
  private etag: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private polling: Promise<void> | null = null;

  constructor(private readonly options: LevelsPollerOptions) {}

  start(): this {
    void this.poll();
    return this;
  }

  /** Polls now (once at a time); resolves when this poll has ended, successfully or not. */
  poll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.polling ??= this.once().finally(() => {
      this.polling = null;
      this.schedule();
    });
    return this.polling;
  }

  private schedule(): void {
    if (this.stopped || this.options.intervalMs === null) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), this.options.intervalMs ?? 30_000);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async once(): Promise<void> {
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (this.etag) headers['if-none-match'] = this.etag;
    try {
      const call = this.options.fetch ?? ((u: string, init: { headers: Record<string, string> }) => fetch(u, init));
      const res = await call(this.options.url, { headers, signal: AbortSignal.timeout(10_000) as never }) as Response;
      if (res.status !== 200) {
        await res.text().catch(() => '');
        // a refusal that waiting does not cure, said once: polling stops
        if (res.status === 401 || res.status === 403 || res.status === 404) {
          this.stop();
          getLogger(LEVELS_LOGGER).warning('remote levels are off: %s answered %d (%s)', this.options.url, res.status,
            res.status === 404 ? 'it serves no levels; is it an isolog collector?' : 'the token is missing or wrong');
        }
        return;
      }
      const doc: unknown = JSON.parse(await res.text());
      this.etag = res.headers.get('etag');
      if (!this.stopped) this.options.onDocument(doc);
    } catch {
      // the collector down or the network gone: the next poll tries again
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

/** Options for followRemoteLevels. */
export interface FollowLevelsOptions {
  /** The collector's OTLP logs endpoint (as given to FetchHandler), or its `/v1/levels`. */
  url: string;
  token?: string;
  /** Between polls; 30 s by default. */
  intervalMs?: number;
}

/**
 * Applies the levels a collector serves to this runtime's loggers, polling them (an unchanged
 * document costs a 304); `stop()` ends it, `ready` settles after the first poll.
 * @example const levels = followRemoteLevels({ url: 'http://127.0.0.1:4318/v1/logs', token }); await levels.ready
 */
export function followRemoteLevels(options: FollowLevelsOptions): { ready: Promise<void>; poll(): Promise<void>; stop(): void; readonly version: number | null } {
  const remote = new RemoteLevels();
  const url = /\/v1\/levels\/?$/.test(options.url.replace(/[?#].*$/, '')) ? options.url : levelsUrlFor(options.url);
  const poller = new LevelsPoller({ url, token: options.token, intervalMs: options.intervalMs, onDocument: (doc) => remote.apply(doc) });
  const ready = poller.poll();
  return { ready, poll: () => poller.poll(), stop: () => poller.stop(), get version() { return remote.version; } };
}
