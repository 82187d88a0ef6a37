// The handler classes configure() builds by name: the built-ins registered here, Node's file
// handlers by isolog/node, and any class an app registers.
import { ConfigError, levelFrom } from './config-error.js';
import type { Handler } from '../core/handler.js';
import { stderrStream, stdoutStream, StreamHandler, type TextStream } from '../core/stream-handler.js';
import { ConsoleHandler } from '../handlers/console.js';
import { ErrorContextHandler } from '../handlers/context.js';
import { MemoryHandler } from '../handlers/memory.js';
import { NullHandler } from '../handlers/null.js';
import { MemoryQueue, QueueHandler, QueueListener, type LogQueue } from '../handlers/queue.js';

type Options = Record<string, unknown>;

/** Builds a handler from the options left in its configuration; `resolve` turns a name into a configured handler. */
export interface HandlerFactory {
  (options: Options, context: { resolveHandler(name: string): Handler; path: string }): Handler;
  /** Keys the factory reads; any other key is reported as a mistake. */
  keys?: readonly string[];
}

const handlerClasses = new Map<string, HandlerFactory>();

/** The factory registered under `name`, if any (basicConfig looks up 'FileHandler'). */
export function handlerClass(name: string): HandlerFactory | undefined {
  return handlerClasses.get(shortName(name));
}
/** `logging.handlers.FileHandler` → `FileHandler`: Python's dotted class paths name the same classes. */
export function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/**
 * Makes a handler class available to `configure()` by name (`'class': 'FileHandler'`, or the Python
 * spelling `'logging.handlers.FileHandler'`).
 * @example registerHandlerClass('ArrayHandler', Object.assign(() => new ArrayHandler(), { keys: [] }))
 */
export function registerHandlerClass(name: string, factory: HandlerFactory): void {
  handlerClasses.set(shortName(name), factory);
}

/** The names of every registered handler class, for suggestions. */
export function handlerClassNames(): IterableIterator<string> {
  return handlerClasses.keys();
}

function resolveStream(value: unknown, path: string): TextStream {
  if (value === undefined || value === null || value === 'ext://sys.stderr') return stderrStream;
  if (value === 'ext://sys.stdout' || value === 'ext://console') return stdoutStream;
  if (typeof value === 'object' && typeof (value as TextStream).write === 'function') return value as TextStream;
  throw new ConfigError(`${path}.stream: expected "ext://sys.stdout", "ext://sys.stderr" or an object with write(text); got ${JSON.stringify(value)}`);
}

function define(keys: readonly string[], make: (o: Options, c: Parameters<HandlerFactory>[1]) => Handler): HandlerFactory {
  return Object.assign(make, { keys });
}

registerHandlerClass('StreamHandler', define(['stream'], (o, c) => new StreamHandler(resolveStream(o.stream, c.path))));
registerHandlerClass('ConsoleHandler', define([], () => new ConsoleHandler()));
registerHandlerClass('NullHandler', define([], () => new NullHandler()));
registerHandlerClass('MemoryHandler', define(['capacity', 'flushLevel', 'target', 'flushOnClose'], (o, c) => {
  if (typeof o.capacity !== 'number') throw new ConfigError(`${c.path}.capacity: MemoryHandler needs a number of records`);
  const target = typeof o.target === 'string' ? c.resolveHandler(o.target) : null;
  return new MemoryHandler(o.capacity, o.flushLevel === undefined ? undefined : levelFrom(o.flushLevel, `${c.path}.flushLevel`),
    target, o.flushOnClose === undefined ? true : Boolean(o.flushOnClose));
}));
registerHandlerClass('ErrorContextHandler', define(['target', 'capacity', 'passLevel', 'triggerLevel', 'maxAgeSeconds'], (o, c) => {
  if (typeof o.target !== 'string') throw new ConfigError(`${c.path}.target: ErrorContextHandler needs the name of the handler it ships to`);
  for (const key of ['capacity', 'maxAgeSeconds'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'number') throw new ConfigError(`${c.path}.${key}: expected a number, got ${JSON.stringify(o[key])}`);
  }
  try {
    return new ErrorContextHandler(c.resolveHandler(o.target), {
      capacity: o.capacity as number | undefined,
      maxAgeSeconds: o.maxAgeSeconds as number | undefined,
      passLevel: o.passLevel === undefined ? undefined : levelFrom(o.passLevel, `${c.path}.passLevel`),
      triggerLevel: o.triggerLevel === undefined ? undefined : levelFrom(o.triggerLevel, `${c.path}.triggerLevel`),
    });
  } catch (err) {
    if (err instanceof RangeError) throw new ConfigError(`${c.path}: ${err.message}`);
    throw err;
  }
}));
registerHandlerClass('QueueHandler', define(['queue', 'listener', 'handlers', 'respect_handler_level'], (o, c) => {
  const queue = (o.queue ?? new MemoryQueue()) as LogQueue;
  if (typeof queue.put !== 'function') throw new ConfigError(`${c.path}.queue: expected an object with put() and get()`);
  const handler = new QueueHandler(queue);
  if (Array.isArray(o.handlers) && o.handlers.length > 0) {
    const targets = o.handlers.map((name) => c.resolveHandler(String(name)));
    handler.listener = new QueueListener(queue, ...targets, { respectHandlerLevel: Boolean(o.respect_handler_level) });
  }
  return handler;
}));
