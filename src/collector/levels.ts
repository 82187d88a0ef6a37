// Levels set remotely, as Python's logging.config.listen() applies a configuration sent to it: the
// collector keeps per-logger levels (set by `isolog levels`, or the live view's form, with the
// token), serves them on GET /v1/levels with an ETag, and pushes each change to its WebSocket
// clients; pages, workers and edge Workers apply them with setLevel. A change is checked whole
// before any of it is kept, and kept on disk (levels.json) before it is acknowledged.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { closestName } from '../config/closest-name.js';

/** The levels a collector serves: logger name (`root` for the root) to a level name or number. */
export type RemoteLevels = Record<string, string | number>;

/** What GET /v1/levels answers, and what a WebSocket client is sent on each change. */
export interface LevelsDocument { version: number; levels: RemoteLevels }

const NAMES = ['NOTSET', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
// a change names at most this many loggers, and the collector keeps at most this many
const MAX_CHANGE = 200;
const MAX_LEVELS = 1000;
const MAX_NAME = 200;
// control characters, and the separators that would make a name unreadable on a line
const BAD_NAME = /[\u0000-\u001f\u007f\u2028\u2029]/;

/** Thrown for a change that cannot be applied; its message is the 400's reason. */
export class LevelsError extends Error {
  override name = 'LevelsError';
}

/** One level as given (a name, a whole number 0-100, or null to remove the logger's override) checked. */
function checkLevel(logger: string, value: unknown): string | number | null {
  if (value === null) return null;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 100) return value;
    throw new LevelsError(`${JSON.stringify(logger)}: a level number is a whole number from 0 to 100, got ${value}`);
  }
  if (typeof value === 'string') {
    if (NAMES.includes(value)) return value;
    if (/^\d{1,3}$/.test(value) && Number(value) <= 100) return Number(value);
    const near = NAMES.find((n) => n === value.toUpperCase()) ?? closestName(value.toUpperCase(), NAMES);
    throw new LevelsError(`${JSON.stringify(logger)}: unknown level ${JSON.stringify(value)}${near ? `; did you mean ${near}?` : ''} (level names are upper case, as Python's)`);
  }
  throw new LevelsError(`${JSON.stringify(logger)}: a level is a name (DEBUG, INFO, WARNING, ERROR, CRITICAL), a number, or null to remove it; got ${JSON.stringify(value)}`);
}

/** A change as sent (`{ "levels": { "app.db": "DEBUG", "app": null } }`), checked whole. */
export function parseChange(body: unknown): Record<string, string | number | null> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new LevelsError('send {"levels": {"logger.name": "DEBUG", "other": null}}');
  const levels = (body as { levels?: unknown }).levels;
  if (typeof levels !== 'object' || levels === null || Array.isArray(levels)) throw new LevelsError('send {"levels": {"logger.name": "DEBUG", "other": null}}: "levels" must be an object');
  const entries = Object.entries(levels as Record<string, unknown>);
  if (entries.length === 0) throw new LevelsError('the change names no logger');
  if (entries.length > MAX_CHANGE) throw new LevelsError(`a change names at most ${MAX_CHANGE} loggers, this one ${entries.length}`);
  const out: Record<string, string | number | null> = Object.create(null) as Record<string, string | number | null>;
  for (const [rawName, value] of entries) {
    const name = rawName === '' ? 'root' : rawName;
    if (name.length > MAX_NAME) throw new LevelsError(`a logger name is at most ${MAX_NAME} characters, got one of ${name.length}`);
    if (BAD_NAME.test(name)) throw new LevelsError(`${JSON.stringify(name)}: a logger name has no control characters`);
    if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) throw new LevelsError(`${JSON.stringify(name)}: not a logger name (dots separate its parts)`);
    out[name] = checkLevel(name, value);
  }
  return out;
}

/** An object without a prototype: a logger may be called `__proto__` or `constructor`. */
function noPrototype(): RemoteLevels {
  return Object.create(null) as RemoteLevels;
}

// an empty store's tag differs between runs too: its version 0 says nothing of what a client saw
const BOOT = randomBytes(6).toString('base64url');

/** A document's ETag: `"levels-<version>-<hash of its levels>"`. */
function tagOf(doc: LevelsDocument): string {
  const names = Object.keys(doc.levels).sort();
  if (names.length === 0) return `"levels-${doc.version}-${BOOT}"`;
  const hash = createHash('sha256').update(JSON.stringify(names.map((n) => [n, doc.levels[n]]))).digest('base64url').slice(0, 16);
  return `"levels-${doc.version}-${hash}"`;
}

/** The levels, their version, and the file that keeps them across restarts. */
export class LevelStore {
  private doc: LevelsDocument = { version: 0, levels: noPrototype() };
  private tag = '';
  private readonly file: string;
  private readonly listeners = new Set<(doc: LevelsDocument) => void>();

  constructor(dir: string) {
    this.file = join(dir, 'levels.json');
    let text: string | undefined;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      this.tag = tagOf(this.doc);
      return; // none set yet
    }
    try {
      const parsed = JSON.parse(text) as Partial<LevelsDocument>;
      const version = parsed.version ?? 0;
      if (!Number.isSafeInteger(version) || version < 0) throw new LevelsError(`its version is ${JSON.stringify(version)}, not a whole number from 0`);
      const given = parsed.levels ?? {};
      const levels = Object.keys(given).length === 0 ? {} : parseChange({ levels: given });
      const kept = noPrototype();
      for (const [name, level] of Object.entries(levels)) if (level !== null) kept[name] = level;
      this.doc = { version, levels: kept };
    } catch (err) {
      throw new LevelsError(`${this.file} is not a levels file the collector wrote (${(err as Error).message}); move it away or fix it`);
    }
    this.tag = tagOf(this.doc);
  }

  get document(): LevelsDocument {
    return this.doc;
  }

  /**
   * The ETag of the current levels: their version and a hash of what they are, so a levels.json
   * moved away (its version starting again from 0) never answers a client's old tag with a 304.
   */
  get etag(): string {
    return this.tag;
  }

  /** Applies a checked change (null removes a logger's level), writes it to disk, then tells the listeners. */
  apply(change: Record<string, string | number | null>): LevelsDocument {
    const levels = Object.assign(noPrototype(), this.doc.levels);
    for (const [name, level] of Object.entries(change)) {
      if (level === null) delete levels[name];
      else levels[name] = level;
    }
    if (Object.keys(levels).length > MAX_LEVELS) throw new LevelsError(`the collector keeps at most ${MAX_LEVELS} logger levels; remove some first (a level of null)`);
    const doc = { version: this.doc.version + 1, levels };
    // kept on disk before it is acknowledged: a temporary file, fsynced, renamed over the old one
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(doc, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.doc = doc;
    this.tag = tagOf(doc);
    for (const listener of this.listeners) listener(doc);
    return doc;
  }

  /** Calls `listener` with the levels after each change; returns the function that stops it. */
  onChange(listener: (doc: LevelsDocument) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
